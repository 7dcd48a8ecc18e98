export * from './ids';
export * from './pg-errors';
export * from './sql';
