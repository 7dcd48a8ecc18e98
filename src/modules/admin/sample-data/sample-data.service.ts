import { Injectable, Logger } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { Clock } from '../../../platform/clock';
import { selectRows, sql } from '../../../platform/database';
import { AppError } from '../../../platform/http';
import { currentUnit, unitScope } from '../../../platform/tenancy';
import { AccountCommands } from '../../accounts';
import { IngestIntake } from '../../ingestion';
import { CreateLeadCommand, LeadsService } from '../../leads';
import { LevelsService } from '../../levels';
import { AddRuleCommand, CreateRulesetCommand, DeleteRulesetCommand, RemoveRuleCommand } from '../../rulesets';
import { ENGAGEMENT } from '../../scoring';
import { CreateTriggerCommand, DeleteTriggerCommand } from '../../triggers';
import { SegmentsService } from '../../segments';
import {
  SAMPLE_LEVELS,
  SAMPLE_RULES,
  SAMPLE_RULESET,
  SAMPLE_SEGMENT,
  SAMPLE_SEGMENT_RULES,
  SAMPLE_TRIGGER,
  SampleEvent,
  samplePlan,
  sampleDay,
} from './sample-catalog';
import { SampleDataErrors } from './sample-data.errors';

/** Kinds of entity the sample records (sample_data_items.kind). */
export type SampleKind = 'lead' | 'account' | 'ruleset' | 'rule' | 'level' | 'trigger' | 'segment';

export interface SeedOutcome {
  message: string;
  output: string;
}

export interface WipeCounts {
  leads: number;
  events: number;
  accounts: number;
  rulesets: number;
  rules: number;
  levels: number;
  triggers: number;
  segments: number;
}

/** Leads are created this many at a time (each its own command and transaction). */
const LEAD_CONCURRENCY = 8;
/** Events are handed to the ingest intake in requests of at most this many (its per-request bound). */
const EVENTS_PER_INTAKE = 1000;

/**
 * ADM-4: the sample data of the active OU. `seed` builds it through the product's own commands (ruleset and rules,
 * engagement levels, a milestone trigger, leads) and sends its events through the ingest intake, so that scores,
 * levels, accounts and every read model come from the real pipeline; each entity is recorded in
 * `sample_data_items` the moment it exists (a seed that fails half-way is still wiped exactly). `wipe` removes the
 * recorded entities through each module's delete path and nothing else.
 */
@Injectable()
export class SampleDataService {
  private readonly log = new Logger('SampleData');

  constructor(
    private readonly ds: DataSource,
    private readonly commands: CommandBus,
    private readonly clock: Clock,
    private readonly levels: LevelsService,
    private readonly leads: LeadsService,
    private readonly accounts: AccountCommands,
    private readonly intake: IngestIntake,
    private readonly segments: SegmentsService,
  ) {}

