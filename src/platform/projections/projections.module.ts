import { Global, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { InlineProjections } from './inline-projections.service';
import { ProjectionRebuilder } from './projection-rebuilder.service';
import { ProjectionStatusReader } from './projection-status.reader';
import { ProjectionRegistry } from './projection.registry';
import { ProjectionRunner } from './projection-runner.service';
import { StreamSummariesProjection } from './stream-summaries.projection';

@Global()
@Module({
  imports: [DiscoveryModule],
  providers: [ProjectionRegistry, ProjectionRunner, ProjectionRebuilder, InlineProjections, StreamSummariesProjection, ProjectionStatusReader],
  exports: [ProjectionRegistry, ProjectionRunner, ProjectionRebuilder, InlineProjections, ProjectionStatusReader],
})
export class ProjectionsModule {}
