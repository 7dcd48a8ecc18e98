import { Module } from '@nestjs/common';
import { QueueName } from '../../platform/queues/queue-names';
import { QueuesModule } from '../../platform/queues/queues.module';
import { EngagementScoringController, ScoresController, ScoringSettingsController } from './http/scoring.controller';
import { LeadScoreRefresher, RescoreProcessor } from './rescore.processor';
import { RescoreService } from './rescore.service';
import { ScoreReader } from './score-reader.service';
import { ScoringSetupService } from './setup/scoring-setup.service';

/** Scores: reads, settings, dry run, score-now. The pure scoring core lives in ./domain. */
@Module({
  imports: [QueuesModule.forFeature(QueueName.Rescore)],
  controllers: [ScoresController, ScoringSettingsController, EngagementScoringController],
  providers: [ScoringSetupService, ScoreReader],
  exports: [ScoringSetupService, ScoreReader],
})
export class ScoringModule {}

/** Worker role: score-now, organization-wide refreshes and the hourly refresh of decaying scores. */
@Module({
  imports: [ScoringModule, QueuesModule.forFeature(QueueName.Rescore)],
  providers: [RescoreService, RescoreProcessor, LeadScoreRefresher],
})
export class ScoringWorkerModule {}
