import { Command } from '@nestjs/cqrs';
import type { LeadRecord } from '../../lead-record';

/** LEAD-3: a new lead (source `api`) in the active OU. */
export class CreateLeadCommand extends Command<LeadRecord> {
  constructor(readonly input: { id: string; metadata: Record<string, unknown>; account_id: string | null }) {
    super();
  }
}
