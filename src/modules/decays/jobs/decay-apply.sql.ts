import { EntityManager } from 'typeorm';
import { DECAY_EVENT_TYPE, DECAY_RULE_ID, canonicalEventType } from '../../scoring';

/** What one OU's decay run needs to know once, before its chunks. */
export interface UnitDecaySetup {
  org_id: string;
  unit_id: string;
  /** active rules, each period in seconds */
  rules: { decay_id: string; seconds: number; decrease: number }[];
  /** the OU's active engagement rulesets */
  rulesets: string[];
  /** the primary engagement ruleset (its score is copied to `leads.score`) */
  primary: string | null;
  allow_negative: boolean;
}

/** Keyset position in the walk over inactive leads: last activity (as text: it may be -infinity) and id, descending. */
export interface DecayCursor {
  at: string;
  id: string;
}

export interface DecayChunkResult {
  scanned: number;
  /** where the next chunk starts; null when this one was the last */
  next: DecayCursor | null;
  applications: number;
  events: number;
  leads_decayed: number;
  points: number;
}

const ACTIVITY = `coalesce(l.last_event_at, '-infinity'::timestamptz)`;

/** A `lead_scores` row's raw (unfloored) total as of its `computed_at`: its terms' sum, or its score without terms. */
const RAW_AT_COMPUTED = `(CASE WHEN t.terms IS NULL THEN t.score ELSE (SELECT coalesce(sum(e.value::float8), 0) FROM jsonb_each_text(t.terms) e) END)`;

/**
 * One chunk of `decay.apply`, one statement: the next `limit` leads of the OU whose last activity is at least one
 * (shortest) period old, walked on the lead-list index `(unit_id, coalesce(last_event_at, -infinity) DESC, id DESC)`
 * (a lead without events counts as inactive since its creation);
 * for each lead, rule and engagement ruleset, the full periods elapsed since the last activity (`k_due`) beyond
 * those the ledger already charged for this inactivity spell; the points they cost (`periods × decrease`), taken
 * rule by rule (id order) from the ruleset's raw score now and never below 0 unless negative scores are allowed;
 * then, for the ledger rows actually inserted (a concurrent run's rows conflict and are dropped), the `DECAY`
 * events (`lead_events`, system source and channel: not activity, never scored by rules), their contributions
 * (`event_scores`, undecaying, so every recompute keeps them), the materialised ruleset scores (`lead_scores`:
 * the undecaying term and the score move by the amount, as of their `computed_at`) and `leads.score`.
 * Applications that could take nothing (the score is at the floor) are recorded in the ledger without an event.
 */
