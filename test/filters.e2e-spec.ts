import { DataSource } from 'typeorm';
import { AuditWriter } from '../src/platform/audit/audit-writer.service';
import { api, Tenant } from './support/tenants';
import { TestApp } from './support/test-app';
import { startScenario } from './support/scenario';

describe('Event suppression filters', () => {
  let t: TestApp;
  let a: Tenant;
  let b: Tenant;
  let as: ReturnType<typeof api>;

  beforeAll(async () => {
    const scenario = await startScenario({ roles: ['api'], rival: 'Filter Foes', serviceAccount: 'filters' });
    ({ t, a, b } = scenario);
    as = api(t, scenario.sa.auth);
  });
  afterAll(() => t.close());

  describe('inorganic (velocity) filters', () => {
    it('are created, listed, updated partially and deleted', async () => {
      const created = await as.post('/filters', { event_type: 'Email Click', count_threshold: 5, time_window_ms: 300000, group_events: true }).expect(201);
      expect(created.body).toMatchObject({
        filter_id: expect.stringMatching(/^vf_/),
        event_type: 'Email Click',
        count_threshold: 5,
        time_window_ms: 300000,
        group_events: true,
        org_id: a.orgId,
        unit_id: 'unit_default',
        created_by: expect.stringMatching(/^service_account:/),
      });
      const defaults = await as.post('/filters', { event_type: 'Page View', count_threshold: 50, time_window_ms: 60000 }).expect(201);
      expect(defaults.body.group_events).toBe(false);
      const list = await as.get('/filters').expect(200);
      expect(list.body.map((f: { filter_id: string }) => f.filter_id)).toEqual([defaults.body.filter_id, created.body.filter_id]);
      const updated = await as.put(`/filters/${created.body.filter_id}`, { count_threshold: 3 }).expect(200);
      expect(updated.body).toMatchObject({ count_threshold: 3, time_window_ms: 300000, group_events: true, event_type: 'Email Click' });
      await as.delete(`/filters/${created.body.filter_id}`).expect(204);
      expect((await as.delete(`/filters/${created.body.filter_id}`)).status).toBe(404);
      expect((await as.get('/filters')).body).toHaveLength(1);
    });

    it('refuse missing or out-of-range numbers, naming the field', async () => {
      const missing = await as.post('/filters', { event_type: 'Page View' });
      expect(missing.status).toBe(400);
      expect(new Set(missing.body.details.map((d: { field: string }) => d.field))).toEqual(new Set(['count_threshold', 'time_window_ms']));
      expect((await as.post('/filters', { event_type: 'x', count_threshold: -1, time_window_ms: 1000 })).body.details[0].field).toBe('count_threshold');
      expect((await as.post('/filters', { event_type: 'x', count_threshold: 1, time_window_ms: 0 })).body.details[0].field).toBe('time_window_ms');
      expect((await as.post('/filters', { event_type: 'x', count_threshold: 1.5, time_window_ms: 10 })).status).toBe(400);
      const id = (await as.get('/filters')).body[0].filter_id;
      expect((await as.put(`/filters/${id}`, { group_events: 'yes' })).body.details[0].field).toBe('group_events');
    });

    it('are invisible to other OUs (404)', async () => {
      const id = (await as.get('/filters')).body[0].filter_id;
      const intruder = api(t, b.admin);
      expect((await intruder.put(`/filters/${id}`, { count_threshold: 1 })).status).toBe(404);
      expect((await intruder.delete(`/filters/${id}`)).status).toBe(404);
      expect((await intruder.get('/filters')).body).toEqual([]);
    });
  });

  describe('attribute (metadata) filters', () => {
    it('are created with conditions, listed enabled-first then newest, fetched, updated and deleted', async () => {
      const internal = await as
        .post('/metadata-filters', { name: 'Internal traffic', conditions: [{ key: 'ip', operator: 'starts_with', value: '10.' }] })
        .expect(201);
      expect(internal.body).toMatchObject({
        id: expect.stringMatching(/^mf_/),
        unit_id: 'unit_default',
        name: 'Internal traffic',
        event_type: '',
        enabled: true,
        suppressed_count: 0,
        conditions: [{ key: 'ip', operator: 'starts_with', value: '10.' }],
      });
      const disabled = await as
        .post('/metadata-filters', {
          name: 'Test pages',
          event_type: 'Page View',
          enabled: false,
          conditions: [
            { key: 'path', operator: 'contains', value: '/test' },
            { key: 'utm.source', operator: 'exists' },
          ],
        })
        .expect(201);
      const newer = await as
        .post('/metadata-filters', { name: 'Scanners', conditions: [{ key: 'user_agent', operator: 'contains', value: 'scanner' }] })
        .expect(201);
      const list = (await as.get('/metadata-filters').expect(200)).body.map((f: { id: string }) => f.id);
      expect(list).toEqual([newer.body.id, internal.body.id, disabled.body.id]);
      expect((await as.get(`/metadata-filters/${disabled.body.id}`).expect(200)).body.conditions).toEqual([
        { key: 'path', operator: 'contains', value: '/test' },
        { key: 'utm.source', operator: 'exists' },
      ]);
      const updated = await as.put(`/metadata-filters/${disabled.body.id}`, { name: 'Test pages (on)', enabled: true }).expect(200);
      expect(updated.body).toMatchObject({ name: 'Test pages (on)', enabled: true, event_type: 'Page View' });
      expect((await as.get('/metadata-filters')).body[0].id).toBe(disabled.body.id);
      await as.delete(`/metadata-filters/${newer.body.id}`).expect(204);
      expect((await as.get(`/metadata-filters/${newer.body.id}`)).status).toBe(404);
    });

    it('refuse a missing name, no conditions, unknown operators and non-numeric comparisons', async () => {
      const bad = await as.post('/metadata-filters', { conditions: [] });
      expect(new Set(bad.body.details.map((d: { field: string }) => d.field))).toEqual(new Set(['name', 'conditions']));
      expect((await as.post('/metadata-filters', { name: 'x', conditions: [{ key: 'a', operator: 'like', value: 'b' }] })).body.details[0].field).toBe(
        'conditions[0].operator',
      );
      expect((await as.post('/metadata-filters', { name: 'x', conditions: [{ key: 'a', operator: 'lt', value: 'b' }] })).body.details[0]).toEqual({
        field: 'conditions[0].value',
        reason: 'must be numeric for lt',
      });
      const id = (await as.get('/metadata-filters')).body[0].id;
      expect((await as.put(`/metadata-filters/${id}`, { enabled: false })).body.details[0].field).toBe('name');
    });

    it('are invisible to other OUs (404), and every change is audited', async () => {
      const id = (await as.get('/metadata-filters')).body[0].id;
      const intruder = api(t, b.admin);
      expect((await intruder.get(`/metadata-filters/${id}`)).status).toBe(404);
      expect((await intruder.put(`/metadata-filters/${id}`, { name: 'mine' })).status).toBe(404);
      expect((await intruder.delete(`/metadata-filters/${id}`)).status).toBe(404);
      expect((await intruder.get('/metadata-filters')).body).toEqual([]);
      await t.app.get(AuditWriter).flush();
      const entries = await t.app
        .get(DataSource)
        .query(`SELECT summary, status FROM audit_logs WHERE entity_type IN ('metadata_filter', 'inorganic_filter') ORDER BY id`);
      expect(entries.map((e: { summary: string }) => e.summary)).toEqual(
        expect.arrayContaining([
          expect.stringContaining("created attribute filter 'Internal traffic'"),
          expect.stringContaining("created inorganic filter on 'Email Click' (5 per 300000 ms)"),
        ]),
      );
    });
  });
});
