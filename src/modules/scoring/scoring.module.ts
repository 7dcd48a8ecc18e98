import { Module } from '@nestjs/common';
import { QueueName, QueuesModule } from '../../platform/queues';
import { EngagementDryRunService } from './dry-run/engagement-dry-run.service';
import { EngagementScoringController } from './http/engagement-scoring.controller';
import { FitReads } from './fit/fit-reads.service';
import { ProfileScoring } from './fit/profile-scoring.service';
import { ProfileRulesChangedHandler } from './fit/profile-rules-changed.handler';
import { FitScoringController } from './http/fit-scoring.controller';
import { ScoresController } from './http/scores.controller';
import { ScoringSettingsController } from './http/scoring-settings.controller';
import { SurgeSessionPolicyController } from './http/surge-session-policy.controller';
import { LeadScoreQuery } from './queries/lead-score.query';
import { ScoreReader } from './queries/score-reader.service';
import { LeadScoreRefresher, RescoreProcessor } from './rescore.processor';
import { RescoreService } from './rescore.service';
import { ScoreNowService } from './rescoring/score-now.service';
import { ScoringSettingsService } from './settings/scoring-settings.service';
import { SurgeSessionPolicyService } from './settings/surge-session-policy.service';
import { ScoringSetupService } from './setup/scoring-setup.service';

/** Scores: reads, settings (surge session policy included), dry run, score-now. The pure scoring core lives in ./domain. */
@Module({
  imports: [QueuesModule.forFeature(QueueName.Rescore)],
  controllers: [ScoresController, ScoringSettingsController, EngagementScoringController, SurgeSessionPolicyController, FitScoringController],
  providers: [
    ScoringSetupService,
    ScoreReader,
    LeadScoreQuery,
    ScoringSettingsService,
    SurgeSessionPolicyService,
    EngagementDryRunService,
    ScoreNowService,
    ProfileScoring,
    FitReads,
    ProfileRulesChangedHandler,
  ],
  exports: [ScoringSetupService, ScoreReader, ProfileScoring, FitReads],
})
export class ScoringModule {}

/** Worker role: score-now, organization-wide refreshes and the hourly refresh of decaying scores. */
@Module({
  imports: [ScoringModule, QueuesModule.forFeature(QueueName.Rescore)],
  providers: [RescoreService, RescoreProcessor, LeadScoreRefresher],
})
export class ScoringWorkerModule {}
