import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { ScoringSetupService } from '../src/modules/scoring';
import { AuditWriter } from '../src/platform/audit/audit-writer.service';
import { emailAliases, ingest, ingestAndWait, leadOfEvent, processed, scoreOf } from './support/ingest';
import { createRuleset } from './support/rulesets';
import { startScenario } from './support/scenario';
import { activateOu, api, Auth, memberWithRole, Tenant } from './support/tenants';
import { eventually, TestApp } from './support/test-app';

const MIN = 60_000;
const H = 3_600_000;

const STANDARD = {
  mode: 'standard',
  bands: [
    { min_events: 1, multiplier: 1 },
    { min_events: 3, multiplier: 1.25 },
    { min_events: 5, multiplier: 1.5 },
    { min_events: 8, multiplier: 2 },
  ],
  idle_reset_seconds: 1800,
  multiplier_cap: 2,
};

describe('Surge session multipliers (SUR-S1..S3) and surge metrics (SUR-M1)', () => {
  let t: TestApp;
  let a: Tenant;
  let b: Tenant;
  let viewer: Auth;
  let ds: DataSource;
  /** a whole minute two hours ago: every event of this file is at base + some minutes, well inside "now" */
  const base = Math.floor((Date.now() - 2 * H) / MIN) * MIN;
  const at = (minutes: number) => new Date(base + minutes * MIN).toISOString();
  const as = () => api(t, a.admin);
  const policy = (body: object) => as().put('/settings/ou/surge-session-policy', body);
  /** One ingest request with one event of `type` per offset (in minutes), all for one lead; answers the lead and the event ids. */
  const sessionOf = async (who: string, type: string, minutes: number[]) => {
    const ids = await ingestAndWait(
      t,
      a.admin,
      minutes.map((m) => ({ ...emailAliases(`${who}@surge.example`), event_type: type, timestamp: at(m) })),
    );
    return { lead: await leadOfEvent(t, a.admin, ids[0]), ids };
  };

  beforeAll(async () => {
    ({ t, a, b } = await startScenario({ rival: 'Surge Rival' }));
    ds = t.app.get(DataSource);
    await activateOu(t, a.admin, a.unitId);
    viewer = (await memberWithRole(t, a, 'viewer@surge.example', 'Viewer')).auth;
    await createRuleset(t, a.admin, 'Surge', [
      { event_type: 'Surge View', weight: 10 },
      { event_type: 'Surge Drop', weight: -4 },
    ]);
  });
  afterAll(() => t.close());

  describe('GET/PUT /settings/ou/surge-session-policy', () => {
    it('answers the Standard defaults when the OU saved nothing', async () => {
      const res = await as().get('/settings/ou/surge-session-policy').expect(200);
      expect(res.body).toEqual({ org_id: a.orgId, unit_id: a.unitId, ...STANDARD });
    });

    it('refuses invalid policies with 400 naming the field, and writes nothing', async () => {
      const field = async (body: object) => {
        const res = await policy(body);
        expect(res.status).toBe(400);
        return res.body.details.map((d: { field: string }) => d.field);
      };
      expect(await field({ mode: 'custom' })).toEqual(['bands']);
      expect(await field({ mode: 'custom', bands: [] })).toEqual(['bands']);
      expect(
        await field({
          mode: 'custom',
          bands: [
            { min_events: 2, multiplier: 1.5 },
            { min_events: 2, multiplier: 2 },
          ],
        }),
      ).toEqual(['bands']);
      expect(await field({ mode: 'turbo' })).toEqual(['mode']);
      expect(await field({})).toEqual(['mode']);
      expect(await field({ mode: 'off', multiplier_cap: 3.5 })).toEqual(['multiplier_cap']);
      expect(await field({ mode: 'off', multiplier_cap: 0.5 })).toEqual(['multiplier_cap']);
      expect(await field({ mode: 'off', idle_reset_seconds: 0 })).toEqual(['idle_reset_seconds']);
      expect(await field({ mode: 'off', idle_reset_seconds: 1.5 })).toEqual(['idle_reset_seconds']);
      expect(await field({ mode: 'custom', bands: [{ min_events: 0, multiplier: 1 }] })).toEqual(['bands[0].min_events']);
      expect(await field({ mode: 'custom', bands: [{ min_events: 1, multiplier: 4 }] })).toEqual(['bands[0].multiplier']);
      expect((await as().get('/settings/ou/surge-session-policy').expect(200)).body.mode).toBe('standard');
    });

    it('needs a credential (401) and refuses a Viewer (403), who may still read', async () => {
      expect((await api(t).get('/settings/ou/surge-session-policy')).status).toBe(401);
      expect((await api(t).put('/settings/ou/surge-session-policy').send({ mode: 'off' })).status).toBe(401);
      expect((await api(t, viewer).put('/settings/ou/surge-session-policy', { mode: 'off' })).status).toBe(403);
      expect((await api(t, viewer).get('/settings/ou/surge-session-policy').expect(200)).body.mode).toBe('standard');
    });

    it('upserts per OU, answers the policy in force (presets keep their values) and audits the change', async () => {
      const gentle = await policy({ mode: 'gentle', idle_reset_seconds: 60, multiplier_cap: 3 }).expect(200);
      expect(gentle.body).toEqual({
        org_id: a.orgId,
        unit_id: a.unitId,
        mode: 'gentle',
        bands: [
          { min_events: 1, multiplier: 1 },
          { min_events: 3, multiplier: 1.1 },
          { min_events: 5, multiplier: 1.25 },
          { min_events: 8, multiplier: 1.5 },
        ],
        idle_reset_seconds: 1800,
        multiplier_cap: 1.5,
      });
      expect((await as().get('/settings/ou/surge-session-policy').expect(200)).body).toEqual(gentle.body);
      const custom = await policy({
        mode: 'custom',
        bands: [
          { min_events: 4, multiplier: 3 },
          { min_events: 2, multiplier: 2.5 },
        ],
      }).expect(200);
      expect(custom.body).toMatchObject({
        mode: 'custom',
        bands: [
          { min_events: 2, multiplier: 2.5 },
          { min_events: 4, multiplier: 3 },
        ],
        idle_reset_seconds: 1800,
        multiplier_cap: 2,
      });
      // another organization still has the defaults
      expect((await api(t, b.admin).get('/settings/ou/surge-session-policy').expect(200)).body).toEqual({ org_id: b.orgId, unit_id: b.unitId, ...STANDARD });
      await t.app.get(AuditWriter).flush();
      const audit = (await as().get('/audit-logs?method=PUT').expect(200)).body.items.filter(
        (i: { entity_type: string }) => i.entity_type === 'surge_session_policy',
      );
      expect(audit.slice(0, 2).map((i: { summary: string; entity_id: string; status: number }) => [i.summary, i.entity_id, i.status])).toEqual([
        ['admin@first.example set the surge session policy to custom (2+ ×2.5, 4+ ×3; idle reset 1800 s; cap 2)', a.unitId, 200],
        ['admin@first.example set the surge session policy to gentle (1+ ×1, 3+ ×1.1, 5+ ×1.25, 8+ ×1.5; idle reset 1800 s; cap 1.5)', a.unitId, 200],
      ]);
      await policy({ mode: 'standard' }).expect(200);
    });
  });

  describe('multipliers in the live pipeline', () => {
    let standardLead: string;
    let standardIds: string[];

    it('boosts the k-th event of a session by the highest band reached (Standard: 8 events of weight 10 → 110)', async () => {
      ({ lead: standardLead, ids: standardIds } = await sessionOf('eight', 'Surge View', [0, 1, 2, 3, 4, 5, 6, 7]));
      expect(await scoreOf(t, a.admin, standardLead, 'Surge')).toBe(10 + 10 + 12.5 + 12.5 + 15 + 15 + 15 + 20);
      const stored: { multiplier: number }[] = await ds.query(
        `SELECT s.multiplier FROM event_scores s JOIN lead_events e ON e.event_id = s.event_id WHERE e.event_id = ANY($1::uuid[]) ORDER BY e.occurred_at`,
        [standardIds],
      );
      expect(stored.map((r) => r.multiplier)).toEqual([1, 1, 1.25, 1.25, 1.5, 1.5, 1.5, 2]);
    });

    it('reports surge_boost, surge_total and surge_event_count in the explanation (SUR-S2/S3)', async () => {
      const res = await as().get(`/lead/${standardLead}/score-explain?hours=3`).expect(200);
      const boosted = [
        [2, 1.25, 2.5],
        [3, 1.25, 2.5],
        [4, 1.5, 5],
        [5, 1.5, 5],
        [6, 1.5, 5],
        [7, 2, 10],
      ];
      expect(res.body.surge_boost).toEqual(
        boosted.map(([i, multiplier, boost]) => ({
          event_id: standardIds[i],
          event_type: 'Surge View',
          ruleset_id: expect.any(String),
          base_points: 10,
          multiplier,
          boost_points: boost,
        })),
      );
      expect(res.body.surge_total).toBe(30);
      expect(res.body.surge_event_count).toBe(6);
      expect(res.body.top_drivers[0]).toMatchObject({ event_type: 'Surge View', count: 8, weight: 10, total: 110 });
    });

    it('boosts negative points too, and counts events that match no rule in the session', async () => {
      const { lead } = await sessionOf('mixed', 'Other Thing', [0, 1]);
      await ingestAndWait(t, a.admin, { ...emailAliases('mixed@surge.example'), event_type: 'Surge Drop', timestamp: at(2) });
      // the third event of the session: -4 × 1.25, floored at 0 for the ruleset total
      const [row] = await ds.query(`SELECT base_points, multiplier FROM event_scores s JOIN leads l ON l.id = s.lead_ref WHERE l.lead_id = $1`, [lead]);
      expect(row).toEqual({ base_points: -4, multiplier: 1.25 });
      expect(await scoreOf(t, a.admin, lead, 'Surge')).toBe(0);
    });

    it('restarts the count after a gap longer than idle_reset_seconds', async () => {
      const { lead } = await sessionOf('gap', 'Surge View', [0, 1, 2, 33, 34, 35]);
      expect(await scoreOf(t, a.admin, lead, 'Surge')).toBe(10 + 10 + 12.5 + (10 + 10 + 12.5));
    });

    it('keeps the session across ingest batches, and scores a much older late event as a session of its own', async () => {
      const ids: string[] = [];
      for (const m of [0, 1, 2, 3, 4])
        ids.push(...(await ingest(t, a.admin, { ...emailAliases('batches@surge.example'), event_type: 'Surge View', timestamp: at(m) })));
      await processed(t, a.admin, ids);
      const lead = await leadOfEvent(t, a.admin, ids[0]);
      expect(await scoreOf(t, a.admin, lead, 'Surge')).toBe(10 + 10 + 12.5 + 12.5 + 15);
      // a backfilled event from an hour earlier: multiplier 1, and today's session goes on (6th event → 1.5)
      await ingestAndWait(t, a.admin, { ...emailAliases('batches@surge.example'), event_type: 'Surge View', timestamp: at(-60) });
      await ingestAndWait(t, a.admin, { ...emailAliases('batches@surge.example'), event_type: 'Surge View', timestamp: at(5) });
      expect(await scoreOf(t, a.admin, lead, 'Surge')).toBe(60 + 10 + 15);
    });

    it('applies custom bands with their cap and idle reset, and off (always 1), from the next batch on', async () => {
      // the policy is part of the cached scoring setup: a PUT moves its version counter
      const setups = t.app.get(ScoringSetupService);
      const before = await setups.load(a.orgId, a.unitId);
      expect(await setups.load(a.orgId, a.unitId)).toBe(before);
      expect(before.surgePolicy.mode).toBe('standard');
      await policy({
        mode: 'custom',
        bands: [
          { min_events: 1, multiplier: 1 },
          { min_events: 2, multiplier: 2.5 },
          { min_events: 4, multiplier: 3 },
        ],
        idle_reset_seconds: 90,
        multiplier_cap: 2,
      }).expect(200);
      const after = await setups.load(a.orgId, a.unitId);
      expect(after).not.toBe(before);
      expect(after.surgePolicy).toMatchObject({ mode: 'custom', idle_reset_seconds: 90, multiplier_cap: 2 });
      // gaps of 1 minute continue the session, the 2-minute gap resets it; the cap holds 2.5 and 3 at 2
      const custom = await sessionOf('custom', 'Surge View', [0, 1, 2, 3, 5, 6]);
      expect(await scoreOf(t, a.admin, custom.lead, 'Surge')).toBe(10 + 20 + 20 + 20 + (10 + 20));
      await policy({ mode: 'off' }).expect(200);
      const off = await sessionOf('off', 'Surge View', [0, 1, 2, 3, 4, 5, 6, 7]);
      expect(await scoreOf(t, a.admin, off.lead, 'Surge')).toBe(80);
      // what was recorded before keeps its multipliers (frozen at event time)
      expect(await scoreOf(t, a.admin, standardLead, 'Surge')).toBe(110);
      await policy({ mode: 'standard' }).expect(200);
    });

    it('score-now and the dry run give the live numbers: they reuse the multipliers frozen on the events', async () => {
      await policy({ mode: 'off' }).expect(200);
      const rulesets = (await as().get('/rulesets').expect(200)).body;
      const surge = rulesets.find((r: { name: string }) => r.name === 'Surge');
      const rule = (await as().get(`/rulesets/${surge.ruleset_id}/rules`).expect(200)).body.find((r: { event_type: string }) => r.event_type === 'Surge View');
      // a ruleset created after the events were recorded: it never scored them, score-now does
      const later = await createRuleset(t, a.admin, 'Later', [{ event_type: 'Surge View', weight: 10 }]);
      const dry = await as()
        .post('/engagement-scoring/test', {
          lead_id: standardLead,
          ruleset_id: surge.ruleset_id,
          rule: { rule_id: rule.rule_id, event_type: 'Surge View', weight: 10 },
        })
        .expect(200);
      expect(dry.body).toMatchObject({ current_score: 110, projected_score: 110, matching_event_count: 8 });
      const dryLater = await as()
        .post('/engagement-scoring/test', {
          lead_id: standardLead,
          ruleset_id: later.id,
          rule: { rule_id: later.rules[0], event_type: 'Surge View', weight: 10 },
        })
        .expect(200);
      expect(dryLater.body).toMatchObject({ current_score: 0, projected_score: 110 });
      for (const id of [surge.ruleset_id, later.id]) {
        const job = (await as().post(`/scoring/rulesets/engagement/${id}/score-now`).expect(202)).body;
        await eventually(async () => (await as().get(job.status_url)).body.status === 'completed');
      }
      await eventually(async () => (await scoreOf(t, a.admin, standardLead, 'Later')) === 110);
      expect(await scoreOf(t, a.admin, standardLead, 'Surge')).toBe(110);
      expect(await scoreOf(t, a.admin, standardLead, 'Later')).toBe(110);
      await policy({ mode: 'standard' }).expect(200);
    });
  });

  describe('GET /org-units/{ouId}/surge-metrics', () => {
    const day = '2026-01-01';
    const metrics = (query: string, auth: Auth = a.admin, ou = a.unitId) => api(t, auth).get(`/org-units/${ou}/surge-metrics?${query}`);
    const range = `start=${day}T10:00:00Z&end=${day}T13:00:00Z`;

    beforeAll(async () => {
      const firing = (unit: string, org: string, lead: string, channel: string, firedAt: string, count: number) =>
        ds.query(
          `INSERT INTO surge_events (id, org_id, unit_id, trigger_id, lead_ref, lead_id, event_id, event_type, event_count, window_start, window_end, channel, fired_at)
           VALUES ($1, $2, $3, 'srg_metrics', $4, $4, $5, 'Demo Request', $6, $7, $7, $8, $7)`,
          [randomUUID(), org, unit, lead, randomUUID(), count, firedAt, channel],
        );
      await firing(a.unitId, a.orgId, 'lead-1', 'web', `${day}T10:05:00Z`, 3);
      await firing(a.unitId, a.orgId, 'lead-2', 'web', `${day}T10:20:00Z`, 4);
      await firing(a.unitId, a.orgId, 'lead-1', 'email', `${day}T10:50:00Z`, 5);
      await firing(a.unitId, a.orgId, 'lead-1', 'web', `${day}T12:10:00Z`, 3);
      await firing(a.unitId, a.orgId, 'lead-3', 'web', `${day}T13:00:00Z`, 9); // end is exclusive
      await firing(b.unitId, b.orgId, 'lead-b', 'web', `${day}T10:30:00Z`, 7); // another organization
    });

    it('sums the firings of the range: totals, peak, channels and every bucket (default interval 1h)', async () => {
      const res = await metrics(range).expect(200);
      expect(res.body).toEqual({
        ou_id: a.unitId,
        start: `${day}T10:00:00.000Z`,
        end: `${day}T13:00:00.000Z`,
        interval: '1h',
        totals: { surges: 4, leads: 2, events: 15 },
        peak: { bucket_start: `${day}T10:00:00.000Z`, surges: 3 },
        channels: [
          { channel: 'web', surges: 3 },
          { channel: 'email', surges: 1 },
        ],
        series: [
          { bucket_start: `${day}T10:00:00.000Z`, surges: 3, leads: 2 },
          { bucket_start: `${day}T11:00:00.000Z`, surges: 0, leads: 0 },
          { bucket_start: `${day}T12:00:00.000Z`, surges: 1, leads: 1 },
        ],
      });
    });

    it('buckets by 15m and 1d, filters by channel', async () => {
      const quarter = (await metrics(`${range}&interval=15m`).expect(200)).body;
      expect(quarter.series).toHaveLength(12);
      expect(quarter.series.filter((s: { surges: number }) => s.surges > 0).map((s: { bucket_start: string }) => s.bucket_start.slice(11, 16))).toEqual([
        '10:00',
        '10:15',
        '10:45',
        '12:00',
      ]);
      expect(quarter.peak).toEqual({ bucket_start: `${day}T10:00:00.000Z`, surges: 1 });
      const daily = (await metrics(`${range}&interval=1d`).expect(200)).body;
      expect(daily.series).toEqual([{ bucket_start: `${day}T00:00:00.000Z`, surges: 4, leads: 2 }]);
      const email = (await metrics(`${range}&channel=email`).expect(200)).body;
      expect(email).toMatchObject({ totals: { surges: 1, leads: 1, events: 5 }, channels: [{ channel: 'email', surges: 1 }] });
      const none = (await metrics(`start=2025-06-01T00:00:00Z&end=2025-06-01T02:00:00Z`).expect(200)).body;
      expect(none).toMatchObject({ totals: { surges: 0, leads: 0, events: 0 }, peak: null, channels: [], series: [{ surges: 0 }, { surges: 0 }] });
    });

    it('answers 400 naming the field for a bad range or interval', async () => {
      const field = async (query: string) => (await metrics(query).expect(400)).body.details[0].field;
      expect(await field(`end=${day}T13:00:00Z`)).toBe('start');
      expect(await field(`start=${day}T10:00:00Z`)).toBe('end');
      expect(await field(`start=yesterday&end=${day}T13:00:00Z`)).toBe('start');
      expect(await field(`${range}&interval=5m`)).toBe('interval');
      expect(await field(`start=${day}T13:00:00Z&end=${day}T10:00:00Z`)).toBe('end');
      expect(await field(`start=2026-01-01T00:00:00Z&end=2026-03-01T00:00:00Z&interval=15m`)).toBe('end');
    });

    it('is for members of that OU: 401 without a credential, 404 for another organization, 403 for a non-member; a Viewer reads', async () => {
      expect((await api(t).get(`/org-units/${a.unitId}/surge-metrics?${range}`)).status).toBe(401);
      const foreign = await metrics(range, b.admin);
      expect(foreign.status).toBe(404);
      expect(foreign.body.error).toMatch(/not_found/);
      expect((await metrics(range, a.admin, 'unit_nope')).status).toBe(404);
      const unit2 = (await as().post('/org-units', { name: 'Metrics Two' }).expect(201)).body.unit_id;
      const outsider = await memberWithRole(t, a, 'outsider@surge.example', 'Owner', unit2);
      expect((await metrics(range, outsider.auth)).status).toBe(403);
      expect((await metrics(range, viewer)).body.totals).toEqual({ surges: 4, leads: 2, events: 15 });
      // B's own OU: its own firing only
      expect((await metrics(range, b.admin, b.unitId).expect(200)).body.totals).toEqual({ surges: 1, leads: 1, events: 7 });
    });

    it('counts what the live surge detector records', async () => {
      const hook: Server = createServer((_req, res) => res.writeHead(204).end());
      await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
      try {
        await as()
          .post('/surge-triggers', {
            event_type: 'Metric Burst',
            window_seconds: 600,
            threshold_count: 3,
            webhook_url: `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook`,
          })
          .expect(201);
        await sessionOf('burst', 'Metric Burst', [0, 1, 2]);
        const now = Date.now();
        const live = `start=${new Date(now - H).toISOString()}&end=${new Date(now + H).toISOString()}`;
        await eventually(async () => (await metrics(live)).body.totals?.surges === 1);
        expect((await metrics(live).expect(200)).body).toMatchObject({ totals: { surges: 1, leads: 1, events: 3 }, channels: [{ channel: 'web', surges: 1 }] });
      } finally {
        await new Promise((r) => hook.close(r));
      }
    });
  });
});
