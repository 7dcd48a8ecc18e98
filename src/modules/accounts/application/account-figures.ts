import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { QualificationFollower } from '../../scoring';

/**
 * The aggregate figures of accounts (ACC-3), recomputed set-based from their live leads in one statement: over
 * qualified leads (disqualified ones leave the aggregates) and over all (`*_all`, served with
 * include_disqualified=true): leads count, top lead score, summed engagement, average profile score, the owner of the
 * top-scoring lead, last activity, and the last surge firing of any of their leads (surging = within 24 h, on read).
 */
@Injectable()
export class AccountFigures implements QualificationFollower {
  async refresh(m: EntityManager, accountRefs: Iterable<string>): Promise<void> {
    const refs = [...new Set(accountRefs)];
    if (!refs.length) return;
    await m.query(
      `WITH t AS (SELECT unnest($1::text[]) AS id),
       agg AS (
         SELECT t.id,
                count(l.id) FILTER (WHERE NOT l.disqualified)::int AS n,
                coalesce(max(l.score) FILTER (WHERE NOT l.disqualified), 0) AS top,
                coalesce(sum(l.score) FILTER (WHERE NOT l.disqualified), 0) AS eng,
                coalesce(avg(l.profile_score) FILTER (WHERE NOT l.disqualified), 0) AS prof,
                max(l.last_event_at) FILTER (WHERE NOT l.disqualified) AS last,
                count(l.id)::int AS n_all, coalesce(max(l.score), 0) AS top_all, coalesce(sum(l.score), 0) AS eng_all, max(l.last_event_at) AS last_all,
                count(l.id) FILTER (WHERE l.disqualified)::int AS dq
           FROM t LEFT JOIN leads l ON l.account_ref = t.id AND l.status = 'active'
          GROUP BY t.id),
       own AS (
         SELECT DISTINCT ON (l.account_ref) l.account_ref AS id, l.owner_name FROM leads l
          WHERE l.account_ref = ANY($1::text[]) AND l.status = 'active' AND NOT l.disqualified ORDER BY l.account_ref, l.score DESC, l.id),
       own_all AS (
         SELECT DISTINCT ON (l.account_ref) l.account_ref AS id, l.owner_name FROM leads l
          WHERE l.account_ref = ANY($1::text[]) AND l.status = 'active' ORDER BY l.account_ref, l.score DESC, l.id),
       surge AS (
         SELECT l.account_ref AS id, max(s.fired_at) AS at FROM leads l JOIN surge_events s ON s.lead_ref = l.id
          WHERE l.account_ref = ANY($1::text[]) AND l.status = 'active' GROUP BY l.account_ref)
       UPDATE accounts a SET leads_count = g.n, top_score = g.top, engagement_score = g.eng, profile_score = g.prof, last_activity_at = g.last,
              owner_name = o.owner_name, leads_count_all = g.n_all, top_score_all = g.top_all, engagement_score_all = g.eng_all,
              last_activity_at_all = g.last_all, owner_name_all = oa.owner_name, disqualified_count = g.dq, last_surge_at = s.at
         FROM agg g LEFT JOIN own o ON o.id = g.id LEFT JOIN own_all oa ON oa.id = g.id LEFT JOIN surge s ON s.id = g.id
        WHERE a.id = g.id
          AND (a.leads_count, a.top_score, a.engagement_score, a.profile_score, a.last_activity_at, a.owner_name, a.leads_count_all, a.top_score_all,
               a.engagement_score_all, a.last_activity_at_all, a.owner_name_all, a.disqualified_count, a.last_surge_at)
              IS DISTINCT FROM (g.n, g.top, g.eng, g.prof, g.last, o.owner_name, g.n_all, g.top_all, g.eng_all, g.last_all, oa.owner_name, g.dq, s.at)`,
      [refs],
    );
  }

  /** QualificationFollower: leads were disqualified or re-qualified by profile scoring; their accounts' figures follow. */
  async qualificationChanged(m: EntityManager, leadRefs: string[]): Promise<void> {
    const rows: { account_ref: string }[] = await m.query(
      `SELECT DISTINCT account_ref FROM leads WHERE id = ANY($1::text[]) AND account_ref IS NOT NULL ORDER BY account_ref`,
      [leadRefs],
    );
    await this.refresh(
      m,
      rows.map((r) => r.account_ref),
    );
  }
}
