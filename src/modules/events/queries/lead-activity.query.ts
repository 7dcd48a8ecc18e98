import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock } from '../../../platform/clock';
import { selectRows, sql } from '../../../platform/database';
import { PlatformErrors, relativeRange } from '../../../platform/http';
import { contributionPoints, ScoreReader } from '../../scoring';
import { ActivityDto, ActivityQueryDto } from '../http/events.dto';
import { EVENT_COLUMNS, EventRow, toEventView } from './event-views';

const MAX_ACTIVITY_EVENTS = 1000;

interface ScoreRow {
  event_id: string;
  base_points: number | string;
  multiplier: number | string;
  half_life_days: number | null;
  occurred_at: Date | string;
}

/** The `[start, end)` a range names, in UTC (default last 7 days); `custom` needs both bounds. */
export function activityWindow(q: ActivityQueryDto, now: Date): { start: Date | null; end: Date | null } {
  const range = q.range ?? 'last_7d';
  if (range !== 'custom') return relativeRange(range, now);
  if (!q.start || !q.end) {
    throw PlatformErrors.error('validation_failed', 'range=custom needs start and end', [
      { field: q.start ? 'end' : 'start', reason: 'is required with range=custom' },
    ]);
  }
  const start = new Date(q.start);
  const end = new Date(q.end);
  if (end <= start) throw PlatformErrors.error('validation_failed', 'end must be after start', [{ field: 'end', reason: 'must be after start' }]);
  return { start, end };
}

/** One lead's events with the points each contributes now, filtered as the activity view asks; orders come with deals. */
@Injectable()
export class LeadActivityQuery {
  constructor(
    private readonly ds: DataSource,
    private readonly reader: ScoreReader,
    private readonly clock: Clock,
  ) {}

  async activity(leadId: string, q: ActivityQueryDto): Promise<ActivityDto> {
    const lead = await this.reader.lead(leadId);
    const now = this.clock.now();
    const { start, end } = activityWindow(q, now);
    const from = start ? sql` AND occurred_at >= ${start.toISOString()}::timestamptz` : sql``;
    const until = end ? sql` AND occurred_at < ${end.toISOString()}::timestamptz` : sql``;
    const ofChannel = q.channel && q.channel !== 'all' ? sql` AND channel = ${q.channel}` : sql``;
    const rows = await selectRows<EventRow>(
      this.ds,
      sql`SELECT ${EVENT_COLUMNS} FROM lead_events WHERE lead_ref = ${lead.id}${from}${until}${ofChannel}
          ORDER BY occurred_at DESC, event_id DESC LIMIT ${MAX_ACTIVITY_EVENTS}`,
    );
    const delta = await this.pointsNow(lead.id, rows, now);
    const hasDelta = q.hasDelta === undefined ? undefined : q.hasDelta === '1' || q.hasDelta === 'true';
    const events = rows
      .map((r) => ({
        type: 'event',
        ...toEventView(r),
        score_delta: Math.round((delta.get(r.event_id) ?? 0) * 100) / 100,
        latency_ms: Math.max(0, new Date(r.recorded_at).getTime() - new Date(r.received_at).getTime()),
      }))
      .filter((e) => q.minScore === undefined || e.score_delta >= q.minScore)
      .filter((e) => q.maxLatency === undefined || e.latency_ms <= q.maxLatency)
      .filter((e) => hasDelta === undefined || (e.score_delta !== 0) === hasDelta);
    return { events, orders: [], timeline: [...events].sort((a, b) => (a.timestamp < b.timestamp ? 1 : a.timestamp > b.timestamp ? -1 : 0)) };
  }

  /** Points each event contributes now, summed over rulesets. */
  private async pointsNow(leadRef: string, rows: EventRow[], now: Date): Promise<Map<string, number>> {
    const scores = await selectRows<ScoreRow>(
      this.ds,
      sql`SELECT event_id, base_points, multiplier, half_life_days, occurred_at FROM event_scores WHERE lead_ref = ${leadRef} AND event_id = ANY(${rows.map((r) => r.event_id)}::uuid[])`,
    );
    const delta = new Map<string, number>();
    for (const s of scores) {
      const points = contributionPoints(
        { occurred_at: new Date(s.occurred_at), base_points: Number(s.base_points), multiplier: Number(s.multiplier), half_life_days: s.half_life_days },
        now,
      );
      delta.set(s.event_id, (delta.get(s.event_id) ?? 0) + points);
    }
    return delta;
  }
}