  async seed(): Promise<SeedOutcome> {
    return this.exclusively(async () => {
      const started = Date.now();
      const { unitId } = currentUnit();
      const present = await selectRows<{ n: number }>(this.ds, sql`SELECT count(*)::int AS n FROM sample_data_items WHERE ${unitScope()}`);
      if (present[0].n > 0) {
        throw SampleDataErrors.error('sample_data_present', 'the active OU already holds sample data: DELETE /admin/seed first to replace it');
      }
      const day = sampleDay(this.clock.now());
      const plan = samplePlan(day);
      const taken = await selectRows<{ lead_id: string; status: string }>(
        this.ds,
        sql`SELECT lead_id, status FROM leads WHERE ${unitScope()} AND lead_id = ANY(${plan.leads.map((l) => l.lead_id)}::text[]) ORDER BY lead_id LIMIT 1`,
      );
      if (taken.length) {
        throw taken[0].status === 'deleting'
          ? SampleDataErrors.error('sample_data_busy', 'the previous sample data is still being erased; retry in a few seconds')
          : SampleDataErrors.error('sample_data_present', `lead ${taken[0].lead_id} of the active OU already uses a sample lead id`);
      }

      // scoring configuration: a ruleset that never takes the primary flag from a customer's ruleset (the OU's first
      // engagement ruleset is primary by the product's rule), its rules, and its levels
      const { rulesetId } = await this.commands.execute(
        new CreateRulesetCommand({ ...SAMPLE_RULESET, is_primary: false, active: true, start_date: null, end_date: null }, ENGAGEMENT),
      );
      await this.record('ruleset', [rulesetId]);
      for (const r of SAMPLE_RULES) {
        const { ruleId } = await this.commands.execute(
          new AddRuleCommand(rulesetId, { ...r, filters: [...r.filters], active: true, start_at: null, end_at: null }, ENGAGEMENT),
        );
        await this.record('rule', [ruleId]);
      }
      for (const [order, level] of SAMPLE_LEVELS.entries()) {
        const view = await this.levels.create(ENGAGEMENT, { ...level, order, ruleset_id: rulesetId });
        await this.record('level', ['stage_id' in view ? view.stage_id : view.level_id]);
      }
      const { triggerId } = await this.commands.execute(new CreateTriggerCommand('milestone', { ...SAMPLE_TRIGGER, event_type: '' }));
      await this.record('trigger', [triggerId]);
      const segment = await this.segments.createWithRules(
        SAMPLE_SEGMENT,
        SAMPLE_SEGMENT_RULES.map((r) => ({ ...r })),
      );
      await this.record('segment', [segment.segment_id]);

      // leads with their profile metadata (aliases come with their events, as a customer's tracking sends them)
      for (let i = 0; i < plan.leads.length; i += LEAD_CONCURRENCY) {
        const chunk = plan.leads.slice(i, i + LEAD_CONCURRENCY);
        await Promise.all(chunk.map((l) => this.commands.execute(new CreateLeadCommand({ id: l.lead_id, metadata: l.metadata, account_id: null }))));
        await this.record(
          'lead',
          chunk.map((l) => l.lead_id),
        );
      }
      // the accounts the product will group these leads into (ABM on), unless the OU already had them
      const existing = await selectRows<{ account_id: string }>(
        this.ds,
        sql`SELECT account_id FROM accounts WHERE ${unitScope()} AND account_id = ANY(${plan.account_ids}::text[])`,
      );
      const had = new Set(existing.map((a) => a.account_id));
      await this.record(
        'account',
        plan.account_ids.filter((id) => !had.has(id)),
      );

      // events through the ingest intake (source import, triggers skipped): scored by the worker like any import
      for (let i = 0; i < plan.events.length; i += EVENTS_PER_INTAKE) {
        await this.intake.ingest(plan.events.slice(i, i + EVENTS_PER_INTAKE).map(toIngestEvent), { source: 'import', skipTriggers: true });
      }

      const ms = Date.now() - started;
      const output = [
        `Sample data for ${day.toISOString().slice(0, 10)} (events over the previous 30 days):`,
        `- ruleset '${SAMPLE_RULESET.name}' (${rulesetId}) with ${SAMPLE_RULES.length} rules`,
        `- engagement levels: ${SAMPLE_LEVELS.map((l) => l.name).join(', ')}`,
        `- milestone trigger '${SAMPLE_TRIGGER.name}' (${triggerId}), inactive, no destination`,
        `- segment '${SAMPLE_SEGMENT.name}' (${segment.segment_id}) with ${SAMPLE_SEGMENT_RULES.length} rules`,
        `- ${plan.leads.length} leads with e-mail aliases and profile metadata, from ${plan.account_ids.length} companies (grouped into accounts when ABM is on)`,
        `- ${plan.events.length} events queued (page views, e-mail opens and clicks, form submits, webinars, demo requests); scores and levels follow within seconds`,
        `Remove it all with DELETE /admin/seed.`,
      ].join('\n');
      this.log.log({ msg: 'sample data seeded', unit_id: unitId, leads: plan.leads.length, events: plan.events.length, ms });
      return { message: 'sample data seeded', output };
    });
  }

