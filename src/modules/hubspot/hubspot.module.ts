import { Module } from '@nestjs/common';
import { QueueName, QueuesModule } from '../../platform/queues';
import { IngestionWorkerModule } from '../ingestion';
import { ScoringModule } from '../scoring';
import { HubSpotApi } from './client/hubspot-api';
import { HubSpotConnections } from './connection/hubspot-connections.service';
import { HubSpotController, HubSpotOAuthController } from './http/hubspot.controller';
import { HubSpotSyncJobs } from './sync/hubspot-sync-jobs.service';
import { HubSpotSyncProcessor } from './sync/hubspot-sync.processor';
import { HubSpotSyncRunner } from './sync/hubspot-sync.runner';

/** HubSpot (HS-1..7, DEAL-4): the OU's connection (BYO or shared app, OAuth, sealed tokens) and its sync runs. */
@Module({
  imports: [QueuesModule.forFeature(QueueName.HubSpotSync)],
  controllers: [HubSpotController, HubSpotOAuthController],
  providers: [HubSpotApi, HubSpotConnections, HubSpotSyncJobs],
})
export class HubSpotModule {}

/** Worker role: runs sync runs (queue `hubspot-sync`) and queues the incremental sync (`hubspot.sync`, every 15 minutes). */
@Module({
  imports: [QueuesModule.forFeature(QueueName.HubSpotSync), IngestionWorkerModule, ScoringModule],
  providers: [HubSpotApi, HubSpotConnections, HubSpotSyncJobs, HubSpotSyncRunner, HubSpotSyncProcessor],
  exports: [HubSpotSyncRunner],
})
export class HubSpotWorkerModule {}
