// The hubspot module's public surface: the modules (api and worker roles).
export { HubSpotModule, HubSpotWorkerModule } from './hubspot.module';
export { HubSpotSyncRunner } from './sync/hubspot-sync.runner';
export { HubSpotApi } from './client/hubspot-api';
