import { InjectQueue } from '@nestjs/bull';
import { Injectable, Logger, Optional } from '@nestjs/common';
import type { Queue } from 'bull';
import { DataSource, EntityManager } from 'typeorm';
import { execute, newId, selectOne, selectRows, sql } from '../../../platform/database';
import { QueueName } from '../../../platform/queues';
import { RequestContext, currentUnit, unitScope } from '../../../platform/tenancy';
import { ENGAGEMENT } from '../../scoring';
import { AccountLevelsFollower } from '../classification/account-levels-follower';
import { LevelChange } from '../classification/engagement-levels.sql';
import { LevelClassifier } from '../classification/level-classifier.service';
import { RECLASSIFY_UNIT, ReclassifyJobData } from '../classification/reclassify.processor';
import { LevelKind, overlappingLevel } from '../domain/level-range';
import { CreateLevelDto, UpdateLevelDto } from '../http/levels.dto';
import { LevelErrors } from '../levels.errors';
import { LevelHistoryRow, LevelHistoryView, LevelRow, LevelView, toLevelHistoryView, toLevelView } from './level-views';

type HistoryAction = 'create' | 'update' | 'delete' | 'revert';

/** What one configuration change did, for its snapshot. */
interface Changed<T> {
  result: T;
  rulesetId: string | null;
  action: HistoryAction;
  revertedTo?: string;
}

/**
 * Level configuration of the active OU per kind and ruleset (LVL-2..6). Every change runs under a lock of the OU's
 * configuration of that kind, stores a snapshot of the whole configuration it changed, and re-derives the OU's
 * engagement or profile levels: in the same transaction for an OU of at most `inlineReclassifyLimit` live leads,
 * otherwise on the worker (Bull queue `levels`), chunk by chunk; account levels in the same transaction (accounts module).
 */
@Injectable()
export class LevelsService {
  private readonly log = new Logger('Levels');
  /** Above this many live leads an OU is re-classified in the background. */
  inlineReclassifyLimit = 5000;

  constructor(
    private readonly ds: DataSource,
    private readonly classifier: LevelClassifier,
    @InjectQueue(QueueName.Levels) private readonly queue: Queue<ReclassifyJobData>,
    @Optional() private readonly accountLevels?: AccountLevelsFollower,
  ) {}

  /** The configuration (by min_score) of a ruleset, by default the one in effect. */
  async list(kind: LevelKind, rulesetId?: string): Promise<LevelView[]> {
    const ruleset = await this.rulesetFor(this.ds.manager, kind, rulesetId);
    return (await this.configuration(this.ds.manager, kind, ruleset)).map(toLevelView);
  }

  async create(kind: LevelKind, input: CreateLevelDto): Promise<LevelView> {
    return this.changed(kind, async (m) => {
      const rulesetId = await this.rulesetFor(m, kind, input.ruleset_id);
      const levels = await this.configuration(m, kind, rulesetId);
      const range = { id: '', min_score: input.min_score, max_score: input.max_score ?? null };
      checkRange(levels, range);
      const { orgId, unitId } = currentUnit();
      const actor = RequestContext.actor();
      const id = newId(kind === ENGAGEMENT ? 'st' : 'lvl');
      const [row] = await selectRows<LevelRow>(
        m,
        sql`INSERT INTO levels (id, org_id, unit_id, kind, ruleset_id, name, min_score, max_score, color, position, created_by, updated_by, created_at, updated_at)
            VALUES (${id}, ${orgId}, ${unitId}, ${kind}, ${rulesetId}, ${input.name.trim()}, ${range.min_score}, ${range.max_score}, ${input.color ?? null},
                    ${input.order ?? levels.length}, ${actor}, ${actor}, clock_timestamp(), clock_timestamp())
            RETURNING *`,
      );
      RequestContext.describe({ entityType: `${kind}_level`, entityId: id, summary: `created ${kind} level '${row.name}' (${rangeText(row)})` });
      return { result: toLevelView(row), rulesetId, action: 'create' };
    });
  }

