// The accounts module's public surface: the modules (the api side binds ACCOUNT_MAPPING_SINK for the mappings module).
export { AccountsModule, AccountsWorkerModule } from './accounts.module';
// the ABM mutations other modules drive on the OU's behalf (the sample data wipe deletes its accounts)
export { AccountCommands } from './application/account-commands';
// companies of a CRM (the HubSpot sync) into accounts
export { CrmAccounts, type CrmCompany } from './application/crm-accounts';
// the Account's event vocabulary (segments follow account changes)
export { AccountEvent, AccountStreamType } from './domain/account-events';
