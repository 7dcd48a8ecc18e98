export * from './projection';
export * from './projection.registry';
