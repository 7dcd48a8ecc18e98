export * from './lead-events';
