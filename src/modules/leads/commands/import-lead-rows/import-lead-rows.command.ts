import { Command } from '@nestjs/cqrs';
import { EntityManager } from 'typeorm';
import { EventMetadata } from '../../../../platform/event-store';
import { AliasKind } from '../../domain/lead-events';

/** One CSV row: its line number and its values by column. */
export interface LeadImportRow {
  line: number;
  values: Record<string, string>;
}

/** How the rows map onto leads: the primary identifier column and kind, fields into metadata, alias columns. */
export interface LeadImportMapping {
  unit_id: string;
  primary_column: string;
  primary_kind: AliasKind | 'lead_id';
  field_mappings: Record<string, string>;
  alias_mappings: Record<string, AliasKind>;
}

export interface LeadImportRowError {
  row: number;
  column?: string;
  reason: string;
}

export interface LeadImportOutcome {
  created: number;
  updated: number;
  errors: LeadImportRowError[];
}

/**
 * LIMP-2: a chunk of rows into leads, in one transaction. `alsoInTransaction` runs in that same transaction
 * after the leads are saved (the import's progress counters), so that a retried import resumes exactly after
 * the last committed chunk; it runs again when the transaction is retried.
 */
export class ImportLeadRowsCommand extends Command<LeadImportOutcome> {
  constructor(
    readonly rows: readonly LeadImportRow[],
    readonly mapping: LeadImportMapping,
    readonly metadata: EventMetadata,
    readonly alsoInTransaction: (m: EntityManager, outcome: LeadImportOutcome) => Promise<void> = async () => undefined,
  ) {
    super();
  }
}
