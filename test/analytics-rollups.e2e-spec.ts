import { DataSource } from 'typeorm';
import { ProjectionRebuilder } from '../src/platform/projections/projection-rebuilder.service';
import { ingestAndWait } from './support/ingest';
import { startScenario } from './support/scenario';
import { api, Auth, ServiceAccount, Tenant } from './support/tenants';
import { eventually, TestApp } from './support/test-app';
import { H, MIN, NOW } from './support/time';

/**
 * The touch rollups (`event_touch_hours`, `leads.touches`) against the events themselves, through every way
 * `lead_events` changes: ingest in and out of order, a retroactive suppression (grouped velocity burst), deletion,
 * merge, erasure and a rebuild of the lead-events projection. After each step:
 *  - the rollup tables equal what a from-scratch computation over `lead_events` gives;
 *  - `GET /analytics/campaigns` with windows that end now (read from the rollups) answers exactly what the same
 *    window ending in the far future (read from the events) answers, per dimension, for starts at every 23 minutes
 *    over the 30 hours the events span (most of them mid-hour, where the start hour's own events decide);
 *  - `GET /event-stats`' top types (from the rollups) equal a plain count over the events, for server clocks moved
 *    17 minutes at a time.
 */
describe('Analytics touch rollups', () => {
  let t: TestApp;
  let a: Tenant;
  let sa: ServiceAccount;
  let ds: DataSource;
  const iso = (ms: number) => new Date(NOW.getTime() + ms).toISOString();
  const FAR = '2100-01-01T00:00:00Z';
  const get = (path: string, auth: Auth = sa.auth) => api(t, auth).get(path);

  // a small deterministic generator: the same events on every run
  let seed = 7;
  const rand = (n: number) => {
    // mulberry32
    seed = (seed + 0x6d2b79f5) | 0;
    let x = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) % n;
  };
  const leads = Array.from({ length: 12 }, (_, i) => `touch-${i}`);
  const campaigns = ['spring', 'summer', 'fall 2026/q3', ''];
  const sources = ['google', 'linkedin', 'newsletter'];
  const types = ['Page View', 'Form View', 'Demo Request'];
  const randomEvent = (lead: string, ms: number) => {
    const c = campaigns[rand(campaigns.length)];
    const metadata: Record<string, unknown> = {};
    if (c) metadata.utm_campaign = c;
    if (rand(3)) metadata.utm_source = sources[rand(sources.length)];
    if (rand(2)) metadata.utm_medium = rand(2) ? 'cpc' : 42; // a number reads as its text, as the generated column has it
    return { lead_id: lead, event_type: types[rand(2) ? 0 : 2], timestamp: iso(ms), metadata };
  };

  beforeAll(async () => {
    ({ t, a, sa } = await startScenario({ serviceAccount: 'touches', now: NOW, env: { SCHEDULER_ENABLED: false } }));
    ds = t.app.get(DataSource);
    for (const id of [...leads, 'touch-burst']) await api(t, sa.auth).post('/leads', { id }).expect(201);
  });
  afterAll(() => t.close());

  /** The rollups as stored (cells that count anything) and as computed from the events now. */
  async function rollups(): Promise<{ stored: unknown; expected: unknown }> {
    const ev = `SELECT e.lead_ref, d.dim, d.value, floor(extract(epoch FROM e.occurred_at) / 3600)::int AS h, e.occurred_at
                  FROM lead_events e
                  CROSS JOIN LATERAL (VALUES ('t', e.event_type_key), ('c', e.utm_campaign), ('s', e.utm_source), ('m', e.utm_medium)) AS d(dim, value)
                 WHERE e.unit_id = $1 AND e.suppression IS NULL AND e.source <> 'system' AND e.lead_ref IS NOT NULL AND d.value IS NOT NULL`;
    const expectedCells = await ds.query(
      `WITH ev AS (${ev}),
            latest AS (SELECT lead_ref, dim, value, max(h) AS h FROM ev GROUP BY 1, 2, 3),
            lc AS (SELECT dim, value, h, count(*)::int AS leads FROM latest GROUP BY 1, 2, 3)
       SELECT c.dim, c.value, c.h AS hour, c.events, coalesce(lc.leads, 0) AS leads, c.first_at, c.last_at
         FROM (SELECT dim, value, h, count(*)::int AS events, min(occurred_at) AS first_at, max(occurred_at) AS last_at FROM ev GROUP BY 1, 2, 3) c
         LEFT JOIN lc USING (dim, value, h)
        ORDER BY 1, 2, 3`,
      [a.unitId],
    );
    const storedCells = await ds.query(
      `SELECT dim, value, hour, events, leads, first_at, last_at FROM event_touch_hours
        WHERE unit_id = $1 AND (events <> 0 OR leads <> 0) ORDER BY 1, 2, 3`,
      [a.unitId],
    );
    const expectedTouches = await ds.query(
      `WITH ev AS (${ev})
       SELECT lead_ref AS id, jsonb_object_agg(dim || ':' || value, h ORDER BY dim, value) AS touches
         FROM (SELECT lead_ref, dim, value, max(h) AS h FROM ev GROUP BY 1, 2, 3) x GROUP BY 1 ORDER BY 1`,
      [a.unitId],
    );
    const storedTouches = await ds.query(`SELECT id, touches FROM leads WHERE unit_id = $1 AND touches IS NOT NULL AND touches <> '{}'::jsonb ORDER BY 1`, [
      a.unitId,
    ]);
    return { stored: { cells: storedCells, touches: storedTouches }, expected: { cells: expectedCells, touches: expectedTouches } };
  }

  async function expectExact(): Promise<void> {
    const { stored, expected } = await rollups();
    expect(stored).toEqual(expected);
    expect((expected as { cells: unknown[] }).cells.length).toBeGreaterThan(10);

    // campaigns: windows ending now (rollups) against the same windows ending far ahead (events)
    for (const dim of ['campaign', 'source', 'medium']) {
      for (let k = -1; k <= 80; k++) {
        const start = k < 0 ? '' : `&start_date=${encodeURIComponent(iso(2 * H - k * 23 * MIN))}`;
        const now = (await get(`/analytics/campaigns?group_by=${dim}${start}`).expect(200)).body;
        const scan = (await get(`/analytics/campaigns?group_by=${dim}${start}&end_date=${FAR}`).expect(200)).body;
        expect({ dim, start, ...now }).toEqual({ dim, start, ...scan });
      }
    }
    // event stats: the top types of each range ending now against a plain count
    for (let k = 0; k < 12; k++) {
      const clock = new Date(NOW.getTime() + k * 17 * MIN);
      t.clock.set(clock);
      for (const [range, back] of [
        ['last_24h', 24 * H],
        ['last_7d', 7 * 24 * H],
        ['all', null],
      ] as const) {
        const body = (await get(`/event-stats?range=${range}`).expect(200)).body;
        const oracle = await ds.query(
          `SELECT coalesce(st.name, c.k) AS event_type, c.n AS count, c.leads FROM (
             SELECT event_type_key AS k, count(*)::int AS n, count(DISTINCT lead_ref)::int AS leads FROM lead_events
              WHERE unit_id = $1 AND suppression IS NULL AND source <> 'system' AND ($2::timestamptz IS NULL OR occurred_at >= $2)
              GROUP BY 1 ORDER BY n DESC, k LIMIT 10) c
           LEFT JOIN event_type_stats st ON st.unit_id = $1 AND st.key = c.k ORDER BY c.n DESC, c.k`,
          [a.unitId, back === null ? null : new Date(clock.getTime() - back).toISOString()],
        );
        expect({ range, clock, top: body.top_events }).toEqual({ range, clock, top: oracle });
      }
    }
    t.clock.set(NOW);
  }

  it('ingested events, in order and out of order', async () => {
    const first = [];
    for (let i = 0; i < 90; i++) first.push(randomEvent(leads[rand(leads.length)], -rand(30 * 60) * MIN));
    first.sort((x, y) => x.timestamp.localeCompare(y.timestamp));
    await ingestAndWait(t, sa.auth, first);
    await expectExact();
    // older events of the same leads after newer ones: latest touches stay, cells still count them
    const late = [];
    for (let i = 0; i < 30; i++) late.push(randomEvent(leads[rand(leads.length)], -rand(30 * 60) * MIN));
    await ingestAndWait(t, sa.auth, late);
    await expectExact();
  });

  it('a grouped velocity burst suppresses earlier events retroactively', async () => {
    await api(t, sa.auth).post('/filters', { event_type: 'Form View', count_threshold: 2, time_window_ms: 60_000, group_events: true }).expect(201);
    const burst = [300, 290, 280].map((s) => ({
      lead_id: 'touch-burst',
      event_type: 'Form View',
      timestamp: iso(-s * 1000),
      metadata: { utm_campaign: 'burst', utm_source: 'google' },
    }));
    const ids = await ingestAndWait(t, sa.auth, burst);
    await eventually(async () => {
      const rows = await ds.query(`SELECT count(*)::int AS n FROM lead_events WHERE event_id = ANY($1::uuid[]) AND suppression = 'inorganic_grouped'`, [ids]);
      return rows[0].n === 2;
    });
    await expectExact();
  });

  it('deleted events', async () => {
    const ids: string[] = (
      await ds.query(`SELECT event_id FROM lead_events WHERE unit_id = $1 AND source <> 'system' ORDER BY occurred_at DESC, event_id LIMIT 15`, [a.unitId])
    ).map((r: { event_id: string }) => r.event_id);
    await api(t, sa.auth)
      .delete('/events/batch', { ids: ids.filter((_, i) => i % 2 === 0) })
      .expect(200);
    await eventually(async () => (await ds.query(`SELECT count(*)::int AS n FROM lead_events WHERE event_id = ANY($1::uuid[])`, [ids]))[0].n === 7);
    await expectExact();
  });

  it('merged leads', async () => {
    await api(t, sa.auth)
      .post('/leads/merge', { targetLeadId: 'touch-1', sourceLeadIds: ['touch-2', 'touch-3'] })
      .expect(200);
    await eventually(
      async () =>
        (
          await ds.query(`SELECT count(*)::int AS n FROM lead_events WHERE unit_id = $1 AND lead_id IN ('touch-2', 'touch-3') AND source <> 'system'`, [
            a.unitId,
          ])
        )[0].n === 0,
    );
    await expectExact();
  });

  it('an erased lead', async () => {
    await api(t, sa.auth).delete('/lead/touch-4').expect(200);
    await eventually(async () => (await get('/lead/touch-4/deletion-status').expect(200)).body.status === 'completed');
    await expectExact();
  });

  it('a rebuild of the lead-events projection gives the same rollups', async () => {
    const before = await rollups();
    await t.app.get(ProjectionRebuilder).rebuild('lead-events');
    const after = await rollups();
    expect(after.stored).toEqual(before.stored);
    await expectExact();
  });
});
