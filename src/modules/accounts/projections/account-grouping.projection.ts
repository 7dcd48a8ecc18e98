import { Injectable, Logger } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { selectRows, sql } from '../../../platform/database';
import { StoredEvent } from '../../../platform/event-store';
import { Projection, ReadModelProjection } from '../../../platform/projections';
import { LeadEvent } from '../../leads';
import { AccountFigures } from '../application/account-figures';
import { AccountGrouping } from '../application/account-grouping';

/** The async projections whose `leads` columns the account figures read (scores, activity, profile, surges). */
const FIGURE_SOURCES = ['lead-events', 'profile-scores', 'surge_detection'];
const WAIT_MS = 3000;
const POLL_MS = 25;

/**
 * ABM-2 as an async projection off Lead events (never on the ingest path, no trigger on `leads`): per batch and per
 * OU with ABM on, the leads the batch touched are grouped into accounts (AccountGrouping: one read, at most one
 * account append and one lead update), then the figures of every account they touched are recomputed in one
 * statement (AccountFigures). The figures read columns other async projections keep (scores, activity, profile
 * scores, surge firings), so a batch first waits (up to WAIT_MS, outside its transaction's writes) until those have
 * passed its last event; on a timeout it goes on and the next batch touching the account catches up. OUs without
 * ABM cost one settings read per batch. Idempotent (derived from current lead state).
 */
@ReadModelProjection()
@Injectable()
export class AccountGroupingProjection implements Projection {
  readonly name = 'account-grouping';
  readonly tables: string[] = [];
  /** envelopes only: the `accountId` hints are read for OUs with ABM on alone (see hintsOf) */
  readonly readsPayload = false;
  readonly eventTypes = [
    LeadEvent.Created,
    LeadEvent.AliasAttached,
    LeadEvent.MetadataChanged,
    LeadEvent.EventRecorded,
    LeadEvent.EventsAdopted,
    LeadEvent.MergedInto,
    LeadEvent.OwnerAssigned,
    LeadEvent.ScoresReset,
    LeadEvent.Rescored,
    LeadEvent.EventsDeleted,
  ];
  private readonly log = new Logger('AccountGrouping');

  constructor(
    private readonly ds: DataSource,
    private readonly grouping: AccountGrouping,
    private readonly figures: AccountFigures,
  ) {}

  async handle(events: StoredEvent[], m: EntityManager): Promise<void> {
    const byUnit = new Map<string, { orgId: string; refs: Set<string>; recorded: number[] }>();
    for (const e of events) {
      const unitId = String(e.metadata.unit_id ?? '');
      const orgId = String(e.metadata.org_id ?? '');
      if (!unitId || !orgId) continue;
      const entry = byUnit.get(unitId) ?? { orgId, refs: new Set<string>(), recorded: [] };
      entry.refs.add(e.streamId);
      if (e.eventType === LeadEvent.EventRecorded) entry.recorded.push(e.globalPosition);
      byUnit.set(unitId, entry);
    }
    if (!byUnit.size) return;
    const orgs = [...new Set([...byUnit.values()].map((u) => u.orgId))];
    const abm = new Set(
      (await selectRows<{ org_id: string }>(m, sql`SELECT org_id FROM scoring_settings WHERE org_id = ANY(${orgs}::text[]) AND abm_enabled`)).map(
        (r) => r.org_id,
      ),
    );
    const live = [...byUnit.entries()].filter(([, u]) => abm.has(u.orgId));
    if (!live.length) return;
    await this.awaitSources(events[events.length - 1]);
    for (const [unitId, u] of live) {
      const hints = await this.hintsOf(m, u.recorded);
      const outcome = await this.grouping.group(m, u.orgId, unitId, [...u.refs], hints, { actor: 'system:account-grouping' });
      await this.figures.refresh(m, outcome.touched);
      if (outcome.linked) this.log.debug({ msg: 'leads grouped into accounts', unit_id: unitId, linked: outcome.linked, created: outcome.accounts_created });
    }
  }

  /**
   * Each lead's last event metadata `accountId` among the batch's recorded events (in position order, so the last one
   * wins): one statement reading just that key, for OUs with ABM on only.
   */
  private async hintsOf(m: EntityManager, positions: number[]): Promise<Map<string, string>> {
    const hints = new Map<string, string>();
    if (!positions.length) return hints;
    const rows = await selectRows<{ stream_id: string; hint: string }>(
      m,
      sql`SELECT stream_id, btrim(payload->'metadata'->>'accountId') AS hint FROM event_store_events
           WHERE global_position = ANY(${positions}::bigint[]) AND jsonb_typeof(payload->'metadata'->'accountId') = 'string'
           ORDER BY global_position`,
    );
    for (const r of rows) if (r.hint) hints.set(r.stream_id, r.hint);
    return hints;
  }

  /** Waits until the projections the figures read have applied `last` (bounded). */
  private async awaitSources(last: StoredEvent): Promise<void> {
    const deadline = Date.now() + WAIT_MS;
    for (;;) {
      const [row] = await this.ds.query(
        `SELECT count(*)::int AS behind FROM projection_checkpoints
          WHERE name = ANY($1::text[]) AND (last_transaction_id, last_position) < ($2::xid8, $3::bigint)`,
        [FIGURE_SOURCES, last.transactionId, last.globalPosition],
      );
      if (!row?.behind) return;
      if (Date.now() >= deadline) {
        this.log.warn({ msg: 'account figures computed before their sources caught up', behind: row.behind });
        return;
      }
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  }
}
