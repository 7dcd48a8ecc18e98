import { Module } from '@nestjs/common';
import { ScoringModule } from '../scoring/scoring.module';
import { LeadReadsController } from './http/lead-reads.controller';
import { LeadReadsService } from './lead-reads.service';
import { LeadIdentityProjection } from './projections/lead-identity.projection';

/** Leads: the event-sourced Lead aggregate and its identity read model (leads, aliases). */
@Module({
  imports: [ScoringModule],
  // LeadReadsController first: its static paths (/leads/export, /leads/search) must be routed before any /leads/:leadID.
  controllers: [LeadReadsController],
  providers: [LeadIdentityProjection, LeadReadsService],
})
export class LeadsModule {}
