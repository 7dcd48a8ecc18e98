import { Module } from '@nestjs/common';
import { QueueName, QueuesModule } from '../../platform/queues';
import { SegmentsController } from './http/segments.controller';
import { RecomputeSegmentProcessor } from './membership/recompute.processor';
import { SegmentMembershipProjection } from './membership/segment-membership.projection';
import { SegmentsRefreshJob } from './membership/segments-refresh.job';
import { SegmentsService } from './segments.service';

/** Segments (configuration, HTTP, reads of members) and the projection that keeps members current (SEG-5). */
@Module({
  imports: [QueuesModule.forFeature(QueueName.Segments)],
  controllers: [SegmentsController],
  providers: [SegmentsService, SegmentMembershipProjection],
  exports: [SegmentsService],
})
export class SegmentsModule {}

/**
 * Worker role: the background recompute of a segment's members after its configuration changed, and the hourly
 * `segments.refresh` of segments whose level or account rules can change without a lead event.
 */
@Module({
  imports: [QueuesModule.forFeature(QueueName.Segments)],
  providers: [RecomputeSegmentProcessor, SegmentsRefreshJob],
})
export class SegmentsWorkerModule {}
