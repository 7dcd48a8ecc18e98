import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { selectOne, selectRows, sql } from '../../platform/database';
import { unitOnly } from '../../platform/tenancy';
import { ContributionPayload, LeadEventRescore } from './domain';
import { RescoreRecorder } from './rescoring/rescore-recorder';
import { Ruleset } from './domain/ruleset';
import { scoreEvent } from './domain/score-ruleset';
import { SuppressionReason } from './domain/suppression';
import { OuScoringSetup, ScoringSetupService } from './setup/scoring-setup.service';

export interface StoredLeadEvent {
  event_id: string;
  lead_ref: string;
  event_type: string;
  event_type_key: string;
  occurred_at: Date;
  metadata: Record<string, unknown>;
  suppression: SuppressionReason | null;
  /** the surge session multiplier frozen at event time (SC-1): rescoring never re-measures sessions */
  surge_multiplier: number;
}

/**
 * What each stored event earns in `ruleset` under the current configuration, through the same scoring core as
 * the live pipeline, with the surge multiplier each event was recorded with. Used by score-now and by the dry run,
 * so "projected" and "rescored" cannot differ from each other or from the live score.
 */
export function contributionsUnder(
  ruleset: Ruleset,
  events: readonly StoredLeadEvent[],
  setup: Pick<OuScoringSetup, 'hiddenEventTypes' | 'scopes'>,
): Map<string, ContributionPayload | null> {
  const out = new Map<string, ContributionPayload | null>();
  for (const e of events) {
    if ((setup.scopes.get(e.event_type_key) ?? 'activate') === 'observe') {
      out.set(e.event_id, null);
      continue;
    }
    const [c] = scoreEvent(
      [ruleset],
      { event_type: e.event_type, occurred_at: e.occurred_at, metadata: e.metadata, suppression: e.suppression },
      {
        hiddenEventTypes: setup.hiddenEventTypes,
        surgeMultiplier: e.surge_multiplier,
      },
    );
    out.set(e.event_id, c.rule_id === null ? null : { ...c, rule_id: c.rule_id });
  }
  return out;
}

export const RESCORE_CHUNK = 500;

/** score-now: every lead of the OU against one ruleset, in chunks, recording each change on the lead's stream. */
@Injectable()
export class RescoreService {
  private readonly log = new Logger('Rescore');

  constructor(
    private readonly ds: DataSource,
    private readonly recorder: RescoreRecorder,
    private readonly setups: ScoringSetupService,
  ) {}

  async rescoreRuleset(
    org: string,
    unit: string,
    rulesetId: string,
    jobId: string,
    metadata: Record<string, unknown>,
    progress: (done: number, total: number) => Promise<void>,
  ): Promise<{ leads: number; leads_changed: number; events_changed: number }> {
    const setup = await this.setups.load(org, unit);
    const ruleset = setup.rulesets.find((r) => r.id === rulesetId);
    if (!ruleset) throw new Error(`ruleset ${rulesetId} no longer exists in ${unit}`);
    const { n: total } = (await selectOne<{ n: number }>(
      this.ds,
      sql`SELECT count(*)::int AS n FROM leads WHERE ${unitOnly(undefined, unit)} AND status = 'active'`,
    ))!;
    let after = '';
    let done = 0;
    let leadsChanged = 0;
    let eventsChanged = 0;
    for (;;) {
      const refs: string[] = (
        await selectRows<{ id: string }>(
          this.ds,
          sql`SELECT id FROM leads WHERE ${unitOnly(undefined, unit)} AND status = 'active' AND id > ${after} ORDER BY id LIMIT ${RESCORE_CHUNK}`,
        )
      ).map((r: { id: string }) => r.id);
      if (!refs.length) break;
      after = refs[refs.length - 1];
      const events: StoredLeadEvent[] = (
        await this.ds.query(
          `SELECT event_id, lead_ref, event_type, event_type_key, occurred_at, metadata, suppression, surge_multiplier FROM lead_events
            WHERE lead_ref = ANY($1::text[]) AND NOT reset_excluded AND source <> 'system'`,
          [refs],
        )
      ).map((e: StoredLeadEvent) => ({ ...e, occurred_at: new Date(e.occurred_at), surge_multiplier: Number(e.surge_multiplier) }));
      const current = new Map<string, { rule_id: string; base_points: number; multiplier: number; half_life_days: number | null }>(
        (
          await this.ds.query(
            `SELECT event_id, rule_id, base_points, multiplier, half_life_days FROM event_scores WHERE ruleset_id = $1 AND lead_ref = ANY($2::text[])`,
            [rulesetId, refs],
          )
        ).map((r: { event_id: string; rule_id: string; base_points: string; multiplier: string; half_life_days: number | null }) => [
          r.event_id,
          { rule_id: r.rule_id, base_points: Number(r.base_points), multiplier: Number(r.multiplier), half_life_days: r.half_life_days },
        ]),
      );
      const next = contributionsUnder(ruleset, events, setup);
      const changes = new Map<string, { event_id: string; contribution: ContributionPayload | null }[]>();
      for (const e of events) {
        const before = current.get(e.event_id) ?? null;
        const after2 = next.get(e.event_id) ?? null;
        const same =
          (before === null && after2 === null) ||
          (before !== null &&
            after2 !== null &&
            before.rule_id === after2.rule_id &&
            before.base_points === after2.base_points &&
            before.multiplier === after2.multiplier &&
            before.half_life_days === after2.half_life_days);
        if (same) continue;
        changes.set(e.lead_ref, [...(changes.get(e.lead_ref) ?? []), { event_id: e.event_id, contribution: after2 }]);
      }
      if (changes.size) {
        await this.appendChanges(changes, rulesetId, jobId, metadata);
        leadsChanged += changes.size;
        eventsChanged += [...changes.values()].reduce((n, l) => n + l.length, 0);
      }
      done += refs.length;
      await progress(done, total);
      this.log.log({ msg: 'score-now progress', ruleset_id: rulesetId, unit_id: unit, done, total, job_id: jobId });
    }
    return { leads: done, leads_changed: leadsChanged, events_changed: eventsChanged };
  }

  /** The changes go to the Lead aggregate's owner, which records them on each live lead's stream (one transaction). */
  private async appendChanges(changes: Map<string, LeadEventRescore[]>, rulesetId: string, jobId: string, metadata: Record<string, unknown>): Promise<void> {
    await this.recorder.record(changes, rulesetId, jobId, metadata);
  }
}
