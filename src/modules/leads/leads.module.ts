import { Module } from '@nestjs/common';
import { ScoringModule } from '../scoring/scoring.module';
import { LeadExplainController, PublicExplainController } from './explain/lead-explain.controller';
import { LeadExplainService } from './explain/lead-explain.service';
import { ShareLinksService } from './explain/share-links.service';
import { LeadReadsController } from './http/lead-reads.controller';
import { LeadReadsService } from './lead-reads.service';
import { LeadMergeController } from './merge/lead-merge.controller';
import { LeadMergeService } from './merge/lead-merge.service';
import { LeadResetService } from './merge/lead-reset.service';
import { LeadIdentityProjection } from './projections/lead-identity.projection';

/**
 * Leads: the event-sourced Lead aggregate and its identity read model (leads, aliases); lists, search and export;
 * merges, score resets, explanations and share links. Controllers with static paths under /leads (export, search,
 * merge, why) are listed before any `/leads/:leadID` route so that Express matches them first.
 */
@Module({
  imports: [ScoringModule],
  controllers: [LeadReadsController, LeadMergeController, LeadExplainController, PublicExplainController],
  providers: [LeadIdentityProjection, LeadReadsService, LeadMergeService, LeadResetService, LeadExplainService, ShareLinksService],
})
export class LeadsModule {}