  /** Partial update; the ruleset of a level does not change. */
  async update(kind: LevelKind, id: string, input: UpdateLevelDto): Promise<LevelView> {
    return this.changed(kind, async (m) => {
      const level = await this.level(m, kind, id);
      const range = {
        id,
        min_score: input.min_score ?? level.min_score,
        max_score: input.max_score !== undefined ? input.max_score : level.max_score,
      };
      checkRange(await this.configuration(m, kind, level.ruleset_id), range);
      // TypeORM answers an UPDATE … RETURNING as [rows, count]
      const [[row]] = await selectRows<LevelRow[]>(
        m,
        sql`UPDATE levels SET name = ${input.name?.trim() ?? level.name}, min_score = ${range.min_score}, max_score = ${range.max_score},
                   color = ${input.color !== undefined ? input.color : level.color}, position = ${input.order ?? level.position},
                   updated_by = ${RequestContext.actor()}, updated_at = clock_timestamp()
             WHERE id = ${id} RETURNING *`,
      );
      RequestContext.describe({ entityType: `${kind}_level`, entityId: id, summary: `updated ${kind} level '${row.name}' (${rangeText(row)})` });
      return { result: toLevelView(row), rulesetId: level.ruleset_id, action: 'update' };
    });
  }

  /** The last level of a configuration stays (400): a configuration is replaced by editing or reverting it. */
  async remove(kind: LevelKind, id: string): Promise<void> {
    await this.change(kind, async (m) => {
      const level = await this.level(m, kind, id);
      if ((await this.configuration(m, kind, level.ruleset_id)).length <= 1) {
        throw LevelErrors.error('last_level', `'${level.name}' is the last ${kind} level of its configuration and cannot be deleted`);
      }
      await m.query(`DELETE FROM levels WHERE id = $1`, [id]);
      RequestContext.describe({ entityType: `${kind}_level`, entityId: id, summary: `deleted ${kind} level '${level.name}'` });
      return { result: undefined, rulesetId: level.ruleset_id, action: 'delete' };
    });
  }

  /**
   * Deletes these levels of the active OU, the last level of a configuration included (a configuration may be empty:
   * an OU without levels): one configuration change (lock, snapshot, re-classification) per ruleset they belong to.
   * Ids of other OUs or already gone are ignored; answers how many were deleted. For removals of whole configurations
   * (the sample data wipe); single deletions keep the last-level rule of `remove`.
   */
  async removeMany(kind: LevelKind, ids: string[]): Promise<number> {
    const rows = await selectRows<{ id: string; ruleset_id: string | null }>(
      this.ds,
      sql`SELECT id, ruleset_id FROM levels WHERE ${unitScope()} AND kind = ${kind} AND id = ANY(${ids}::text[]) ORDER BY id`,
    );
    const byRuleset = new Map<string | null, string[]>();
    for (const r of rows) byRuleset.set(r.ruleset_id, [...(byRuleset.get(r.ruleset_id) ?? []), r.id]);
    let deleted = 0;
    for (const [rulesetId, group] of byRuleset) {
      deleted += await this.changed(kind, async (m) => {
        const n = await execute(m, sql`DELETE FROM levels WHERE ${unitScope()} AND kind = ${kind} AND id = ANY(${group}::text[])`);
        return { result: n, rulesetId, action: 'delete' };
      });
    }
    return deleted;
  }

  /** Snapshots of a ruleset's configuration (by default the one in effect), newest first. */
  async history(kind: LevelKind, rulesetId?: string): Promise<LevelHistoryView[]> {
    const ruleset = await this.rulesetFor(this.ds.manager, kind, rulesetId);
    const rows = await selectRows<LevelHistoryRow>(
      this.ds,
      sql`SELECT * FROM level_history WHERE ${unitScope()} AND kind = ${kind} AND ruleset_id IS NOT DISTINCT FROM ${ruleset}
           ORDER BY created_at DESC, id DESC`,
    );
    return rows.map(toLevelHistoryView);
  }

