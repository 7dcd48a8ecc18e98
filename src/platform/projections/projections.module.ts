import { Global, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { ProjectionRebuilder } from './projection-rebuilder.service';
import { ProjectionRegistry } from './projection.registry';
import { ProjectionRunner } from './projection-runner.service';
import { StreamSummariesProjection } from './stream-summaries.projection';

@Global()
@Module({
  imports: [DiscoveryModule],
  providers: [ProjectionRegistry, ProjectionRunner, ProjectionRebuilder, StreamSummariesProjection],
  exports: [ProjectionRegistry, ProjectionRunner, ProjectionRebuilder],
})
export class ProjectionsModule {}
