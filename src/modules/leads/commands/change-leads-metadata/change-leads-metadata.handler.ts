import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { AggregateRepository } from '../../../../platform/event-store';
import { MAX_METADATA_BYTES, metadataBytes } from '../../domain/lead-metadata';
import { changeLiveLeads } from '../../lead-lock';
import { ChangeLeadsMetadataCommand } from './change-leads-metadata.command';

@CommandHandler(ChangeLeadsMetadataCommand)
export class ChangeLeadsMetadataHandler implements ICommandHandler<ChangeLeadsMetadataCommand, { changed: string[]; too_large: string[] }> {
  constructor(private readonly repo: AggregateRepository) {}

  async execute({ leadRefs, decide, eventMetadata, at }: ChangeLeadsMetadataCommand): Promise<{ changed: string[]; too_large: string[] }> {
    let changed: string[] = [];
    let tooLarge: string[] = [];
    await changeLiveLeads(this.repo, leadRefs, eventMetadata, (leads) => {
      // a retried transaction decides again from fresh state
      changed = [];
      tooLarge = [];
      for (const [ref, lead] of leads) {
        const change = decide(ref, lead.metadata);
        if (!change) continue;
        const next = change.replace ? { ...change.set } : { ...lead.metadata, ...change.set };
        for (const k of change.removed) delete next[k];
        if (metadataBytes(next) > MAX_METADATA_BYTES) {
          tooLarge.push(ref);
          continue;
        }
        const before = lead.uncommitted.length;
        lead.changeMetadata(
          { set: change.set, removed: change.removed, replace: change.replace, silent: change.silent, ...(change.cause ? { cause: change.cause } : {}) },
          at,
        );
        if (lead.uncommitted.length !== before) changed.push(ref);
      }
    });
    return { changed, too_large: tooLarge };
  }
}
