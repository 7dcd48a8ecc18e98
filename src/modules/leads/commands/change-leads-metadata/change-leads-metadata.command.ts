import { Command } from '@nestjs/cqrs';
import type { EventMetadata } from '../../../../platform/event-store';
import type { MetadataChange } from '../change-lead-metadata/change-lead-metadata.command';

/**
 * Metadata changes of many live leads in one transaction (a backfill chunk), each decided from the lead's current
 * metadata under its lock, so a change made meanwhile (an ingest) is never overwritten with a stale reading. `decide`
 * answers null for no change. Deleted or merged leads are skipped; so is a change that would take a lead's metadata
 * over its size bound. Answers the refs of the leads whose metadata changed.
 */
export class ChangeLeadsMetadataCommand extends Command<{ changed: string[]; too_large: string[] }> {
  constructor(
    readonly leadRefs: string[],
    readonly decide: (leadRef: string, metadata: Readonly<Record<string, unknown>>) => MetadataChange | null,
    readonly eventMetadata: EventMetadata,
    readonly at: Date,
  ) {
    super();
  }
}
