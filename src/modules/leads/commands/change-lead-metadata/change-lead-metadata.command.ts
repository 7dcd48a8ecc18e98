import type { LeadMetadataChangedPayload } from '../../domain/lead-events';
import { Command } from '@nestjs/cqrs';
import type { LeadRecord } from '../../lead-record';

/** A metadata change as the HTTP layer states it: `set` merged (or replacing), `removed` dropped. */
export interface MetadataChange {
  set: Record<string, unknown>;
  removed: string[];
  replace: boolean;
  account_id?: string | null;
  silent: boolean;
  /** Recorded on the event when the change was not a direct edit (see LeadMetadataChangedPayload.cause). */
  cause?: LeadMetadataChangedPayload['cause'];
}

/** LEAD-5/6/10 on one live lead; answers the lead as stored afterwards. */
export class ChangeLeadMetadataCommand extends Command<LeadRecord> {
  constructor(
    readonly leadRef: string,
    readonly change: MetadataChange,
  ) {
    super();
  }
}