  /** Replaces the configuration the snapshot belongs to with it; the revert is itself a new snapshot. */
  async revert(kind: LevelKind, historyId: string): Promise<LevelHistoryView> {
    const { snapshot } = await this.change(kind, async (m) => {
      const entry = await selectOne<LevelHistoryRow>(m, sql`SELECT * FROM level_history WHERE id = ${historyId} AND ${unitScope()} AND kind = ${kind}`);
      if (!entry) throw LevelErrors.notFound('level_history_not_found', 'level history entry');
      const actor = RequestContext.actor();
      await m.query(`DELETE FROM levels WHERE unit_id = $1 AND kind = $2 AND ruleset_id IS NOT DISTINCT FROM $3`, [
        currentUnit().unitId,
        kind,
        entry.ruleset_id,
      ]);
      await m.query(
        `INSERT INTO levels (id, org_id, unit_id, kind, ruleset_id, name, min_score, max_score, color, position, created_by, updated_by, created_at, updated_at)
         SELECT x.id, x.org_id, x.unit_id, x.kind, x.ruleset_id, x.name, x.min_score, x.max_score, x.color, x.position, x.created_by, $2, x.created_at, clock_timestamp()
           FROM jsonb_to_recordset($1::jsonb) AS x(id text, org_id text, unit_id text, kind text, ruleset_id text, name text, min_score int, max_score int,
                                                   color text, position int, created_by text, created_at timestamptz)`,
        [JSON.stringify(entry.levels), actor],
      );
      RequestContext.describe({
        entityType: `${kind}_levels`,
        entityId: historyId,
        summary: `reverted ${kind} levels to the snapshot of ${entry.created_at.toISOString()}`,
      });
      return { result: null, rulesetId: entry.ruleset_id, action: 'revert', revertedTo: historyId };
    });
    return toLevelHistoryView(snapshot);
  }

  private async changed<T>(kind: LevelKind, work: (m: EntityManager) => Promise<Changed<T>>): Promise<T> {
    return (await this.change(kind, work)).result;
  }