  /**
   * Removes what the sample recorded, each through its module: leads by the lead deletion (LEAD-18: hidden at once,
   * erased with their events, aliases and read rows by the worker), levels, the ruleset (or only its sample rules when a
   * customer added rules of their own to it), the trigger, and the accounts no customer lead belongs to.
   */
  async wipe(): Promise<WipeCounts> {
    return this.exclusively(async () => {
      const { unitId } = currentUnit();
      const items = await selectRows<{ kind: SampleKind; entity_id: string }>(
        this.ds,
        sql`SELECT kind, entity_id FROM sample_data_items WHERE ${unitScope()} ORDER BY kind, entity_id`,
      );
      const ids = (kind: SampleKind) => items.filter((i) => i.kind === kind).map((i) => i.entity_id);
      const counts: WipeCounts = { leads: 0, events: 0, accounts: 0, rulesets: 0, rules: 0, levels: 0, triggers: 0, segments: 0 };

      const segments = await selectRows<{ id: string }>(
        this.ds,
        sql`SELECT id FROM segments WHERE ${unitScope()} AND id = ANY(${ids('segment')}::text[]) ORDER BY id`,
      );
      for (const s of segments) await this.segments.remove(s.id);
      counts.segments = segments.length;

      const triggers = await selectRows<{ id: string; kind: 'milestone' | 'sequence' | 'pattern' }>(
        this.ds,
        sql`SELECT id, kind FROM triggers WHERE ${unitScope()} AND id = ANY(${ids('trigger')}::text[]) ORDER BY id`,
      );
      for (const t of triggers) await this.commands.execute(new DeleteTriggerCommand(t.kind, t.id));
      counts.triggers = triggers.length;

      counts.levels = await this.levels.removeMany(ENGAGEMENT, ids('level'));

      const sampleRules = new Set(ids('rule'));
      const rulesets = await selectRows<{ id: string; rule_ids: string[] }>(
        this.ds,
        sql`SELECT r.id, coalesce(array_agg(x.id ORDER BY x.id) FILTER (WHERE x.id IS NOT NULL), '{}') AS rule_ids
              FROM rulesets r LEFT JOIN rules x ON x.ruleset_id = r.id
             WHERE ${unitScope('r')} AND r.id = ANY(${ids('ruleset')}::text[]) GROUP BY r.id ORDER BY r.id`,
      );
      for (const rs of rulesets) {
        const ours = rs.rule_ids.filter((id) => sampleRules.has(id));
        if (ours.length === rs.rule_ids.length) {
          await this.commands.execute(new DeleteRulesetCommand(rs.id, ENGAGEMENT));
          counts.rulesets++;
        } else {
          // a customer's rule lives in the sample ruleset: it and its ruleset stay, the sample rules go
          for (const id of ours) await this.commands.execute(new RemoveRuleCommand(id, ENGAGEMENT));
        }
        counts.rules += ours.length;
      }

      // accounts: only those that hold no customer lead
      const leadIds = ids('lead');
      const accounts = await selectRows<{ account_id: string }>(
        this.ds,
        sql`SELECT a.account_id FROM accounts a
             WHERE ${unitScope('a')} AND a.account_id = ANY(${ids('account')}::text[]) AND a.archived_at IS NULL
               AND NOT EXISTS (SELECT 1 FROM leads l WHERE l.account_ref = a.id AND l.status = 'active' AND NOT (l.lead_id = ANY(${leadIds}::text[])))
             ORDER BY a.account_id`,
      );
      if (accounts.length) counts.accounts = (await this.accounts.deleteMany(accounts.map((a) => a.account_id))).accounts_deleted;

      // leads last: their events are counted, then the lead deletion hides them and queues their erasure
      const live = await selectRows<{ lead_id: string; events: number }>(
        this.ds,
        sql`SELECT l.lead_id, (SELECT count(*)::int FROM lead_events e WHERE e.lead_ref = l.id) AS events
              FROM leads l WHERE ${unitScope('l')} AND l.lead_id = ANY(${leadIds}::text[]) AND l.status = 'active' ORDER BY l.lead_id`,
      );
      for (const l of live) await this.leads.requestDeletion(l.lead_id);
      counts.leads = live.length;
      counts.events = live.reduce((n, l) => n + l.events, 0);

      await this.ds.query(`DELETE FROM sample_data_items WHERE unit_id = $1`, [unitId]);
      this.log.log({ msg: 'sample data wiped', unit_id: unitId, ...counts });
      return counts;
    });
  }

  /** Records created entities as sample data of the active OU. */
  private async record(kind: SampleKind, entityIds: string[]): Promise<void> {
    if (!entityIds.length) return;
    const { orgId, unitId } = currentUnit();
    await this.ds.query(`INSERT INTO sample_data_items (org_id, unit_id, kind, entity_id) SELECT $1, $2, $3, unnest($4::text[]) ON CONFLICT DO NOTHING`, [
      orgId,
      unitId,
      kind,
      entityIds,
    ]);
  }

  /** One seed or wipe per OU at a time (a session advisory lock); a concurrent one answers 409 sample_data_busy. */
  private async exclusively<T>(work: () => Promise<T>): Promise<T> {
    const key = `sample-data:${currentUnit().unitId}`;
    const runner = this.ds.createQueryRunner();
    await runner.connect();
    try {
      const [{ locked }] = await runner.query(`SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS locked`, [key]);
      if (!locked) throw SampleDataErrors.error('sample_data_busy', 'sample data of the active OU is being seeded or wiped; retry in a few seconds');
      try {
        return await work();
      } catch (err) {
        if (!(err instanceof AppError)) this.log.error({ msg: 'sample data operation failed', err: (err as Error).message });
        throw err;
      } finally {
        await runner.query(`SELECT pg_advisory_unlock(hashtextextended($1, 0))`, [key]);
      }
    } finally {
      await runner.release();
    }
  }
}

/** A sample event as POST /import would carry it: the lead by id and its e-mail alias, its own stable event id. */
function toIngestEvent(e: SampleEvent): Record<string, unknown> {
  return {
    event_id: e.event_id,
    lead_id: e.lead_id,
    aliases: [{ alias_kind: 'email', raw_value: e.email }],
    event_type: e.event_type,
    timestamp: e.timestamp,
    metadata: e.metadata,
  };
}
