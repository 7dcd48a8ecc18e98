import { Module } from '@nestjs/common';
import { QueueName, QueuesModule } from '../../platform/queues';
import { SegmentsController } from './http/segments.controller';
import { RecomputeSegmentProcessor } from './membership/recompute.processor';
import { SegmentMembershipProjection } from './membership/segment-membership.projection';
import { SegmentsService } from './segments.service';

/** Segments (configuration, HTTP, reads of members) and the projection that keeps members current (SEG-5). */
@Module({
  imports: [QueuesModule.forFeature(QueueName.Segments)],
  controllers: [SegmentsController],
  providers: [SegmentsService, SegmentMembershipProjection],
  exports: [SegmentsService],
})
export class SegmentsModule {}

/** Worker role: the background recompute of a segment's members after its configuration changed. */
@Module({
  imports: [QueuesModule.forFeature(QueueName.Segments)],
  providers: [RecomputeSegmentProcessor],
})
export class SegmentsWorkerModule {}