export async function applyDecayChunk(
  m: EntityManager,
  setup: UnitDecaySetup,
  now: Date,
  cutoff: Date,
  after: DecayCursor | null,
  limit: number,
): Promise<DecayChunkResult> {
  const [row] = await m.query(
    `WITH page AS MATERIALIZED (
       SELECT l.id, l.lead_id, coalesce(l.last_event_at, l.created_at) AS since, ${ACTIVITY} AS key_at
         FROM leads l
        WHERE l.unit_id = $1 AND l.status = 'active' AND ${ACTIVITY} <= $11::timestamptz
          AND ($9::text IS NULL OR (${ACTIVITY}, l.id) < (($9::text)::timestamptz, $10::text))
        ORDER BY ${ACTIVITY} DESC, l.id DESC
        LIMIT $8
     ), due AS (
       SELECT p.id AS lead_ref, p.since, r.decay_id, r.decrease, rs.ruleset_id,
              floor(extract(epoch FROM ($3::timestamptz - p.since)) / r.seconds)::int AS k_due
         FROM page p
        CROSS JOIN jsonb_to_recordset($4::jsonb) AS r(decay_id text, seconds double precision, decrease integer)
        CROSS JOIN unnest($5::text[]) AS rs(ruleset_id)
        WHERE extract(epoch FROM ($3::timestamptz - p.since)) >= r.seconds
     ), todo AS (
       SELECT d.*, coalesce(done.k, 0) AS k_done
         FROM due d
         LEFT JOIN LATERAL (
           SELECT a.k FROM decay_applications a
            WHERE a.lead_ref = d.lead_ref AND a.decay_id = d.decay_id AND a.ruleset_id = d.ruleset_id AND a.inactive_since = d.since
            ORDER BY a.k DESC LIMIT 1
         ) done ON true
        WHERE d.k_due > coalesce(done.k, 0)
     ), wanted AS (
       SELECT t.*, (t.k_due - t.k_done) * t.decrease AS want,
              CASE WHEN s.lead_ref IS NULL THEN 0
                   WHEN s.terms IS NULL THEN s.score
                   ELSE (SELECT coalesce(sum(CASE WHEN e.key = '0' THEN e.value::float8
                                                  ELSE e.value::float8 * power(0.5, greatest(0, extract(epoch FROM ($3::timestamptz - s.computed_at))) / 86400.0 / e.key::float8) END), 0)
                           FROM jsonb_each_text(s.terms) e) END AS raw
         FROM todo t LEFT JOIN lead_scores s ON s.lead_ref = t.lead_ref AND s.ruleset_id = t.ruleset_id
     ), alloc AS (
       SELECT w.*,
              CASE WHEN $7::bool THEN w.want::float8
                   ELSE least(w.want, greatest(0, w.raw - (sum(w.want) OVER (PARTITION BY w.lead_ref, w.ruleset_id ORDER BY w.decay_id) - w.want))) END AS amount
         FROM wanted w
     ), ins AS (
       INSERT INTO decay_applications (lead_ref, decay_id, ruleset_id, inactive_since, k, org_id, unit_id, periods, amount, event_id, applied_at)
       SELECT a.lead_ref, a.decay_id, a.ruleset_id, a.since, a.k_due, $2, $1, a.k_due - a.k_done, a.amount,
              CASE WHEN a.amount > 0 THEN
                -- UUIDv7 (time-ordered, like every generated event id: index locality)
                encode(set_bit(set_bit(overlay(uuid_send(gen_random_uuid()) PLACING substring(int8send(floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint) FROM 3)
                       FROM 1 FOR 6), 52, 1), 53, 1), 'hex')::uuid END,
              $3
         FROM alloc a
       ON CONFLICT DO NOTHING
       RETURNING lead_ref, decay_id, ruleset_id, inactive_since, k, periods, amount, event_id
     ), ev AS (
       INSERT INTO lead_events (event_id, org_id, unit_id, lead_ref, lead_id, event_type, event_type_key, occurred_at, received_at, recorded_at, metadata, channel, source)
       SELECT i.event_id, $2, $1, i.lead_ref, p.lead_id, $12, $13, $3, $3, $3,
              jsonb_build_object('channel', 'system', 'decay_id', i.decay_id, 'ruleset_id', i.ruleset_id, 'amount', i.amount,
                                 'periods', i.periods, 'period_k', i.k,
                                 'inactive_since', to_char(i.inactive_since AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')),
              'system', 'system'
         FROM ins i JOIN page p ON p.id = i.lead_ref
        WHERE i.event_id IS NOT NULL
     ), sc AS (
       INSERT INTO event_scores (event_id, ruleset_id, org_id, unit_id, lead_ref, rule_id, base_points, multiplier, half_life_days, occurred_at)
       SELECT i.event_id, i.ruleset_id, $2, $1, i.lead_ref, $14, -i.amount, 1, NULL, $3 FROM ins i WHERE i.event_id IS NOT NULL
     ), per AS (
       SELECT lead_ref, ruleset_id, sum(amount) AS amount, count(*)::int AS n FROM ins WHERE event_id IS NOT NULL GROUP BY lead_ref, ruleset_id
     ), ls AS (
       INSERT INTO lead_scores AS t (lead_ref, ruleset_id, org_id, unit_id, score, decays, event_count, computed_at, terms)
       SELECT per.lead_ref, per.ruleset_id, $2, $1, -per.amount, false, per.n, $3, jsonb_build_object('0', -per.amount) FROM per
       ON CONFLICT (lead_ref, ruleset_id) DO UPDATE SET
          score = CASE WHEN $7::bool THEN ${RAW_AT_COMPUTED} + excluded.score ELSE greatest(0, ${RAW_AT_COMPUTED} + excluded.score) END,
          terms = CASE WHEN t.terms IS NULL THEN NULL ELSE t.terms || jsonb_build_object('0', coalesce((t.terms ->> '0')::float8, 0) + excluded.score) END,
          event_count = t.event_count + excluded.event_count
       RETURNING t.lead_ref, t.ruleset_id, t.score
     ), prim AS (
       UPDATE leads l SET score = ls.score FROM ls WHERE ls.ruleset_id = $6 AND l.id = ls.lead_ref AND l.score IS DISTINCT FROM ls.score
     )
     SELECT (SELECT count(*) FROM page)::int AS scanned,
            (SELECT key_at::text FROM page ORDER BY key_at, id LIMIT 1) AS last_at,
            (SELECT id FROM page ORDER BY key_at, id LIMIT 1) AS last_id,
            (SELECT count(*) FROM ins)::int AS applications,
            (SELECT count(*) FROM ins WHERE event_id IS NOT NULL)::int AS events,
            (SELECT count(DISTINCT lead_ref) FROM ins WHERE event_id IS NOT NULL)::int AS leads_decayed,
            (SELECT coalesce(sum(amount), 0) FROM ins)::float8 AS points`,
    [
      setup.unit_id,
      setup.org_id,
      now.toISOString(),
      JSON.stringify(setup.rules),
      setup.rulesets,
      setup.primary,
      setup.allow_negative,
      limit,
      after?.at ?? null,
      after?.id ?? null,
      cutoff.toISOString(),
      DECAY_EVENT_TYPE,
      canonicalEventType(DECAY_EVENT_TYPE),
      DECAY_RULE_ID,
    ],
  );
  return {
    scanned: row.scanned,
    next: row.scanned === limit ? { at: row.last_at, id: row.last_id } : null,
    applications: row.applications,
    events: row.events,
    leads_decayed: row.leads_decayed,
    points: Number(row.points),
  };
}
