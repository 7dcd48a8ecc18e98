import { Module } from '@nestjs/common';
import { QueueName } from '../../platform/queues/queue-names';
import { QueuesModule } from '../../platform/queues/queues.module';
import { ScoringModule } from '../scoring/scoring.module';
import { LeadDeletionProcessor } from './deletion/lead-deletion.processor';
import { LeadEraser } from './deletion/lead-eraser.service';
import { LeadsController } from './http/leads.controller';
import { LeadsService } from './leads.service';
import { LeadIdentityProjection } from './projections/lead-identity.projection';

/** Leads: the event-sourced Lead aggregate, its identity read model (leads, aliases) and the identity API. */
@Module({
  imports: [ScoringModule, QueuesModule.forFeature(QueueName.LeadDeletion)],
  controllers: [LeadsController],
  providers: [LeadIdentityProjection, LeadsService],
  exports: [LeadsService],
})
export class LeadsModule {}

/** Worker role: erasure of deleted leads (LEAD-18). */
@Module({
  imports: [QueuesModule.forFeature(QueueName.LeadDeletion)],
  providers: [LeadEraser, LeadDeletionProcessor],
})
export class LeadsWorkerModule {}
