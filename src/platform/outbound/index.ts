export * from './address-rules';
export * from './outbound-client';
export * from './outbound.errors';
export * from './outbound.module';