  /**
   * One configuration change: serialised per OU and kind, snapshotted, and followed by the re-classification of the
   * OU's leads (engagement and profile levels; `level_changed` is published once committed) or of its accounts
   * (account levels, through the AccountLevelsFollower).
   */
  private async change<T>(kind: LevelKind, work: (m: EntityManager) => Promise<Changed<T>>): Promise<{ result: T; snapshot: LevelHistoryRow }> {
    const { unitId } = currentUnit();
    let changes: LevelChange[] = [];
    let background = false;
    const out = await this.ds.transaction(async (m) => {
      await m.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [`levels:${unitId}:${kind}`]);
      const done = await work(m);
      const snapshot = await this.snapshot(m, kind, done);
      if (kind === ENGAGEMENT || kind === 'profile') {
        background = await this.isLarge(m, unitId);
        if (!background) changes = await this.classifier.reclassify(m, unitId, 'all', 'levels_changed', kind);
      }
      // accounts are classified by the accounts module (one set-based pass over the OU's accounts, in this transaction)
      if (kind === 'account') await this.accountLevels?.reclassifyAccounts(m, unitId);
      return { result: done.result, snapshot };
    });
    await this.classifier.publish(changes);
    if (background) {
      // committed: a lost enqueue leaves levels to the next score change of each lead, so it is logged loudly
      await this.queue
        .add(RECLASSIFY_UNIT, { unit_id: unitId, cause: 'levels_changed', kind: kind === 'profile' ? 'profile' : ENGAGEMENT })
        .catch((err: Error) => {
          this.log.error({ msg: 'could not queue level re-classification', unit_id: unitId, err: err.message });
          throw err;
        });
    }
    return out;
  }

  private async snapshot(m: EntityManager, kind: LevelKind, done: Changed<unknown>): Promise<LevelHistoryRow> {
    const { orgId, unitId } = currentUnit();
    const [row] = await m.query(
      `INSERT INTO level_history (id, org_id, unit_id, kind, ruleset_id, action, levels, reverted_to, actor, created_at)
       SELECT $1, $2, $3, $4, $5, $6, coalesce(jsonb_agg(to_jsonb(l) ORDER BY l.min_score, l.id), '[]'::jsonb), $7, $8, clock_timestamp()
         FROM levels l WHERE l.unit_id = $3 AND l.kind = $4 AND l.ruleset_id IS NOT DISTINCT FROM $5
       RETURNING *`,
      [newId('lvh'), orgId, unitId, kind, done.rulesetId, done.action, done.revertedTo ?? null, RequestContext.actor()],
    );
    return row as LevelHistoryRow;
  }

  private async isLarge(m: EntityManager, unitId: string): Promise<boolean> {
    const row = await selectOne<{ n: number }>(
      m,
      sql`SELECT count(*)::int AS n FROM (SELECT 1 FROM leads WHERE unit_id = ${unitId} AND status = 'active' LIMIT ${this.inlineReclassifyLimit + 1}) x`,
    );
    return row!.n > this.inlineReclassifyLimit;
  }

  private async level(m: EntityManager, kind: LevelKind, id: string): Promise<LevelRow> {
    const row = await selectOne<LevelRow>(m, sql`SELECT * FROM levels WHERE id = ${id} AND ${unitScope()} AND kind = ${kind}`);
    if (!row) throw LevelErrors.notFound('level_not_found', `${kind} level`);
    return row;
  }

  private configuration(m: EntityManager, kind: LevelKind, rulesetId: string | null): Promise<LevelRow[]> {
    return selectRows<LevelRow>(
      m,
      sql`SELECT * FROM levels WHERE ${unitScope()} AND kind = ${kind} AND ruleset_id IS NOT DISTINCT FROM ${rulesetId} ORDER BY min_score, id`,
    );
  }

  /**
   * A named ruleset must be one of the OU's rulesets of the kind's dimension. Unnamed: the configuration in effect —
   * the primary ruleset's, or, while the primary has no levels (or there is no primary: profile and account scoring
   * have no rulesets yet), the levels stored without a ruleset.
   */
  private async rulesetFor(m: EntityManager, kind: LevelKind, given: string | undefined): Promise<string | null> {
    if (given !== undefined) {
      const found = await selectOne(m, sql`SELECT 1 FROM rulesets WHERE id = ${given} AND ${unitScope()} AND dimension = ${kind}`);
      if (!found) throw LevelErrors.notFound('ruleset_not_found', `${kind} ruleset`);
      return given;
    }
    const row = await selectOne<{ ruleset_id: string | null }>(
      m,
      sql`SELECT CASE WHEN p.id IS NOT NULL
                       AND (EXISTS (SELECT 1 FROM levels x WHERE x.unit_id = p.unit_id AND x.kind = ${kind} AND x.ruleset_id = p.id)
                            OR NOT EXISTS (SELECT 1 FROM levels x WHERE ${unitScope('x')} AND x.kind = ${kind} AND x.ruleset_id IS NULL))
                      THEN p.id END AS ruleset_id
            FROM (SELECT 1) one LEFT JOIN rulesets p ON ${unitScope('p')} AND p.dimension = ${kind} AND p.is_primary`,
    );
    return row?.ruleset_id ?? null;
  }
}

/** min ≤ max (400 naming max_score) and no overlap with another level of the configuration (409 level_overlap). */
function checkRange(levels: LevelRow[], range: { id: string; min_score: number; max_score: number | null }): void {
  if (range.max_score !== null && range.min_score > range.max_score) {
    throw LevelErrors.error('invalid_level_range', `min_score ${range.min_score} is above max_score ${range.max_score}`, [
      { field: 'max_score', reason: 'must be at least min_score (or null for an open top tier)' },
    ]);
  }
  const other = overlappingLevel(levels, range);
  if (other) {
    throw LevelErrors.error('level_overlap', `the range ${rangeText(range)} overlaps level '${other.name}' (${rangeText(other)})`, [
      { field: 'min_score', reason: 'overlaps another level', level_id: other.id, level: other.name },
    ]);
  }
}

function rangeText(r: { min_score: number; max_score: number | null }): string {
  return r.max_score === null ? `${r.min_score}+` : `${r.min_score}–${r.max_score}`;
}
