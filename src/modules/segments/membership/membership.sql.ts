import { EntityManager } from 'typeorm';
import { execute, raw, selectRows, Sql, sql } from '../../../platform/database';
import { compileSegment, readsAccount, SegmentRuleForLogic } from '../domain/segment-rules';

/** A segment as membership is derived from it: its OU, whether it is active, and its rules. */
export interface SegmentDefinition {
  id: string;
  org_id: string;
  unit_id: string;
  active: boolean;
  rules: SegmentRuleForLogic[];
}

interface DefinitionRow {
  id: string;
  org_id: string;
  unit_id: string;
  active: boolean;
  rules: SegmentRuleForLogic[] | null;
}

const DEFINITIONS = sql`SELECT s.id, s.org_id, s.unit_id, s.active,
       (SELECT jsonb_agg(jsonb_build_object('rule_type', r.rule_type, 'field_name', r.field_name, 'operator', r.operator, 'value', r.value,
                 'event_type', r.event_type, 'logic_group', r.logic_group, 'logic_op', r.logic_op, 'order_index', r.order_index, 'active', r.active)
                 ORDER BY r.logic_group, r.order_index, r.created_at, r.id)
          FROM segment_rules r WHERE r.segment_id = s.id) AS rules
  FROM segments s`;

const definition = (r: DefinitionRow): SegmentDefinition => ({ ...r, rules: r.rules ?? [] });

/** One segment's definition (undefined when it is gone). */
export async function segmentDefinition(m: EntityManager, segmentId: string): Promise<SegmentDefinition | undefined> {
  const [row] = await selectRows<DefinitionRow>(m, sql`${DEFINITIONS} WHERE s.id = ${segmentId}`);
  return row && definition(row);
}

/** The active segments of the given OUs, each with its rules. */
export async function activeSegmentsOf(m: EntityManager, unitIds: string[]): Promise<SegmentDefinition[]> {
  if (!unitIds.length) return [];
  return (await selectRows<DefinitionRow>(m, sql`${DEFINITIONS} WHERE s.unit_id = ANY(${unitIds}::text[]) AND s.active ORDER BY s.id`)).map(definition);
}

/** The key of a segment's transaction-scoped advisory lock (SQL, the segment id as $1). */
const SEGMENT_LOCK_KEY = `hashtextextended('segment:' || $1, 0)`;

/**
 * Re-derives the segment's members from every lead of its OU, in two set-based statements over the read models:
 * members that no longer qualify leave, qualifying leads not yet in join (keeping when a member joined). An inactive
 * segment keeps no member (SEG-6). Serialised per segment (transaction-scoped advisory lock) so whole-segment passes
 * (the recompute, the hourly refresh, a rebuild) never interleave on one segment. Then the leads the membership
 * projection left in `segment_pending_rechecks` while a pass held the segment are re-evaluated too: their events may
 * have committed after this pass's statements read the read models. Answers the rows written.
 */
export async function reevaluateMembers(m: EntityManager, seg: SegmentDefinition): Promise<{ left: number; joined: number }> {
  await m.query(`SELECT pg_advisory_xact_lock(${SEGMENT_LOCK_KEY})`, [seg.id]);
  const whole = await evaluate(m, seg, 'all');
  const pending = await evaluatePending(m, seg);
  return { left: whole.left + pending.left, joined: whole.joined + pending.joined };
}

/**
 * The membership projection's re-evaluation of the leads a batch touched. When a whole-segment pass holds the segment
 * (a recompute or the hourly refresh, seconds at a million leads), the leads are left in `segment_pending_rechecks`
 * and the answer is 'deferred': the projection goes on with the other segments and OUs rather than wait, and the pass
 * (before it commits) or the follow-up job (after) re-evaluates them. Otherwise the leads, and any still pending when
 * `hasPending` (`segmentsWithPending`).
 */
