import { Global, Module } from '@nestjs/common';
import { QueueName, QueuesModule } from '../../platform/queues';
import { LeadAttributeMapper } from '../leads';
import { MappingsAttributeMapper } from './application/mappings-attribute-mapper';
import { UnitMappingsCache } from './application/unit-mappings.cache';
import { BackfillJobs } from './backfill/backfill-jobs';
import { ProfileMappingsBackfillProcessor } from './backfill/profile-mappings-backfill';
import { MappingsService } from './config/mappings.service';
import { AbmEnabledGuard } from './http/abm-enabled.guard';
import { MappingsBackfillController } from './http/backfill.controller';
import { MAPPING_CONTROLLERS } from './http/mappings.controllers';
import { LeadMetadataKeysProjection } from './projections/lead-metadata-keys.projection';

/**
 * Field mappings (profile and account, one mechanism), their history, the metadata keys read models, the backfill
 * of profile mappings, and the leads pipeline's LeadAttributeMapper. Global so the ingest pipeline (leads module)
 * gets its mapper without importing this module back (leads never depends on mappings).
 */
@Global()
@Module({
  imports: [QueuesModule.forFeature(QueueName.Maintenance)],
  controllers: [...MAPPING_CONTROLLERS, MappingsBackfillController],
  providers: [
    MappingsService,
    UnitMappingsCache,
    AbmEnabledGuard,
    BackfillJobs,
    LeadMetadataKeysProjection,
    { provide: LeadAttributeMapper, useClass: MappingsAttributeMapper },
  ],
  exports: [LeadAttributeMapper, UnitMappingsCache, BackfillJobs],
})
export class MappingsModule {}

/** Worker role: the profile mapping backfill (Bull queue `maintenance`). */
@Module({
  imports: [QueuesModule.forFeature(QueueName.Maintenance)],
  providers: [ProfileMappingsBackfillProcessor],
})
export class MappingsWorkerModule {}
