import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { selectOne, sql } from '../../../platform/database';
import { PlatformErrors } from '../../../platform/http';
import { Principal, unitScope } from '../../../platform/tenancy';
import { OuAccessService } from '../../identity';
import { SurgeMetricInterval, SurgeMetricsDto, SurgeMetricsQueryDto } from '../http/surge-metrics.dto';

const INTERVAL_SECONDS: Record<SurgeMetricInterval, number> = { '15m': 900, '1h': 3600, '1d': 86_400 };
/** A month of 15-minute buckets; longer ranges take a coarser interval. */
export const MAX_SURGE_METRIC_BUCKETS = 2976;

interface MetricsRow {
  totals: { surges: number; leads: number; events: number };
  channels: { channel: string; surges: number }[];
  series: { bucket_start: string; surges: number; leads: number }[];
}

const invalid = (field: string, reason: string) => PlatformErrors.error('validation_failed', `${field}: ${reason}`, [{ field, reason }]);

/**
 * SUR-M1: surge firings of one OU (the `surge_events` read model the detector writes, one row per firing) in
 * `[start, end)`, bucketed by fired_at. The OU comes from the path: the caller must be a member of it.
 */
@Injectable()
export class SurgeMetricsService {
  constructor(
    private readonly ds: DataSource,
    private readonly access: OuAccessService,
  ) {}

  async metrics(p: Principal, ouId: string, q: SurgeMetricsQueryDto): Promise<SurgeMetricsDto> {
    // 404 for an OU outside the caller's organization, 403 for one they are not a member of
    await this.access.require(p, ouId, ['Owner', 'Operator', 'Viewer']);
    const start = new Date(q.start);
    const end = new Date(q.end);
    if (Number.isNaN(start.getTime())) throw invalid('start', 'must be a valid date-time');
    if (Number.isNaN(end.getTime())) throw invalid('end', 'must be a valid date-time');
    if (end.getTime() <= start.getTime()) throw invalid('end', 'must be after start');
    const interval = q.interval ?? '1h';
    const step = INTERVAL_SECONDS[interval] * 1000;
    const first = Math.floor(start.getTime() / step) * step;
    const buckets = Math.ceil((end.getTime() - first) / step);
    if (buckets > MAX_SURGE_METRIC_BUCKETS) throw invalid('end', `the range holds ${buckets} ${interval} buckets; at most ${MAX_SURGE_METRIC_BUCKETS}`);
    const seconds = INTERVAL_SECONDS[interval];
    const row = (await selectOne<MetricsRow>(
      this.ds,
      sql`WITH f AS (
            SELECT to_timestamp(floor(extract(epoch FROM fired_at) / ${seconds}) * ${seconds}) AS bucket, lead_ref, event_count, channel
              FROM surge_events
             WHERE ${unitScope(undefined, { orgId: p.orgId, unitId: ouId })} AND fired_at >= ${start} AND fired_at < ${end}
               AND (${q.channel ?? null}::text IS NULL OR channel = ${q.channel ?? null}))
          SELECT
            (SELECT jsonb_build_object('surges', count(*), 'leads', count(DISTINCT lead_ref), 'events', coalesce(sum(event_count), 0)) FROM f) AS totals,
            (SELECT coalesce(jsonb_agg(jsonb_build_object('channel', channel, 'surges', n) ORDER BY n DESC, channel), '[]'::jsonb)
               FROM (SELECT channel, count(*) AS n FROM f GROUP BY channel) c) AS channels,
            (SELECT coalesce(jsonb_agg(jsonb_build_object('bucket_start', bucket, 'surges', n, 'leads', l) ORDER BY bucket), '[]'::jsonb)
               FROM (SELECT bucket, count(*) AS n, count(DISTINCT lead_ref) AS l FROM f GROUP BY bucket) s) AS series`,
    ))!;
    const filled = new Map(row.series.map((b) => [Date.parse(b.bucket_start), b]));
    const series = Array.from({ length: buckets }, (_, i) => {
      const at = first + i * step;
      const hit = filled.get(at);
      return { bucket_start: new Date(at).toISOString(), surges: hit?.surges ?? 0, leads: hit?.leads ?? 0 };
    });
    const peak = series.reduce<(typeof series)[number] | null>((best, b) => (b.surges > (best?.surges ?? 0) ? b : best), null);
    return {
      ou_id: ouId,
      start: start.toISOString(),
      end: end.toISOString(),
      interval,
      totals: row.totals,
      peak: peak ? { bucket_start: peak.bucket_start, surges: peak.surges } : null,
      channels: row.channels,
      series,
    };
  }
}