export async function reevaluateTouched(
  m: EntityManager,
  seg: SegmentDefinition,
  leadRefs: string[],
  hasPending: boolean,
): Promise<{ left: number; joined: number } | 'deferred'> {
  const [{ held }] = await m.query(`SELECT pg_try_advisory_xact_lock(${SEGMENT_LOCK_KEY}) AS held`, [seg.id]);
  if (!held) {
    // the leads may have been erased meanwhile (no row to refer to): only those still there wait
    await m.query(
      `INSERT INTO segment_pending_rechecks (segment_id, lead_ref) SELECT $1, l.id FROM leads l WHERE l.id = ANY($2::text[]) ON CONFLICT DO NOTHING`,
      [seg.id, leadRefs],
    );
    return 'deferred';
  }
  const pending = hasPending ? await takePending(m, seg.id) : [];
  return evaluate(m, seg, pending.length ? [...new Set([...leadRefs, ...pending])] : leadRefs);
}

/**
 * Which of the segments have leads pending, read once per batch (the table is nearly always empty: one statement
 * instead of a DELETE per segment). Only the membership projection, which runs one batch at a time, adds to it, so
 * none appear between this read and the batch's re-evaluations.
 */
export async function segmentsWithPending(m: EntityManager, segments: SegmentDefinition[]): Promise<Set<string>> {
  const rows = await selectRows<{ segment_id: string }>(
    m,
    sql`SELECT DISTINCT segment_id FROM segment_pending_rechecks WHERE segment_id = ANY(${segments.map((s) => s.id)}::text[])`,
  );
  return new Set(rows.map((r) => r.segment_id));
}

/** The job name and data of the follow-up of a deferral (`RecomputeSegmentProcessor.recheck`). */
export const RECHECK_PENDING = 'segments.recheck-pending';
export interface RecheckPendingJobData {
  segment_id: string;
}

/** The follow-up of a deferral: waits for the pass holding the segment, then re-evaluates what is pending. */
export async function recheckPending(m: EntityManager, seg: SegmentDefinition): Promise<{ left: number; joined: number; leads: number }> {
  await m.query(`SELECT pg_advisory_xact_lock(${SEGMENT_LOCK_KEY})`, [seg.id]);
  return evaluatePending(m, seg);
}

/** The segment's pending leads (committed ones; the caller holds the segment's lock) taken and re-evaluated. */
async function evaluatePending(m: EntityManager, seg: SegmentDefinition): Promise<{ left: number; joined: number; leads: number }> {
  const pending = await takePending(m, seg.id);
  return pending.length ? { ...(await evaluate(m, seg, pending)), leads: pending.length } : { left: 0, joined: 0, leads: 0 };
}

/** Removes and answers the segment's pending leads. */
async function takePending(m: EntityManager, segmentId: string): Promise<string[]> {
  // TypeORM answers a DELETE … RETURNING with [rows, affected]
  const [rows] = await selectRows<{ lead_ref: string }[]>(m, sql`DELETE FROM segment_pending_rechecks WHERE segment_id = ${segmentId} RETURNING lead_ref`);
  return rows.map((r) => r.lead_ref);
}

/** Who of `leadRefs` (every lead of the OU when 'all') is in the segment: two set-based statements. */
async function evaluate(m: EntityManager, seg: SegmentDefinition, leadRefs: string[] | 'all'): Promise<{ left: number; joined: number }> {
  const predicate = seg.active ? compileSegment(seg.rules) : raw('FALSE');
  const account = readsAccount(seg.rules) ? raw(' LEFT JOIN accounts a ON a.id = l.account_ref') : raw('');
  const some = (column: string): Sql => (leadRefs === 'all' ? raw('') : sql` AND ${raw(column)} = ANY(${leadRefs}::text[])`);
  const left = await execute(
    m,
    sql`DELETE FROM segment_members sm WHERE sm.segment_id = ${seg.id}${some('sm.lead_ref')}
          AND NOT EXISTS (SELECT 1 FROM leads l${account} WHERE l.id = sm.lead_ref AND l.status = 'active' AND (${predicate}))`,
  );
  const [{ n: joined }] = await selectRows<{ n: number }>(
    m,
    sql`WITH ins AS (
          INSERT INTO segment_members (segment_id, lead_ref, org_id, unit_id, joined_at)
          SELECT ${seg.id}, l.id, l.org_id, l.unit_id, now() FROM leads l${account}
           WHERE l.unit_id = ${seg.unit_id} AND l.status = 'active'${some('l.id')} AND (${predicate})
          ON CONFLICT (segment_id, lead_ref) DO NOTHING RETURNING 1)
        SELECT count(*)::int AS n FROM ins`,
  );
  return { left, joined };
}
