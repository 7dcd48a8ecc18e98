import { Module } from '@nestjs/common';
import { QueueName, QueuesModule } from '../../platform/queues';
import { ScoringModule } from '../scoring';
import { LEAD_COMMAND_HANDLERS } from './commands';
import { LeadPortsModule } from './lead-ports.module';
import { LeadDeletionProcessor } from './deletion/lead-deletion.processor';
import { LeadEraser } from './deletion/lead-eraser.service';
import { LeadExplainController, PublicExplainController } from './explain/lead-explain.controller';
import { LeadExplainService } from './explain/lead-explain.service';
import { ShareLinksService } from './explain/share-links.service';
import { LeadReadsController } from './http/lead-reads.controller';
import { LeadByAliasController } from './http/lead-by-alias.controller';
import { LeadDeletionController } from './http/lead-deletion.controller';
import { LeadMetadataController } from './http/lead-metadata.controller';
import { LeadOwnerController } from './http/lead-owner.controller';
import { LeadsController } from './http/leads.controller';
import { LeadReadsService } from './lead-reads.service';
import { LeadBatchScores } from './reads/lead-batch-scores.service';
import { LeadsService } from './leads.service';
import { LeadMergeController } from './merge/lead-merge.controller';
import { LeadIdentityProjection } from './projections/lead-identity.projection';

/**
 * Leads: the event-sourced Lead aggregate and its identity read model (leads, aliases); the identity API; lists,
 * search and export; merges, score resets, explanations and share links. Controllers with static paths under
 * /leads (export, search, scores, merge, why) are listed before any `/leads/:leadID` route (Fastify's router
 * prefers a static segment to a parameter whatever the order; the order still reads as the precedence).
 */
@Module({
  imports: [ScoringModule, LeadPortsModule, QueuesModule.forFeature(QueueName.LeadDeletion)],
  controllers: [
    LeadReadsController,
    LeadMergeController,
    LeadExplainController,
    PublicExplainController,
    LeadByAliasController,
    LeadsController,
    LeadMetadataController,
    LeadOwnerController,
    LeadDeletionController,
  ],
  providers: [LeadIdentityProjection, LeadsService, LeadReadsService, LeadBatchScores, LeadExplainService, ShareLinksService, ...LEAD_COMMAND_HANDLERS],
  exports: [LeadsService, LeadExplainService],
})
export class LeadsModule {}

/** Worker role: erasure of deleted leads (LEAD-18). */
@Module({
  imports: [QueuesModule.forFeature(QueueName.LeadDeletion)],
  providers: [LeadEraser, LeadDeletionProcessor],
})
export class LeadsWorkerModule {}
