// The accounts module's framework-free core.
export * from './account-events';
export * from './account.aggregate';
export * from './grouping';
export * from './committee';
