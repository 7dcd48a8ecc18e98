import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock } from '../../../platform/clock';
import { selectRows, sql } from '../../../platform/database';
import { isoOrNull, relativeRange } from '../../../platform/http';
import { unitOnly } from '../../../platform/tenancy';
import { ScoreGainDto, TopLeadDto } from '../http/analytics.dto';
import { ScoreGainRange } from '../http/analytics-query.dto';
import { displayedScore } from './analytics-sql';

interface Row {
  lead_id: string;
  score: number;
  score_gain?: number;
  last_event_at: Date | null;
}

/**
 * Leads ranked by their engagement score as the lead list shows it (`leads.score`, the primary engagement
 * ruleset's score, rounded half up): live, qualified leads of the active OU, like `GET /leads` by default.
 */
@Injectable()
export class LeadRankingsQuery {
  constructor(
    private readonly ds: DataSource,
    private readonly clock: Clock,
  ) {}

  /** The highest scores: a bounded walk of `leads_list_score_idx`. */
  async top(limit: number): Promise<TopLeadDto[]> {
    const rows = await selectRows<Row>(
      this.ds,
      sql`SELECT l.lead_id, ${displayedScore('l')} AS score, l.last_event_at FROM leads l
           WHERE ${unitOnly('l')} AND l.status = 'active' AND NOT l.disqualified
           ORDER BY l.score DESC, l.id DESC LIMIT ${limit}`,
    );
    return rows.map((r) => ({ lead_id: r.lead_id, score: Number(r.score), last_event_at: isoOrNull(r.last_event_at) }));
  }

  /**
   * score_gain = displayed score now − the score of the lead's latest `scores.snapshot` at or before the period
   * start (0 when it had none: snapshots record changes from 0, so no snapshot means 0 or before history began).
   * Only gains above 0, largest first.
   */
  async gains(range: ScoreGainRange, limit: number): Promise<ScoreGainDto[]> {
    const start = relativeRange(range, this.clock.now()).start!;
    const rows = await selectRows<Row>(
      this.ds,
      sql`WITH base AS (
            SELECT DISTINCT ON (s.lead_ref) s.lead_ref, s.score FROM score_snapshots s
             WHERE ${unitOnly('s')} AND s.snapshot_at <= ${start.toISOString()}
             ORDER BY s.lead_ref, s.snapshot_at DESC
          ), now AS (
            SELECT l.id, l.lead_id, l.last_event_at, ${displayedScore('l')} AS score FROM leads l
             WHERE ${unitOnly('l')} AND l.status = 'active' AND NOT l.disqualified
          )
          SELECT n.lead_id, n.score, n.score - coalesce(b.score, 0) AS score_gain, n.last_event_at
            FROM now n LEFT JOIN base b ON b.lead_ref = n.id
           WHERE n.score - coalesce(b.score, 0) > 0
           ORDER BY score_gain DESC, n.score DESC, n.lead_id LIMIT ${limit}`,
    );
    return rows.map((r) => ({ lead_id: r.lead_id, score: Number(r.score), score_gain: Number(r.score_gain), last_event_at: isoOrNull(r.last_event_at) }));
  }
}
