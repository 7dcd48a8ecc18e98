// The triggers domain: the Trigger aggregate and the pure detection of each kind (live path and simulate alike).
export * from './trigger-events';
export * from './trigger.aggregate';
export * from './milestone';
export * from './sequence';
export * from './pattern';
