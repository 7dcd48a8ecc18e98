import request from 'supertest';
import { DataSource } from 'typeorm';
import { ProjectionRegistry } from '../src/platform/projections/projection.registry';
import { ProjectionRunner } from '../src/platform/projections/projection-runner.service';
import { emailAliases as email, ingestAndWait } from './support/ingest';
import { startScenario } from './support/scenario';
import { activateOu, api, Auth, memberWithRole, Tenant } from './support/tenants';
import { TestApp } from './support/test-app';

describe('Pattern triggers', () => {
  let t: TestApp;
  let a: Tenant;
  let b: Tenant;
  let sa: Auth;
  let as: ReturnType<typeof api>;
  let ds: DataSource;
  let viewer: Auth;

  const caughtUp = () => t.app.get(ProjectionRunner).catchUp(t.app.get(ProjectionRegistry).get('trigger_detection'));
  const T0 = Date.now() - 3_600_000;
  const send = async (who: string, eventType: string, seconds: number) => {
    const [id] = await ingestAndWait(t, sa, { ...email(who), event_type: eventType, timestamp: new Date(T0 + seconds * 1000).toISOString() });
    await caughtUp();
    return id;
  };

  beforeAll(async () => {
    const s = await startScenario({ rival: 'Pattern Rivals', serviceAccount: 'pattern-pipe' });
    ({ t, a, b } = s);
    sa = s.sa.auth;
    ds = t.app.get(DataSource);
    as = api(t, a.admin);
    await activateOu(t, a.admin, a.unitId);
    viewer = (await memberWithRole(t, a, 'viewer@patterns.example', 'Viewer')).auth;
  });
  afterAll(() => t.close());

  it('creates (201), lists with frequency_count, updates partially (200), deletes (204); 400/401/403/404', async () => {
    const created = await as
      .post('/pattern-triggers', {
        name: 'Research binge',
        description: 'Three articles and a pricing look in ten minutes',
        window_seconds: 600,
        conditions: [
          { event_type: 'Article View', min_count: 3 },
          { event_type: 'Pricing View', min_count: 1 },
        ],
        emails: ['team@example.com'],
      })
      .expect(201);
    expect(created.body).toEqual({
      trigger_id: expect.stringMatching(/^pat_/),
      name: 'Research binge',
      description: 'Three articles and a pricing look in ten minutes',
      active: true,
      window_seconds: 600,
      conditions: [
        { event_type: 'Article View', min_count: 3 },
        { event_type: 'Pricing View', min_count: 1 },
      ],
      notification_channel_id: null,
      webhook_url: null,
      teams_webhook_url: null,
      emails: ['team@example.com'],
      slack_target_kind: null,
      slack_target_id: null,
      frequency_count: 0,
      created_at: expect.any(String),
      updated_at: expect.any(String),
      created_by: a.adminEmail,
      updated_by: a.adminEmail,
    });
    const id = created.body.trigger_id;
    expect((await as.get('/pattern-triggers').expect(200)).body).toEqual([created.body]);
    expect((await as.put(`/pattern-triggers/${id}`, { description: 'changed' }).expect(200)).body).toMatchObject({
      trigger_id: id,
      description: 'changed',
      window_seconds: 600,
    });

    const bad = async (body: object, field: string) =>
      expect((await as.post('/pattern-triggers', body).expect(400)).body.details.map((d: { field: string }) => d.field).join(' ')).toContain(field);
    await bad({ window_seconds: 60 }, 'conditions');
    await bad({ window_seconds: 60, conditions: [] }, 'conditions');
    await bad({ window_seconds: 60, conditions: [{ event_type: 'A', min_count: 0 }] }, 'min_count');
    await bad({ conditions: [{ event_type: 'A', min_count: 1 }] }, 'window_seconds');
    await bad(
      {
        window_seconds: 60,
        conditions: [
          { event_type: 'A', min_count: 1 },
          { event_type: 'a', min_count: 2 },
        ],
      },
      'conditions',
    );
    await bad({ window_seconds: 60, conditions: [{ event_type: 'A', min_count: 1 }], webhook_url: 'https://10.0.0.1/x' }, 'webhook_url');
    await request(t.http).get('/pattern-triggers').expect(401);
    await api(t, viewer)
      .post('/pattern-triggers', { window_seconds: 60, conditions: [{ event_type: 'A', min_count: 1 }] })
      .expect(403);
    await api(t, b.admin).put(`/pattern-triggers/${id}`, { window_seconds: 60 }).expect(404);
    await api(t, b.admin).delete(`/pattern-triggers/${id}`).expect(404);
    expect((await api(t, b.admin).get('/pattern-triggers').expect(200)).body).toEqual([]);
    await as.delete(`/pattern-triggers/${id}`).expect(204);
    await as.delete(`/pattern-triggers/${id}`).expect(404);
  });

  it('fires when every condition is met within the window, once per fresh set of events, and counts it in frequency_count', async () => {
    const trigger = (
      await as
        .post('/pattern-triggers', {
          window_seconds: 600,
          conditions: [
            { event_type: 'Article View', min_count: 2 },
            { event_type: 'Pricing View', min_count: 1 },
          ],
        })
        .expect(201)
    ).body;
    await send('pattern@example.com', 'Article View', 0);
    await send('pattern@example.com', 'Pricing View', 10);
    await send('pattern@example.com', 'Article View', 20); // fires
    await send('pattern@example.com', 'Article View', 30); // consumed: no
    await send('pattern@example.com', 'Pricing View', 40); // only one fresh Article View: no
    await send('late@example.com', 'Article View', 0);
    await send('late@example.com', 'Article View', 10);
    await send('late@example.com', 'Pricing View', 700); // outside the window
    const rows = await ds.query(`SELECT lead_id FROM pattern_events WHERE trigger_id = $1`, [trigger.trigger_id]);
    expect(rows).toHaveLength(1);
    expect((await as.get('/pattern-triggers').expect(200)).body[0]).toMatchObject({ trigger_id: trigger.trigger_id, frequency_count: 1 });
  });
});
