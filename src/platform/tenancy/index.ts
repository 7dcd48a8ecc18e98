export * from './request-context';
export * from './tenancy.decorators';
export * from './tenant-scope';
export * from './tenant-sql';
