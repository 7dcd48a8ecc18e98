import { Global, Module } from '@nestjs/common';
import { RescoreRecorder } from '../scoring';
import { CommandBusRescoreRecorder } from './commands/rescore-leads/command-bus-rescore-recorder';

/**
 * What the leads module implements for modules it depends on (ports they declare): global, so the scoring
 * worker gets a RescoreRecorder without importing the leads module back.
 */
@Global()
@Module({
  providers: [{ provide: RescoreRecorder, useClass: CommandBusRescoreRecorder }],
  exports: [RescoreRecorder],
})
export class LeadPortsModule {}
