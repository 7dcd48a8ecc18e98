export * from './ids';
export * from './pg-errors';
export * from './sql';
export * from './bounded-total';
export * from './row-locks';
export * from './statement-batcher';
