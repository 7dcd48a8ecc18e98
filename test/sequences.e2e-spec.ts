import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { ProjectionRegistry } from '../src/platform/projections/projection.registry';
import { ProjectionRunner } from '../src/platform/projections/projection-runner.service';
import { emailAliases as email, ingestAndWait, leadOfEvent } from './support/ingest';
import { startScenario } from './support/scenario';
import { activateOu, api, Auth, memberWithRole, Tenant } from './support/tenants';
import { eventually, TestApp } from './support/test-app';

/** A local HTTP endpoint answering 204 and recording every request's path and JSON body. */
async function fakeReceiver(): Promise<{ server: Server; base: string; received: { path: string; body: any }[] }> {
  const received: { path: string; body: any }[] = [];
  const server = createServer((req, res) => {
    let data = '';
    req.on('data', (c) => (data += c));
    req.on('end', () => {
      received.push({ path: req.url ?? '', body: data ? JSON.parse(data) : null });
      res.statusCode = 204;
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received };
}

describe('Sequence triggers', () => {
  let t: TestApp;
  let a: Tenant;
  let b: Tenant;
  let sa: Auth;
  let as: ReturnType<typeof api>;
  let ds: DataSource;
  let hook: Awaited<ReturnType<typeof fakeReceiver>>;
  let viewer: Auth;

  const caughtUp = () => t.app.get(ProjectionRunner).catchUp(t.app.get(ProjectionRegistry).get('trigger_detection'));
  const T0 = Date.now() - 10 * 3_600_000;
  const send = async (who: string, eventType: string, minutes: number) => {
    const [id] = await ingestAndWait(t, sa, { ...email(who), event_type: eventType, timestamp: new Date(T0 + minutes * 60_000).toISOString() });
    await caughtUp();
    return id;
  };
  const fired = async (id: string) =>
    (await ds.query(`SELECT event_ids FROM sequence_events WHERE sequence_id = $1 ORDER BY fired_at`, [id])).map((r: { event_ids: string[] }) => r.event_ids);

  beforeAll(async () => {
    const s = await startScenario({ rival: 'Sequence Rivals', serviceAccount: 'sequence-pipe' });
    ({ t, a, b } = s);
    sa = s.sa.auth;
    ds = t.app.get(DataSource);
    as = api(t, a.admin);
    await activateOu(t, a.admin, a.unitId);
    viewer = (await memberWithRole(t, a, 'viewer@sequences.example', 'Viewer')).auth;
    hook = await fakeReceiver();
  });
  afterAll(async () => {
    await t.close();
    await new Promise((r) => hook.server.close(r));
  });

  it('creates (201, seed fields), updates partially (200), deletes (204); 400/401/403/404 as for every trigger', async () => {
    const created = await as
      .post('/sequences', {
        event_types: ['Pricing View', 'Demo Request'],
        window_seconds: 3600,
        window_unit: 'hours',
        ordered: true,
        webhook_url: `${hook.base}/cfg`,
      })
      .expect(201);
    expect(created.body).toEqual({
      trigger_id: expect.stringMatching(/^seq_/),
      org_id: a.orgId,
      unit_id: a.unitId,
      name: 'Sequence: Pricing View → Demo Request within 3600 s',
      event_types: ['Pricing View', 'Demo Request'],
      event_steps: [
        { position: 1, event_type: 'Pricing View' },
        { position: 2, event_type: 'Demo Request' },
      ],
      window_seconds: 3600,
      window_unit: 'hours',
      ordered: true,
      fire_mode: 'once',
      engagement_levels: [],
      profile_filters: [],
      lead_attribute_filters: [],
      active: true,
      notification_channel_id: null,
      webhook_url: `${hook.base}/cfg`,
      teams_webhook_url: null,
      emails: [],
      email_subject: null,
      email_preheader: null,
      email_message: null,
      slack_target_kind: null,
      slack_target_id: null,
      notify_owner: false,
      hubspot_sync: false,
      created_at: expect.any(String),
      updated_at: expect.any(String),
      created_by: a.adminEmail,
      updated_by: a.adminEmail,
    });
    const id = created.body.trigger_id;
    expect((await as.get('/sequences').expect(200)).body).toEqual([created.body]);
    const updated = (await as.put(`/sequences/${id}`, { window_seconds: 7200, fire_mode: 'always', active: false }).expect(200)).body;
    expect(updated).toMatchObject({ trigger_id: id, window_seconds: 7200, fire_mode: 'always', active: false, event_types: ['Pricing View', 'Demo Request'] });

    const bad = async (body: object, field: string) =>
      expect((await as.post('/sequences', body).expect(400)).body.details.map((d: { field: string }) => d.field)).toContain(field);
    await bad({ window_seconds: 60 }, 'event_types');
    await bad({ event_types: ['A'], window_seconds: 60 }, 'event_types');
    await bad({ event_types: ['A', 'B'] }, 'window_seconds');
    await bad({ event_types: ['A', 'B'], window_seconds: 60, window_unit: 'weeks' }, 'window_unit');
    await bad({ event_types: ['A', 'a'], window_seconds: 60 }, 'event_types');
    await bad({ event_types: ['A', 'B'], window_seconds: 60, webhook_url: 'https://192.168.1.1/x' }, 'webhook_url');
    await request(t.http).get('/sequences').expect(401);
    await api(t, viewer)
      .post('/sequences', { event_types: ['A', 'B'], window_seconds: 60 })
      .expect(403);
    await api(t, viewer).put(`/sequences/${id}`, { window_seconds: 60 }).expect(403);
    for (const path of [`/sequences/${id}/health`]) await api(t, b.admin).get(path).expect(404);
    await api(t, b.admin).put(`/sequences/${id}`, { window_seconds: 60 }).expect(404);
    await api(t, b.admin).delete(`/sequences/${id}`).expect(404);
    await as.get(`/triggers/${id}/health`).expect(404);
    await as.delete(`/sequences/${id}`).expect(204);
    await as.get(`/sequences/${id}/health`).expect(404);
  });

  it('fires an ordered sequence once when its steps occur in order within the window; not out of order nor outside the window', async () => {
    const seq = (
      await as
        .post('/sequences', {
          name: 'Buying journey',
          event_types: ['Pricing View', 'Whitepaper', 'Demo Request'],
          window_seconds: 3600,
          ordered: true,
          webhook_url: `${hook.base}/seq`,
        })
        .expect(201)
    ).body;
    // in order within the hour
    const p1 = await send('journey@example.com', 'Pricing View', 0);
    const w1 = await send('journey@example.com', 'Whitepaper', 10);
    await send('journey@example.com', 'Page View', 15);
    const d1 = await send('journey@example.com', 'Demo Request', 20);
    await send('journey@example.com', 'Pricing View', 30);
    await send('journey@example.com', 'Whitepaper', 31);
    await send('journey@example.com', 'Demo Request', 32); // complete again, but fire_mode once
    // out of order
    await send('reverse@example.com', 'Demo Request', 0);
    await send('reverse@example.com', 'Whitepaper', 1);
    await send('reverse@example.com', 'Pricing View', 2);
    // too slow
    await send('slow@example.com', 'Pricing View', 0);
    await send('slow@example.com', 'Whitepaper', 30);
    await send('slow@example.com', 'Demo Request', 61);
    expect(await fired(seq.trigger_id)).toEqual([[p1, w1, d1]]);
    const lead = await leadOfEvent(t, sa, d1);

    await eventually(async () => hook.received.some((r) => r.path === '/seq'));
    const listed = await as.get('/sequence-events').expect(200);
    expect(listed.headers['x-total-count']).toBe('1');
    expect(listed.body).toEqual([
      {
        id: expect.any(String),
        sequence_id: seq.trigger_id,
        sequence_name: 'Buying journey',
        lead_id: lead,
        event_types: ['Pricing View', 'Whitepaper', 'Demo Request'],
        event_ids: [p1, w1, d1],
        fired_at: expect.any(String),
      },
    ]);
    expect(hook.received.filter((r) => r.path === '/seq')).toEqual([
      {
        path: '/seq',
        body: expect.objectContaining({
          type: 'sequence',
          trigger: { id: seq.trigger_id, name: 'Buying journey' },
          lead: { id: lead },
          why: 'Completed Pricing View → Whitepaper → Demo Request within 3600 s',
          firing_id: listed.body[0].id,
        }),
      },
    ]);
    const health = await eventually(async () => {
      const h = (await as.get(`/sequences/${seq.trigger_id}/health`).expect(200)).body;
      return h.delivered_24h === 1 ? h : null;
    });
    expect(health).toMatchObject({ failed_24h: 0, status: 'green' });

    const sim = (await as.post(`/sequences/${seq.trigger_id}/simulate`, { lead_id: lead }).expect(200)).body;
    expect(sim).toEqual({
      would_fire: true,
      matched_leads: [lead],
      total_matches: 1,
      message: 'Trigger would have fired 1 time(s) for this lead in the last 30 days',
    });
    const all = (await as.post(`/sequences/${seq.trigger_id}/simulate`, {}).expect(200)).body;
    expect(all).toMatchObject({ would_fire: true, matched_leads: [lead], total_matches: 1 });
    await as.post(`/sequences/${seq.trigger_id}/simulate`, { lead_id: 'ld_nobody' }).expect(404);

    const csv = await as.get('/sequence-events/export').expect(200);
    expect(csv.text.trim().split('\n')).toEqual([
      'id,sequence_id,sequence_name,lead_id,event_types,fired_at',
      [listed.body[0].id, seq.trigger_id, 'Buying journey', lead, 'Pricing View|Whitepaper|Demo Request', listed.body[0].fired_at].join(','),
    ]);
    expect((await api(t, b.admin).get('/sequence-events').expect(200)).body).toEqual([]);
    expect((await as.get(`/sequence-events?sequence_id=nope`).expect(200)).body).toEqual([]);
    await as.put(`/sequences/${seq.trigger_id}`, { active: false }).expect(200);
  });

  it('unordered with fire_mode always: any order counts, and the events used are consumed', async () => {
    const seq = (await as.post('/sequences', { event_types: ['Alpha', 'Beta'], window_seconds: 600, fire_mode: 'always' }).expect(201)).body;
    const b1 = await send('unordered@example.com', 'Beta', 100);
    const a1 = await send('unordered@example.com', 'Alpha', 101); // fires (Beta, Alpha)
    await send('unordered@example.com', 'Alpha', 102); // Beta consumed: no
    const b2 = await send('unordered@example.com', 'Beta', 103); // fires with the fresh Alpha
    const fires = await fired(seq.trigger_id);
    expect(fires).toHaveLength(2);
    expect(fires[0].sort()).toEqual([a1, b1].sort());
    expect(fires[1]).toContain(b2);
    await as.put(`/sequences/${seq.trigger_id}`, { active: false }).expect(200);
  });
});
