import { Global, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { InlineProjections } from './inline-projections.service';
import { ProjectionLagMetrics } from './projection-lag.metrics';
import { ProjectionRebuilder } from './projection-rebuilder.service';
import { ProjectionStatusReader } from './projection-status.reader';
import { ProjectionRegistry } from './projection.registry';
import { ProjectionRunner } from './projection-runner.service';
import { StreamSummariesProjection } from './stream-summaries.projection';

@Global()
@Module({
  imports: [DiscoveryModule],
  providers: [
    ProjectionRegistry,
    ProjectionRunner,
    ProjectionRebuilder,
    InlineProjections,
    StreamSummariesProjection,
    ProjectionStatusReader,
    ProjectionLagMetrics,
  ],
  exports: [ProjectionRegistry, ProjectionRunner, ProjectionRebuilder, InlineProjections, ProjectionStatusReader],
})
export class ProjectionsModule {}
