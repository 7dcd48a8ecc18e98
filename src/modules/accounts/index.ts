// The accounts module's public surface: the modules (the api side binds ACCOUNT_MAPPING_SINK for the mappings module).
export { AccountsModule, AccountsWorkerModule } from './accounts.module';
// the Account's event vocabulary (segments follow account changes)
export { AccountEvent, AccountStreamType } from './domain/account-events';
