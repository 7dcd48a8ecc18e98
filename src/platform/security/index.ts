export * from './secret-box';
export * from './server-keys.service';
export * from './oauth-states.service';
