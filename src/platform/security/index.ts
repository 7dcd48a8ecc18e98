export * from './secret-box';
export * from './server-keys.service';
