import { Logger } from '@nestjs/common';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { EntityManager } from 'typeorm';
import { Clock } from '../../../../platform/clock';
import { isUniqueViolation } from '../../../../platform/database';
import { AggregateRepository, EventMetadata, uuidv7 } from '../../../../platform/event-store';
import { aliasKey, normaliseAlias } from '../../domain/alias-normalisation';
import { Alias, AliasKind } from '../../domain/lead-events';
import { Lead } from '../../domain/lead.aggregate';
import { ImportLeadRowsCommand, LeadImportMapping, LeadImportOutcome, LeadImportRow } from './import-lead-rows.command';
import { loadImportIdentity } from './import-identity';

const MAX_VALUE_LENGTH = 320;
const MAX_LEAD_ID_LENGTH = 200;

/**
 * LIMP-2 for one chunk: finds each row's lead by the primary identifier (an alias of that kind, or the public
 * lead id) or creates it, merges the mapped fields into its metadata (silently: no timeline entry) and attaches
 * the mapped aliases (never taking one that another lead owns). One transaction, re-decided from a fresh read
 * when another writer created the same lead or alias first; re-running an import finds the leads it created.
 */
@CommandHandler(ImportLeadRowsCommand)
export class ImportLeadRowsHandler implements ICommandHandler<ImportLeadRowsCommand, LeadImportOutcome> {
  private readonly log = new Logger('LeadImport');

  constructor(
    private readonly repo: AggregateRepository,
    private readonly clock: Clock,
  ) {}

  async execute({ rows, mapping, metadata, alsoInTransaction }: ImportLeadRowsCommand): Promise<LeadImportOutcome> {
    return this.repo.transaction(
      async (m) => {
        const outcome = await this.decide(mapping, rows, metadata, m);
        await alsoInTransaction(m, outcome);
        return outcome;
      },
      {
        retryAlso: isUniqueViolation, // another writer created the same lead or alias first
        onRetry: (_err, attempt) =>
          this.log.debug({ msg: 'lead import chunk conflicted with another writer; retrying', correlation_id: metadata.correlation_id, attempt }),
      },
    );
  }

  private async decide(job: LeadImportMapping, rows: readonly LeadImportRow[], metadata: EventMetadata, m: EntityManager): Promise<LeadImportOutcome> {
    const now = this.clock.now();
    const outcome: LeadImportOutcome = { created: 0, updated: 0, errors: [] };
    const byLeadId = job.primary_kind === 'lead_id';
    const aliasColumns = Object.entries(job.alias_mappings ?? {});
    const fieldColumns = Object.entries(job.field_mappings ?? {});

    // every identifier the chunk mentions, resolved in two queries
    const wantedAliases: Alias[] = [];
    const wantedLeadIds: string[] = [];
    for (const r of rows) {
      const primary = (r.values[job.primary_column] ?? '').trim();
      if (primary) {
        if (byLeadId) wantedLeadIds.push(primary);
        else wantedAliases.push(normaliseAlias(job.primary_kind as AliasKind, primary));
      }
      for (const [col, kind] of aliasColumns) {
        const v = (r.values[col] ?? '').trim();
        if (v) wantedAliases.push(normaliseAlias(kind, v));
      }
    }
    const identity = await loadImportIdentity(m, job.unit_id, wantedAliases, wantedLeadIds);

    const created = new Map<string, string>(); // ref → lead_id
    const ops: { ref: string; set: Record<string, unknown>; attach: Alias[] }[] = [];
    for (const r of rows) {
      const fail = (reason: string, column?: string) => outcome.errors.push({ row: r.line, ...(column !== undefined ? { column } : {}), reason });
      const primary = (r.values[job.primary_column] ?? '').trim();
      if (!primary) {
        fail(`the primary identifier column '${job.primary_column}' is empty`, job.primary_column);
        continue;
      }
      if (primary.length > (byLeadId ? MAX_LEAD_ID_LENGTH : MAX_VALUE_LENGTH)) {
        fail(`the primary identifier is longer than ${byLeadId ? MAX_LEAD_ID_LENGTH : MAX_VALUE_LENGTH} characters`, job.primary_column);
        continue;
      }
      const primaryAlias = byLeadId ? null : normaliseAlias(job.primary_kind as AliasKind, primary);
      let ref = byLeadId ? identity.refOfLeadId.get(primary) : identity.refOfAlias.get(aliasKey(primaryAlias!));
      if (ref !== undefined && identity.inactive.has(ref)) {
        fail(`lead ${identity.leadIdOfRef.get(ref)} is not active`, job.primary_column);
        continue;
      }
      const attach: Alias[] = [];
      const isNew = ref === undefined;
      if (ref === undefined) {
        ref = uuidv7();
        const leadId = byLeadId ? primary : `ld_${ref.replace(/-/g, '').slice(-20)}`;
        created.set(ref, leadId);
        identity.leadIdOfRef.set(ref, leadId);
        if (byLeadId) identity.refOfLeadId.set(primary, ref);
        else {
          identity.refOfAlias.set(aliasKey(primaryAlias!), ref);
          attach.push(primaryAlias!);
        }
      }
      const set: Record<string, unknown> = {};
      for (const [col, field] of fieldColumns) {
        const v = (r.values[col] ?? '').trim();
        if (v !== '') set[field] = v;
      }
      for (const [col, kind] of aliasColumns) {
        const raw = (r.values[col] ?? '').trim();
        if (!raw) continue;
        if (raw.length > MAX_VALUE_LENGTH) {
          fail(`the ${kind} alias is longer than ${MAX_VALUE_LENGTH} characters`, col);
          continue;
        }
        const alias = normaliseAlias(kind, raw);
        const owner = identity.refOfAlias.get(aliasKey(alias));
        if (owner === undefined) {
          identity.refOfAlias.set(aliasKey(alias), ref);
          attach.push(alias);
        } else if (owner !== ref) {
          fail(`${kind} alias '${alias.value}' belongs to another lead (${identity.leadIdOfRef.get(owner) ?? 'unknown'}); not moved`, col);
        }
      }
      ops.push({ ref, set, attach });
      if (isNew) outcome.created++;
      else outcome.updated++;
    }

    const existing = [...new Set(ops.map((o) => o.ref).filter((r) => !created.has(r)))];
    const leads = await this.repo.loadMany(Lead, existing, m);
    for (const ref of created.keys()) leads.set(ref, new Lead(ref));
    for (const op of ops) {
      const lead = leads.get(op.ref)!;
      if (!lead.exists) lead.create({ lead_id: created.get(op.ref)!, metadata: op.set, account_id: null, source: 'import' }, now);
      else if (Object.keys(op.set).length) lead.changeMetadata({ set: op.set, removed: [], replace: false, silent: true }, now);
      for (const a of op.attach) lead.attachAlias(a, now);
    }
    await this.repo.saveMany([...leads.values()], metadata, m);
    return outcome;
  }
}
