import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Clock } from '../../../platform/clock';
import { selectRows, sql } from '../../../platform/database';
import { StreamBus, StreamMessage } from '../../stream';
import {
  anyLeadWithLevel,
  classifyEngagementLevels,
  engagementLevelsInEffect,
  LeadLevelKind,
  LevelChange,
  levelsInEffect,
  UnitLevelRow,
} from './engagement-levels.sql';

const CACHED_UNITS_MAX = 10_000;

/** The SSE message of a level change (`level_changed {lead_id, kind, from, to}` and context). */
export function levelChangedMessage(c: LevelChange): StreamMessage {
  return {
    event: 'level_changed',
    data: { lead_id: c.lead_id, kind: c.kind, from: c.from, to: c.to, ruleset_id: c.ruleset_id, score: c.score, changed_at: c.changed_at },
  };
}

/**
 * Keeps `leads.engagement_level` derived from `leads.score` (LVL-4, LVL-7) and records every change as a
 * `level_changed` (`lead_level_changes`, then the OU's stream). Paths that move scores (the ingest projection, the
 * hourly refresh) call `afterScoresMoved` inside their transaction with the leads whose score moved; it reads the
 * configuration through a cache keyed by `level_setup_version` (migration 1764000000020), so a batch of an OU
 * without levels costs one one-row read.
 */
@Injectable()
export class LevelClassifier {
  private readonly cache = new Map<string, { version: string; levels: UnitLevelRow[] }>();

  constructor(
    private readonly clock: Clock,
    private readonly bus: StreamBus,
  ) {}

  /**
   * The levels in effect per OU, as of the counter read first (a change committed after that read moves it again, so
   * it is never cached as current). Only for transactions that do not write levels themselves: an uncommitted
   * configuration must never reach the cache.
   */
  async cachedLevels(m: EntityManager, unitIds: string[]): Promise<UnitLevelRow[]> {
    const [{ version }] = await m.query(`SELECT version::text AS version FROM level_setup_version`);
    const missing = unitIds.filter((u) => this.cache.get(u)?.version !== version);
    if (missing.length) {
      const read = await engagementLevelsInEffect(m, missing);
      if (this.cache.size + missing.length > CACHED_UNITS_MAX) this.cache.clear();
      for (const u of missing) this.cache.set(u, { version, levels: read.filter((r) => r.unit_id === u) });
    }
    return unitIds.flatMap((u) => this.cache.get(u)?.levels ?? []);
  }

  /**
   * Re-derives the level of leads whose `leads.score` just moved (in the caller's transaction). `unitIds`: their
   * OUs when the caller knows them (else read). Nothing is read or written when none of those OUs has levels.
   */
  async afterScoresMoved(m: EntityManager, leadRefs: string[], cause: string, unitIds?: string[]): Promise<LevelChange[]> {
    if (!leadRefs.length) return [];
    const units =
      unitIds ?? (await selectRows<{ unit_id: string }>(m, sql`SELECT DISTINCT unit_id FROM leads WHERE id = ANY(${leadRefs}::text[])`)).map((r) => r.unit_id);
    const distinct = [...new Set(units)].filter(Boolean);
    const levels = await this.cachedLevels(m, distinct);
    if (!levels.length) return [];
    return classifyEngagementLevels(m, sql`SELECT unnest(${leadRefs}::text[]) AS ref`, distinct, levels, cause, this.clock.now());
  }

  /**
   * Re-derives the level of `kind` (engagement from `score`, profile from `profile_score`) of the given live leads of
   * one OU from the configuration as this transaction sees it.
   */
  async reclassify(m: EntityManager, unitId: string, leadRefs: string[] | 'all', cause: string, kind: LeadLevelKind = 'engagement'): Promise<LevelChange[]> {
    const levels = await levelsInEffect(m, kind, [unitId]);
    // no level in effect and no lead holding one (an OU that never set levels of this kind up): nothing to derive
    if (!levels.length && !(await anyLeadWithLevel(m, unitId, kind))) return [];
    const targets =
      leadRefs === 'all' ? sql`SELECT id AS ref FROM leads WHERE unit_id = ${unitId} AND status = 'active'` : sql`SELECT unnest(${leadRefs}::text[]) AS ref`;
    return classifyEngagementLevels(m, targets, [unitId], levels, cause, this.clock.now(), kind);
  }

  /** Pushes committed changes to their OUs' streams. */
  async publish(changes: LevelChange[]): Promise<void> {
    const byUnit = new Map<string, StreamMessage[]>();
    for (const c of changes) {
      const list = byUnit.get(c.unit_id);
      if (list) list.push(levelChangedMessage(c));
      else byUnit.set(c.unit_id, [levelChangedMessage(c)]);
    }
    for (const [unit, messages] of byUnit) await this.bus.publish(unit, messages);
  }
}
