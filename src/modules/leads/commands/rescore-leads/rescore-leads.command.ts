import { Command } from '@nestjs/cqrs';
import { EventMetadata } from '../../../../platform/event-store';
import type { LeadEventRescore } from '../../../scoring/domain';

export type { LeadEventRescore };

/** score-now: records, on each lead's stream, how a ruleset now scores its events (one transaction per chunk). */
export class RescoreLeadsCommand extends Command<void> {
  constructor(
    /** lead ref → its changed events */
    readonly changes: ReadonlyMap<string, LeadEventRescore[]>,
    readonly rulesetId: string,
    readonly jobId: string,
    readonly metadata: EventMetadata,
  ) {
    super();
  }
}
