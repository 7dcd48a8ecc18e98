import request from 'supertest';
import { DataSource } from 'typeorm';
import { DecayApplyJob } from '../src/modules/decays';
import { AuditWriter } from '../src/platform/audit/audit-writer.service';
import { ProjectionRebuilder } from '../src/platform/projections/projection-rebuilder.service';
import { emailAliases as email, ingest, leadOfEvent, processed, scoreOf } from './support/ingest';
import { createRuleset } from './support/rulesets';
import { startScenario } from './support/scenario';
import { api, Auth, memberWithRole, ServiceAccount, Tenant } from './support/tenants';
import { TestApp } from './support/test-app';
import { ago, D, H, NOW } from './support/time';

type Ev = { id: string; event_type: string; channel: string; timestamp: string; metadata: Record<string, unknown> };

describe('Inactivity decay', () => {
  let t: TestApp;
  let a: Tenant;
  let b: Tenant;
  let sa: ServiceAccount;
  let ds: DataSource;
  const as = () => api(t, sa.auth);
  const at = (ms: number) => t.clock.set(new Date(NOW.getTime() + ms));
  const run = () => t.app.get(DecayApplyJob).apply() as Promise<{ events_written: number; points_subtracted: number }>;
  /** One event of a new person at `timestamp`; answers the lead it created. */
  const leadWith = async (auth: Auth, who: string, timestamp: string, eventType = 'Decay View'): Promise<string> => {
    const ids = await ingest(t, auth, { ...email(who), event_type: eventType, timestamp });
    await processed(t, auth, ids, 60_000);
    return leadOfEvent(t, auth, ids[0]);
  };
  const decayEvents = async (auth: Auth, lead: string): Promise<Ev[]> =>
    ((await api(t, auth).get(`/events/${lead}?limit=100`).expect(200)).body.events as Ev[]).filter((e) => e.event_type === 'DECAY');
  const materialised = async (lead: string, ruleset: string): Promise<number | null> =>
    (await ds.query(`SELECT s.score FROM lead_scores s JOIN leads l ON l.id = s.lead_ref WHERE l.lead_id = $1 AND s.ruleset_id = $2`, [lead, ruleset]))[0]
      ?.score ?? null;

  beforeAll(async () => {
    // the cron timer stays off: each run here is the test's own
    ({ t, a, b, sa } = await startScenario({ now: NOW, rival: 'Decay Rivals', serviceAccount: 'decay-tests', env: { SCHEDULER_ENABLED: false } }));
    ds = t.app.get(DataSource);
  });
  afterAll(() => t.close());

  describe('rules: CRUD in both shapes', () => {
    let seed: string;
    let docs: string;

    it('creates in the seed shape (201) and in the docs shape, mapped (201)', async () => {
      const created = await as().post('/decays', { inactive_for: 30, unit: 'days', decrease: 25 }).expect(201);
      seed = created.body.decay_id;
      expect(created.body).toEqual({
        decay_id: expect.stringMatching(/^dc_/),
        inactive_for: 30,
        unit: 'days',
        decrease: 25,
        name: null,
        points: -25,
        interval_days: 30,
        active: true,
        created_by: expect.any(String),
        updated_by: expect.any(String),
        created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT.*Z$/),
        updated_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT.*Z$/),
      });
      const fromDocs = await as().post('/decays', { name: 'Weekly', points: -5, interval_days: 7, active: false }).expect(201);
      docs = fromDocs.body.decay_id;
      expect(fromDocs.body).toMatchObject({ inactive_for: 7, unit: 'days', decrease: 5, name: 'Weekly', points: -5, interval_days: 7, active: false });
    });

    it('lists the OU’s rules, oldest first', async () => {
      const list = (await as().get('/decays').expect(200)).body;
      expect(list.map((r: { decay_id: string }) => r.decay_id)).toEqual([seed, docs]);
      expect(list[0]).toMatchObject({ inactive_for: 30, unit: 'days', decrease: 25 });
    });

    it('updates partially (200 with the rule), in either shape', async () => {
      expect((await as().put(`/decays/${seed}`, { decrease: 10 }).expect(200)).body).toMatchObject({
        decay_id: seed,
        inactive_for: 30,
        unit: 'days',
        decrease: 10,
      });
      expect((await as().put(`/decays/${seed}`, { unit: 'hours' }).expect(200)).body).toMatchObject({ inactive_for: 30, unit: 'hours', interval_days: null });
      expect((await as().put(`/decays/${seed}`, { points: -3, interval_days: 2, name: 'Two days' }).expect(200)).body).toMatchObject({
        inactive_for: 2,
        unit: 'days',
        decrease: 3,
        points: -3,
        interval_days: 2,
        name: 'Two days',
        active: true,
      });
      expect((await as().put(`/decays/${docs}`, { active: true, name: null }).expect(200)).body).toMatchObject({ active: true, name: null, decrease: 5 });
    });

    it.each([
      [{}, ['inactive_for', 'unit', 'decrease']],
      [{ inactive_for: 30, unit: 'days' }, ['decrease']],
      [{ inactive_for: 1.5, unit: 'days', decrease: 1 }, ['inactive_for']],
      [{ inactive_for: 0, unit: 'days', decrease: 1 }, ['inactive_for']],
      [{ inactive_for: 3, unit: 'months', decrease: 1 }, ['unit']],
      [{ inactive_for: 3, unit: 'days', decrease: 0 }, ['decrease']],
      [{ inactive_for: 3, unit: 'days', decrease: '5' }, ['decrease']],
      [{ interval_days: 7 }, ['points']],
      [{ interval_days: 7, points: 5 }, ['points']],
      [{ inactive_for: 3, unit: 'days', decrease: 4, points: -4 }, ['points']],
      [{ interval_days: 7, points: -4, inactive_for: 7 }, ['interval_days']],
      [{ inactive_for: 3, unit: 'days', decrease: 4, active: 'yes' }, ['active']],
      [{ inactive_for: 3, unit: 'days', decrease: 4, name: '  ' }, ['name']],
    ])('refuses %j with 400 naming %j, writing nothing', async (body, fields) => {
      const before = (await as().get('/decays')).body.length;
      const res = await as().post('/decays', body).expect(400);
      expect(res.body.error).toBe('validation_failed');
      expect([...new Set(res.body.details.map((d: { field: string }) => d.field))].sort()).toEqual([...fields].sort());
      expect((await as().get('/decays')).body).toHaveLength(before);
    });

    it('refuses a bad update with 400, changing nothing', async () => {
      expect((await as().put(`/decays/${docs}`, { decrease: -1 }).expect(400)).body.details[0].field).toBe('decrease');
      expect((await as().put(`/decays/${docs}`, { decrease: 2, points: -2 }).expect(400)).body.details[0].field).toBe('points');
      expect((await as().get('/decays')).body.find((r: { decay_id: string }) => r.decay_id === docs)).toMatchObject({ decrease: 5 });
    });

    it('answers 401 without a credential, 404 to other OUs, 403 to a Viewer on mutations', async () => {
      await request(t.http).get('/decays').expect(401);
      await request(t.http).post('/decays').send({ inactive_for: 1, unit: 'days', decrease: 1 }).expect(401);
      await request(t.http).put(`/decays/${seed}`).send({ decrease: 1 }).expect(401);
      await request(t.http).delete(`/decays/${seed}`).expect(401);
      const intruder = api(t, b.admin);
      expect((await intruder.get('/decays').expect(200)).body).toEqual([]);
      expect((await intruder.put(`/decays/${seed}`, { decrease: 99 }).expect(404)).body.error).toBe('decay_not_found');
      await intruder.delete(`/decays/${seed}`).expect(404);
      await as().put('/decays/dc_unknown', { decrease: 1 }).expect(404);
      const viewer = api(t, (await memberWithRole(t, a, 'decay-viewer@example.com', 'Viewer')).auth);
      expect((await viewer.get('/decays').expect(200)).body).toHaveLength(2);
      await viewer.post('/decays', { inactive_for: 1, unit: 'days', decrease: 1 }).expect(403);
      await viewer.put(`/decays/${seed}`, { decrease: 1 }).expect(403);
      await viewer.delete(`/decays/${seed}`).expect(403);
      expect((await as().get('/decays')).body.find((r: { decay_id: string }) => r.decay_id === seed)).toMatchObject({ decrease: 3 });
    });

    it('deletes (204), then 404; every change is audited', async () => {
      await as().delete(`/decays/${seed}`).expect(204);
      await as().delete(`/decays/${seed}`).expect(404);
      await as().delete(`/decays/${docs}`).expect(204);
      expect((await as().get('/decays').expect(200)).body).toEqual([]);
      await t.app.get(AuditWriter).flush();
      const entries: { summary: string; entity_id: string }[] = await ds.query(
        `SELECT summary, entity_id FROM audit_logs WHERE entity_type = 'decay_rule' AND status < 300 ORDER BY id`,
      );
      expect(entries.map((e) => e.summary.replace(/^service_account:\S+ /, ''))).toEqual([
        'created decay rule: −25 per 30 days of inactivity',
        'created decay rule: −5 per 7 days of inactivity',
        'updated decay rule: −10 per 30 days of inactivity',
        'updated decay rule: −10 per 30 hours of inactivity',
        'updated decay rule: −3 per 2 days of inactivity',
        'updated decay rule: −5 per 7 days of inactivity',
        'deleted decay rule: −3 per 2 days',
        'deleted decay rule: −5 per 7 days',
      ]);
    });
  });

  describe('decay.apply', () => {
    let one: string;
    let two: string;
    let rule: string;
    let recent: string;
    let idle: string;
    let dormant: string;
    let negative: { lead: string; rs: string };

    beforeAll(async () => {
      t.clock.set(NOW);
      one = (await createRuleset(t, sa.auth, 'Decay One', [{ event_type: 'Decay View', weight: 100 }])).id;
      two = (await createRuleset(t, sa.auth, 'Decay Two', [{ event_type: 'Decay View', weight: 30 }])).id;
      idle = await leadWith(sa.auth, 'idle@example.com', ago(10 * D));
      recent = await leadWith(sa.auth, 'recent@example.com', ago(2 * D));
      dormant = await leadWith(sa.auth, 'dormant@example.com', ago(40 * D));
      rule = (await as().post('/decays', { inactive_for: 7, unit: 'days', decrease: 25 }).expect(201)).body.decay_id;
    });

    it('subtracts the decrease once per full period of inactivity from every ruleset score, never below 0', async () => {
      expect(await run()).toEqual({ units: 1, leads_scanned: 2, leads_decayed: 2, applications: 4, events_written: 4, points_subtracted: 180 });
      // 10 days idle: one period; 40 days idle: five periods (125 points) take all there is and no more
      expect([await scoreOf(t, sa.auth, idle, 'Decay One'), await scoreOf(t, sa.auth, idle, 'Decay Two')]).toEqual([75, 5]);
      expect([await scoreOf(t, sa.auth, dormant, 'Decay One'), await scoreOf(t, sa.auth, dormant, 'Decay Two')]).toEqual([0, 0]);
      expect([await scoreOf(t, sa.auth, recent, 'Decay One'), await scoreOf(t, sa.auth, recent, 'Decay Two')]).toEqual([100, 30]);
      expect([await materialised(idle, one), await materialised(idle, two), await materialised(dormant, one)]).toEqual([75, 5, 0]);
      expect((await as().get(`/leads?limit=10`).expect(200)).body.leads.find((l: { lead_id: string }) => l.lead_id === idle)).toMatchObject({ score: 75 });
    });

    it('writes DECAY events (system channel, what was taken) that are visible on the lead and count as score deltas', async () => {
      const events = await decayEvents(sa.auth, idle);
      expect(
        events
          .map((e) => ({ channel: e.channel, timestamp: e.timestamp, metadata: e.metadata }))
          .sort((x, y) => String(x.metadata.ruleset_id).localeCompare(String(y.metadata.ruleset_id))),
      ).toEqual(
        [one, two]
          .sort((x, y) => x.localeCompare(y))
          .map((ruleset_id) => ({
            channel: 'system',
            timestamp: NOW.toISOString(),
            metadata: { channel: 'system', decay_id: rule, ruleset_id, amount: 25, periods: 1, period_k: 1, inactive_since: ago(10 * D) },
          })),
      );
      const dormantEvents = await decayEvents(sa.auth, dormant);
      expect(Object.fromEntries(dormantEvents.map((e) => [e.metadata.ruleset_id, [e.metadata.amount, e.metadata.periods]]))).toEqual({
        [one]: [100, 5],
        [two]: [30, 5],
      });
      const activity = (await as().get(`/leads/${idle}/activity?range=last_30d`).expect(200)).body.events;
      expect(activity.filter((e: { event_type: string }) => e.event_type === 'DECAY').map((e: { score_delta: number }) => e.score_delta)).toEqual([-25, -25]);
      expect(await decayEvents(sa.auth, recent)).toEqual([]);
    });

    it('subtracts nothing more when run again in the same hour', async () => {
      expect(await run()).toEqual({ units: 1, leads_scanned: 2, leads_decayed: 0, applications: 0, events_written: 0, points_subtracted: 0 });
      expect(await scoreOf(t, sa.auth, idle, 'Decay One')).toBe(75);
      expect(await decayEvents(sa.auth, idle)).toHaveLength(2);
    });

    it('charges the next period when it has elapsed (DECAY events do not reset inactivity), down to the floor', async () => {
      at(4 * D);
      // idle: 14 days → period 2: 75 → 50, 5 → 0 (5 taken); dormant: period 6 takes nothing (no event); recent: 6 days, nothing
      expect(await run()).toEqual({ units: 1, leads_scanned: 2, leads_decayed: 1, applications: 4, events_written: 2, points_subtracted: 30 });
      expect([await scoreOf(t, sa.auth, idle, 'Decay One'), await scoreOf(t, sa.auth, idle, 'Decay Two')]).toEqual([50, 0]);
      const latest = (await decayEvents(sa.auth, idle)).filter((e) => e.timestamp === new Date(NOW.getTime() + 4 * D).toISOString());
      expect(latest.map((e) => [e.metadata.ruleset_id, e.metadata.amount, e.metadata.period_k]).sort()).toEqual(
        [
          [one, 25, 2],
          [two, 5, 2],
        ].sort(),
      );
      expect(await decayEvents(sa.auth, dormant)).toHaveLength(2);
    });

    it('reports the window’s DECAY amounts in the explanation’s decay_applied, never as drivers', async () => {
      const day = (await as().get(`/lead/${idle}/score-explain?hours=24`).expect(200)).body;
      expect(day.decay_applied).toBe(-30);
      expect(day.top_drivers).toEqual([]);
      const week = (await as().get(`/lead/${idle}/score-explain?hours=168`).expect(200)).body;
      expect(week.decay_applied).toBe(-80);
      const month = (await as().get(`/lead/${idle}/score-explain?hours=720`).expect(200)).body;
      expect(month.decay_applied).toBe(-80);
      expect(month.top_drivers.map((d: { rule_id: string; total: number }) => d.total).sort()).toEqual([100, 30].sort());
    });

    it('starts over after new activity: a new inactivity spell is charged from its own first period', async () => {
      await ingest(t, sa.auth, { ...email('idle@example.com'), event_type: 'Decay View', timestamp: new Date(NOW.getTime() + 4 * D).toISOString() }).then(
        (ids) => processed(t, sa.auth, ids, 60_000),
      );
      expect([await scoreOf(t, sa.auth, idle, 'Decay One'), await scoreOf(t, sa.auth, idle, 'Decay Two')]).toEqual([150, 30]);
      expect((await run()).events_written).toBe(0);
      at(11 * D + H);
      // idle: 7 days and 1 hour since its new event (period 1 of the new spell); recent: 13 days (its period 1); dormant: period 7 takes nothing
      expect(await run()).toMatchObject({ leads_decayed: 2, events_written: 4, points_subtracted: 100 });
      expect([await scoreOf(t, sa.auth, idle, 'Decay One'), await scoreOf(t, sa.auth, idle, 'Decay Two')]).toEqual([125, 5]);
      expect([await scoreOf(t, sa.auth, recent, 'Decay One'), await scoreOf(t, sa.auth, recent, 'Decay Two')]).toEqual([75, 5]);
      const spell = (await decayEvents(sa.auth, idle)).filter((e) => e.timestamp === new Date(NOW.getTime() + 11 * D + H).toISOString());
      expect(spell.map((e) => [e.metadata.period_k, e.metadata.inactive_since])).toEqual([
        [1, new Date(NOW.getTime() + 4 * D).toISOString()],
        [1, new Date(NOW.getTime() + 4 * D).toISOString()],
      ]);
    });

    it('subtracts once when two runs race (two workers at the same moment)', async () => {
      const racer = await leadWith(sa.auth, 'racer@example.com', new Date(NOW.getTime() + 11 * D + H - 8 * D).toISOString());
      const [x, y] = await Promise.all([run(), run()]);
      expect(x.events_written + y.events_written).toBe(2);
      expect(x.points_subtracted + y.points_subtracted).toBe(50);
      expect([await scoreOf(t, sa.auth, racer, 'Decay One'), await scoreOf(t, sa.auth, racer, 'Decay Two')]).toEqual([75, 5]);
      expect(await decayEvents(sa.auth, racer)).toHaveLength(2);
    });

    it('leaves leads alone once the rule is inactive or deleted, keeping what was taken', async () => {
      await as().put(`/decays/${rule}`, { active: false }).expect(200);
      at(30 * D);
      expect(await run()).toEqual({ units: 0, leads_scanned: 0, leads_decayed: 0, applications: 0, events_written: 0, points_subtracted: 0 });
      await as().delete(`/decays/${rule}`).expect(204);
      expect(await scoreOf(t, sa.auth, dormant, 'Decay One')).toBe(0);
      expect(await decayEvents(sa.auth, dormant)).toHaveLength(2);
    });

    it('goes below 0 where the organization allows negative scores', async () => {
      t.clock.set(NOW);
      const bs = api(t, b.admin);
      await bs.put('/scoring/settings', { allow_negative_scores: true }).expect(204);
      const rs = (await createRuleset(t, b.admin, 'Rival Decay', [{ event_type: 'Rival View', weight: 10 }])).id;
      const lead = await leadWith(b.admin, 'neg@example.com', ago(15 * D), 'Rival View');
      await bs.post('/decays', { inactive_for: 1, unit: 'weeks', decrease: 8 }).expect(201);
      expect(await run()).toMatchObject({ units: 1, leads_decayed: 1, events_written: 1, points_subtracted: 16 });
      expect(await scoreOf(t, b.admin, lead, 'Rival Decay')).toBe(-6);
      expect(await materialised(lead, rs)).toBe(-6);
      expect((await decayEvents(b.admin, lead)).map((e) => e.metadata)).toEqual([
        expect.objectContaining({ channel: 'system', ruleset_id: rs, amount: 16, periods: 2, period_k: 2 }),
      ]);
      // A's leads never see B's rule
      expect(await decayEvents(sa.auth, recent)).toHaveLength(2);
      negative = { lead, rs };
    });

    it('survives a rebuild of the lead-events projection (DECAY rows are not on the streams: kept, and folded back into the scores)', async () => {
      const before = await decayEvents(sa.auth, idle);
      expect(before).toHaveLength(6);
      await t.app.get(ProjectionRebuilder).rebuild('lead-events');
      expect((await decayEvents(sa.auth, idle)).map((e) => e.id).sort()).toEqual(before.map((e) => e.id).sort());
      expect([await scoreOf(t, sa.auth, idle, 'Decay One'), await scoreOf(t, sa.auth, idle, 'Decay Two')]).toEqual([125, 5]);
      expect([await materialised(idle, one), await materialised(idle, two), await materialised(dormant, one)]).toEqual([125, 5, 0]);
      expect(await materialised(negative.lead, negative.rs)).toBe(-6);
      expect((await as().get(`/leads?limit=10`).expect(200)).body.leads.find((l: { lead_id: string }) => l.lead_id === idle)).toMatchObject({ score: 125 });
    });
  });
});
