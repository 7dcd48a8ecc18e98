export * from './ids';
export * from './pg-errors';
export * from './sql';
export * from './row-locks';
