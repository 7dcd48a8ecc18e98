import { Module } from '@nestjs/common';
import { AnalyticsController } from './http/analytics.controller';
import { ScoreSnapshotJob } from './jobs/score-snapshot.job';
import { CampaignsQuery } from './queries/campaigns.query';
import { DealAttributionQuery } from './queries/deal-attribution.query';
import { EventAnalyticsQuery } from './queries/event-analytics.query';
import { LeadRankingsQuery } from './queries/lead-rankings.query';

/** Read-only analytics over the read models (HTTP). */
@Module({
  controllers: [AnalyticsController],
  providers: [EventAnalyticsQuery, LeadRankingsQuery, DealAttributionQuery, CampaignsQuery],
})
export class AnalyticsModule {}

/** Worker role: the hourly `scores.snapshot` job (score history). */
@Module({ providers: [ScoreSnapshotJob], exports: [ScoreSnapshotJob] })
export class AnalyticsWorkerModule {}
