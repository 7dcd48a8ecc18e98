import { DataSource } from 'typeorm';
import { AuditWriter } from '../src/platform/audit/audit-writer.service';
import { emailAliases as email, ingestAndWait, leadOfEvent } from './support/ingest';
import { startScenario } from './support/scenario';
import { activateOu, api, Auth, memberWithRole, ServiceAccount, Tenant } from './support/tenants';
import { eventually, TestApp } from './support/test-app';
import { ago, MIN, NOW } from './support/time';

type Row = Record<string, unknown>;
const ISO = expect.stringMatching(/^\d{4}-\d\d-\d\dT.*Z$/);

describe('Field mappings', () => {
  let t: TestApp;
  let a: Tenant;
  let b: Tenant;
  let sa: ServiceAccount;
  let viewer: Auth;
  let ds: DataSource;
  const as = () => api(t, sa.auth);
  const none = { header: 'X-None', value: '1' };
  const metadataOf = async (auth: Auth, leadId: string): Promise<Row> => (await api(t, auth).get(`/lead/${leadId}`).expect(200)).body.lead.metadata;
  /** One event for `who` with this metadata, processed; answers its lead. */
  const event = async (auth: Auth, who: string, metadata: Row, at = ago(MIN)): Promise<string> => {
    const [id] = await ingestAndWait(t, auth, { ...email(who), event_type: 'Mapped Visit', timestamp: at, metadata });
    return leadOfEvent(t, auth, id);
  };
  const audited = async (entityType: string): Promise<string[]> => {
    await t.app.get(AuditWriter).flush();
    const rows: { summary: string }[] = await ds.query(`SELECT summary FROM audit_logs WHERE entity_type = $1 AND status < 300 ORDER BY id`, [entityType]);
    return rows.map((r) => r.summary.replace(/^\S+ /, ''));
  };

  beforeAll(async () => {
    ({ t, a, b, sa } = await startScenario({ now: NOW, rival: 'Mapping Rivals', serviceAccount: 'mappings' }));
    ds = t.app.get(DataSource);
    viewer = (await memberWithRole(t, a, 'viewer@mappings.example', 'Viewer')).auth;
    await activateOu(t, a.admin, a.unitId);
  });
  afterAll(() => t.close());

  describe('profile mappings: CRUD on both spellings, history, audit', () => {
    let seed: string;
    let docs: string;

    it('creates in the seed shape (201) with always_latest by default', async () => {
      const res = await as().post('/profile-mappings', { source_field: 'utm_source', profile_property: 'acquisition_source' }).expect(201);
      seed = res.body.id;
      expect(res.body).toEqual({
        id: expect.stringMatching(/^pm_/),
        source_field: 'utm_source',
        profile_property: 'acquisition_source',
        metadata_key: 'utm_source',
        profile_field: 'acquisition_source',
        update_behavior: 'always_latest',
        created_by: expect.stringContaining('service_account:'),
        updated_by: expect.stringContaining('service_account:'),
        created_at: ISO,
        updated_at: ISO,
      });
    });

    it('creates in the older docs shape {metadata_key, profile_field} on the other spelling, with an update behaviour', async () => {
      const res = await as().post('/profile-scoring/mappings', { metadata_key: 'industry', profile_field: 'sector', update_behavior: 'set_once' }).expect(201);
      docs = res.body.id;
      expect(res.body).toMatchObject({ source_field: 'industry', profile_property: 'sector', update_behavior: 'set_once' });
    });

    it('lists the same mappings, oldest first, on both spellings', async () => {
      const one = (await as().get('/profile-scoring/mappings').expect(200)).body;
      expect(one.map((m: Row) => m.id)).toEqual([seed, docs]);
      expect((await as().get('/profile-mappings').expect(200)).body).toEqual(one);
    });

    it('answers 400 naming the field, and writes nothing', async () => {
      const bad: [object, string][] = [
        [{ source_field: 'utm_source' }, 'profile_property'],
        [{ profile_property: 'x' }, 'source_field'],
        [{ source_field: '  ', profile_property: 'x' }, 'source_field'],
        [{ source_field: 'a', profile_property: 'x', update_behavior: 'sometimes' }, 'update_behavior'],
        [{ source_field: 'a', profile_property: '__proto__' }, 'profile_property'],
        [{ source_field: 'a'.repeat(201), profile_property: 'x' }, 'source_field'],
        [{ source_field: 7, profile_property: 'x' }, 'source_field'],
      ];
      for (const [body, field] of bad) {
        const res = await as().post('/profile-mappings', body).expect(400);
        expect(res.body.error).toBe('validation_failed');
        expect(res.body.details.map((d: { field: string }) => d.field)).toContain(field);
      }
      expect((await as().put(`/profile-mappings/${seed}`, { source_field: 'x' }).expect(400)).body.details[0].field).toBe('profile_property');
      expect((await as().get('/profile-mappings').expect(200)).body.map((m: Row) => m.id)).toEqual([seed, docs]);
    });

    it('answers 409 for the same source mapped twice to the same property', async () => {
      const res = await as().post('/profile-mappings', { source_field: 'utm_source', profile_property: 'acquisition_source' }).expect(409);
      expect(res.body.error).toBe('mapping_exists');
    });

    it('updates on both spellings (200); an omitted update_behavior stays', async () => {
      const res = await as().put(`/profile-mappings/${docs}`, { source_field: 'industry', profile_property: 'industry' }).expect(200);
      expect(res.body).toMatchObject({ id: docs, source_field: 'industry', profile_property: 'industry', update_behavior: 'set_once' });
      const again = await as()
        .put(`/profile-scoring/mappings/${docs}`, { metadata_key: 'company.industry', profile_field: 'industry', update_behavior: 'always_latest' })
        .expect(200);
      expect(again.body).toMatchObject({ source_field: 'company.industry', profile_property: 'industry', update_behavior: 'always_latest' });
    });

    it('answers 404 for an unknown id and for another organization’s mapping, and leaves it alone', async () => {
      const body = { source_field: 'taken', profile_property: 'over' };
      expect((await as().put('/profile-mappings/pm_nothing', body).expect(404)).body.error).toBe('mapping_not_found');
      await as().delete('/profile-scoring/mappings/pm_nothing').expect(404);
      await api(t, b.admin).put(`/profile-mappings/${seed}`, body).expect(404);
      await api(t, b.admin).delete(`/profile-scoring/mappings/${seed}`).expect(404);
      expect((await api(t, b.admin).get('/profile-mappings').expect(200)).body).toEqual([]);
      expect((await as().get('/profile-mappings').expect(200)).body[0]).toMatchObject({ id: seed, source_field: 'utm_source' });
    });

    it('refuses a Viewer (403) and a missing credential (401), but lets a Viewer read', async () => {
      const body = { source_field: 'v', profile_property: 'v' };
      await api(t, viewer).post('/profile-mappings', body).expect(403);
      await api(t, viewer).post('/profile-scoring/mappings', body).expect(403);
      await api(t, viewer).put(`/profile-mappings/${seed}`, body).expect(403);
      await api(t, viewer).delete(`/profile-mappings/${seed}`).expect(403);
      await api(t, viewer).get('/profile-scoring/mappings').expect(200);
      await api(t, viewer).get('/profile-scoring/mappings/history').expect(200);
      for (const path of ['/profile-scoring/mappings', '/profile-mappings', '/profile-scoring/mappings/history', '/lead-metadata/properties']) {
        await api(t, none).get(path).expect(401);
      }
      await api(t, none).post('/profile-mappings', body).expect(401);
      await api(t, none).delete(`/profile-mappings/${seed}`).expect(401);
      expect((await as().get('/profile-mappings').expect(200)).body).toHaveLength(2);
    });

    it('deletes (204, then 404) and records every change in the history, newest first, on both spellings', async () => {
      await as().delete(`/profile-mappings/${docs}`).expect(204);
      await as().delete(`/profile-mappings/${docs}`).expect(404);
      const history = (await as().get('/profile-scoring/mappings/history').expect(200)).body;
      expect((await as().get('/profile-mappings/history').expect(200)).body).toEqual(history);
      expect(history.map((h: Row) => [h.action, h.mapping_id])).toEqual([
        ['delete', docs],
        ['update', docs],
        ['update', docs],
        ['create', docs],
        ['create', seed],
      ]);
      expect(history[0]).toEqual({
        id: expect.any(String),
        mapping_id: docs,
        action: 'delete',
        before: expect.objectContaining({ id: docs, source_field: 'company.industry', profile_property: 'industry', update_behavior: 'always_latest' }),
        after: null,
        actor: expect.stringContaining('service_account:'),
        created_at: ISO,
      });
      expect(history[2].before).toMatchObject({ source_field: 'industry', profile_property: 'sector', update_behavior: 'set_once' });
      expect(history[2].after).toMatchObject({ source_field: 'industry', profile_property: 'industry', update_behavior: 'set_once' });
      expect(history[4]).toMatchObject({ action: 'create', before: null, after: { id: seed, source_field: 'utm_source' } });
      expect((await api(t, b.admin).get('/profile-scoring/mappings/history').expect(200)).body).toEqual([]);
      expect(await audited('profile_mapping')).toEqual([
        "created profile mapping 'utm_source' → 'acquisition_source' (always_latest)",
        "created profile mapping 'industry' → 'sector' (set_once)",
        "updated profile mapping 'industry' → 'sector' (set_once) → 'industry' → 'industry' (set_once)",
        "updated profile mapping 'industry' → 'industry' (set_once) → 'company.industry' → 'industry' (always_latest)",
        "deleted profile mapping 'company.industry' → 'industry' (always_latest)",
      ]);
      await as().delete(`/profile-mappings/${seed}`).expect(204);
    });
  });

  describe('account mappings (ABM)', () => {
    let id: string;
    const routes = (base: string) => [
      () => as().get(base),
      () => as().get(`${base}/history`),
      () => as().post(base, { source_field: 'x' }),
      () => as().put(`${base}/am_nothing`, {}),
      () => as().delete(`${base}/am_nothing`),
      () => as().get('/account-metadata/properties'),
    ];

    it('answer 403 abm_disabled on every route, before validating the body, while ABM is off', async () => {
      for (const base of ['/account-scoring/mappings', '/account-mappings']) {
        for (const call of routes(base)) {
          const res = await call();
          expect(res.status).toBe(403);
          expect(res.body.error).toBe('abm_disabled');
        }
      }
    });

    it('with ABM on: create (201, always_latest by default), list, update and history on both spellings', async () => {
      await api(t, a.admin).put('/scoring/settings', { abm_enabled: true }).expect(204);
      const res = await as().post('/account-scoring/mappings', { source_field: 'company_size', account_property: 'employees' }).expect(201);
      id = res.body.id;
      expect(res.body).toEqual({
        id: expect.stringMatching(/^am_/),
        source_field: 'company_size',
        account_property: 'employees',
        update_behavior: 'always_latest',
        created_by: expect.any(String),
        updated_by: expect.any(String),
        created_at: ISO,
        updated_at: ISO,
      });
      await as().post('/account-mappings', { source_field: 'plan', account_property: 'plans', update_behavior: 'append' }).expect(201);
      const list = (await as().get('/account-scoring/mappings').expect(200)).body;
      expect(list.map((m: Row) => [m.source_field, m.account_property, m.update_behavior])).toEqual([
        ['company_size', 'employees', 'always_latest'],
        ['plan', 'plans', 'append'],
      ]);
      expect((await as().get('/account-mappings').expect(200)).body).toEqual(list);
      expect(
        (
          await as()
            .put(`/account-scoring/mappings/${id}`, { source_field: 'employees', account_property: 'employees', update_behavior: 'set_once' })
            .expect(200)
        ).body,
      ).toMatchObject({ id, source_field: 'employees', update_behavior: 'set_once' });
      const history = (await as().get('/account-scoring/mappings/history').expect(200)).body;
      expect((await as().get('/account-mappings/history').expect(200)).body).toEqual(history);
      expect(history.map((h: Row) => h.action)).toEqual(['update', 'create', 'create']);
      expect(history[0].before).toMatchObject({ source_field: 'company_size', account_property: 'employees', update_behavior: 'always_latest' });
      // profile and account histories are separate
      expect((await as().get('/profile-scoring/mappings/history').expect(200)).body.every((h: Row) => !String(h.mapping_id).startsWith('am_'))).toBe(true);
    });

    it('answers 400 naming the field, 404, 403 for a Viewer, 401, and 403 to an organization without ABM', async () => {
      const bad: [object, string][] = [
        [{ source_field: 'x' }, 'account_property'],
        [{ account_property: 'x' }, 'source_field'],
        [{ source_field: 'x', account_property: 'y', update_behavior: 'never' }, 'update_behavior'],
        // the profile docs names are not account names
        [{ metadata_key: 'x', account_property: 'y' }, 'source_field'],
      ];
      for (const [body, field] of bad) {
        expect((await as().post('/account-scoring/mappings', body).expect(400)).body.details.map((d: { field: string }) => d.field)).toContain(field);
      }
      await as().put('/account-scoring/mappings/am_nothing', { source_field: 'x', account_property: 'y' }).expect(404);
      await as().delete('/account-mappings/am_nothing').expect(404);
      await api(t, viewer).post('/account-scoring/mappings', { source_field: 'x', account_property: 'y' }).expect(403);
      await api(t, viewer).delete(`/account-scoring/mappings/${id}`).expect(403);
      await api(t, viewer).get('/account-scoring/mappings').expect(200);
      await api(t, none).get('/account-scoring/mappings').expect(401);
      await api(t, none).post('/account-scoring/mappings', { source_field: 'x', account_property: 'y' }).expect(401);
      expect((await api(t, b.admin).get('/account-scoring/mappings').expect(403)).body.error).toBe('abm_disabled');
      await api(t, b.admin).put('/scoring/settings', { abm_enabled: true }).expect(204);
      await api(t, b.admin).put(`/account-scoring/mappings/${id}`, { source_field: 'x', account_property: 'y' }).expect(404);
      await api(t, b.admin).delete(`/account-mappings/${id}`).expect(404);
      expect((await api(t, b.admin).get('/account-scoring/mappings').expect(200)).body).toEqual([]);
      expect((await as().get('/account-scoring/mappings').expect(200)).body).toHaveLength(2);
      expect((await as().get('/account-metadata/properties').expect(200)).body).toEqual([]);
    });

    it('deletes (204) and audits every change', async () => {
      for (const m of (await as().get('/account-scoring/mappings').expect(200)).body) await as().delete(`/account-scoring/mappings/${m.id}`).expect(204);
      expect((await as().get('/account-mappings').expect(200)).body).toEqual([]);
      expect(await audited('account_mapping')).toEqual([
        "created account mapping 'company_size' → 'employees' (always_latest)",
        "created account mapping 'plan' → 'plans' (append)",
        "updated account mapping 'company_size' → 'employees' (always_latest) → 'employees' → 'employees' (set_once)",
        "deleted account mapping 'employees' → 'employees' (set_once)",
        "deleted account mapping 'plan' → 'plans' (append)",
      ]);
    });
  });

  describe('applied to every ingested event', () => {
    let lead: string;

    beforeAll(async () => {
      await as().post('/profile-mappings', { source_field: 'utm_source', profile_property: 'acquisition_source' }).expect(201);
      await as().post('/profile-mappings', { source_field: 'plan', profile_property: 'first_plan', update_behavior: 'set_once' }).expect(201);
      await as().post('/profile-mappings', { source_field: 'page.path', profile_property: 'last_page', update_behavior: 'append' }).expect(201);
    });

    it('writes the mapped properties into the new lead’s metadata', async () => {
      lead = await event(sa.auth, 'mapped@example.com', { utm_source: 'google', plan: 'free', page: { path: '/pricing' }, other: 1 });
      expect(await metadataOf(sa.auth, lead)).toEqual({
        acquisition_source: 'google',
        first_plan: 'free',
        last_page: '/pricing',
        last_page_list: ['/pricing'],
      });
    });

    it('always_latest overwrites, set_once keeps its first value, append keeps the values newest last', async () => {
      await event(sa.auth, 'mapped@example.com', { utm_source: 'bing', plan: 'pro', page: { path: '/docs' } });
      expect(await metadataOf(sa.auth, lead)).toEqual({
        acquisition_source: 'bing',
        first_plan: 'free',
        last_page: '/docs',
        last_page_list: ['/pricing', '/docs'],
      });
    });

    it('an event without the source fields (or with null) changes nothing', async () => {
      await event(sa.auth, 'mapped@example.com', { utm_source: null, unrelated: 'x' });
      expect(await metadataOf(sa.auth, lead)).toMatchObject({ acquisition_source: 'bing', first_plan: 'free', last_page: '/docs' });
    });

    it('append keeps the last 10 values, newest last (also within one ingest batch)', async () => {
      const pages = Array.from({ length: 11 }, (_, i) => `/p${i}`);
      const ids = await ingestAndWait(
        t,
        sa.auth,
        pages.map((p, i) => ({ ...email('mapped@example.com'), event_type: 'Mapped Visit', timestamp: ago(MIN - i * 1000), metadata: { page: { path: p } } })),
      );
      expect(ids).toHaveLength(11);
      const metadata = await metadataOf(sa.auth, lead);
      expect(metadata.last_page).toBe('/p10');
      expect(metadata.last_page_list).toEqual(pages.slice(1));
    });

    it('set_once never overwrites a value set by hand; always_latest does', async () => {
      const other = await event(sa.auth, 'manual@example.com', { note: 'first' });
      expect(await metadataOf(sa.auth, other)).toEqual({});
      await as().patch(`/lead/${other}/metadata`, { first_plan: 'enterprise', acquisition_source: 'sales' }).expect(200);
      await event(sa.auth, 'manual@example.com', { plan: 'free', utm_source: 'newsletter' });
      expect(await metadataOf(sa.auth, other)).toEqual({ first_plan: 'enterprise', acquisition_source: 'newsletter' });
    });

    it('maps every lead of one batch, new and existing alike', async () => {
      const body = [
        { ...email('batch-1@example.com'), event_type: 'Mapped Visit', timestamp: ago(MIN), metadata: { utm_source: 'one', plan: 'p1' } },
        { ...email('batch-2@example.com'), event_type: 'Mapped Visit', timestamp: ago(MIN), metadata: { utm_source: 'two' } },
        { ...email('mapped@example.com'), event_type: 'Mapped Visit', timestamp: ago(MIN), metadata: { plan: 'ignored', page: { path: '/batch' } } },
        { ...email('batch-1@example.com'), event_type: 'Mapped Visit', timestamp: ago(MIN), metadata: { utm_source: 'one-again', plan: 'p2' } },
      ];
      const ids = await ingestAndWait(t, sa.auth, body);
      expect(await metadataOf(sa.auth, await leadOfEvent(t, sa.auth, ids[0]))).toEqual({ acquisition_source: 'one-again', first_plan: 'p1' });
      expect(await metadataOf(sa.auth, await leadOfEvent(t, sa.auth, ids[1]))).toEqual({ acquisition_source: 'two' });
      const existing = await metadataOf(sa.auth, lead);
      expect(existing).toMatchObject({ first_plan: 'free', last_page: '/batch' });
      expect((existing.last_page_list as string[]).slice(-2)).toEqual(['/p10', '/batch']);
    });

    it('carries each event’s mapped properties on its own LeadEventRecorded (profile_set), with no separate metadata change', async () => {
      const rows: { event_type: string; set: Row | null }[] = await ds.query(
        `SELECT e.event_type, e.payload->'profile_set' AS set FROM event_store_events e JOIN leads l ON l.id = e.stream_id
          WHERE l.lead_id = $1 AND e.event_type IN ('LeadEventRecorded', 'LeadMetadataChanged') ORDER BY e.global_position`,
        [lead],
      );
      // first event, second event, the null event, the 11-event batch, the mixed batch: all recorded events
      expect(rows.map((r) => r.event_type)).toEqual(Array(15).fill('LeadEventRecorded'));
      expect(rows[0].set).toEqual({ acquisition_source: 'google', first_plan: 'free', last_page: '/pricing', last_page_list: ['/pricing'] });
      // set_once's plan changed nothing the second time, and the null event nothing at all
      expect(rows[1].set).toEqual({ acquisition_source: 'bing', last_page: '/docs', last_page_list: ['/pricing', '/docs'] });
      expect(rows[2].set).toBeNull();
      // within one batch each event sees the properties the earlier ones set
      expect(rows[3].set).toEqual({ last_page: '/p0', last_page_list: ['/pricing', '/docs', '/p0'] });
      expect(rows[13].set).toEqual({ last_page: '/p10', last_page_list: Array.from({ length: 10 }, (_, i) => `/p${i + 1}`) });
      expect(rows[14].set).toEqual({ last_page: '/batch', last_page_list: [...Array.from({ length: 9 }, (_, i) => `/p${i + 2}`), '/batch'] });
    });

    it('a mapping change applies to the next batch; a deleted mapping keeps what it wrote', async () => {
      const [utm] = (await as().get('/profile-mappings').expect(200)).body;
      await as().put(`/profile-mappings/${utm.id}`, { source_field: 'utm.source', profile_property: 'acquisition_source' }).expect(200);
      await event(sa.auth, 'mapped@example.com', { utm: { source: 'linkedin' }, utm_source: 'ignored' });
      expect((await metadataOf(sa.auth, lead)).acquisition_source).toBe('linkedin');
      await as().delete(`/profile-mappings/${utm.id}`).expect(204);
      await event(sa.auth, 'mapped@example.com', { utm: { source: 'twitter' } });
      expect((await metadataOf(sa.auth, lead)).acquisition_source).toBe('linkedin');
    });

    it('another OU’s events are not mapped by this OU’s mappings', async () => {
      const theirs = await event(b.admin, 'mapped@example.com', { utm_source: 'google', plan: 'free', page: { path: '/x' } });
      expect(await metadataOf(b.admin, theirs)).toEqual({});
    });

    it('lists the distinct lead metadata keys of the OU (PRF-15), by name, and only its own', async () => {
      const keys = await eventually(async () => {
        const body: string[] = (await as().get('/lead-metadata/properties').expect(200)).body;
        return body.includes('first_plan') && body.includes('last_page_list') && body;
      });
      expect(keys).toEqual(['acquisition_source', 'first_plan', 'last_page', 'last_page_list']);
      expect((await api(t, viewer).get('/lead-metadata/properties').expect(200)).body).toEqual(keys);
      expect((await api(t, b.admin).get('/lead-metadata/properties').expect(200)).body).toEqual([]);
    });
  });

  describe('backfill of profile mappings (ADM-3)', () => {
    // organization B's OU: its leads predate its mappings
    const bs = () => api(t, b.admin);
    let early: string;
    let twice: string;

    beforeAll(async () => {
      early = await event(b.admin, 'early@example.com', { utm_source: 'google', plan: 'free', page: '/a' }, ago(30 * MIN));
      await event(b.admin, 'early@example.com', { utm_source: 'bing', plan: 'pro', page: '/b' }, ago(20 * MIN));
      twice = await event(b.admin, 'kept@example.com', { plan: 'trial' }, ago(10 * MIN));
      await bs().patch(`/lead/${twice}/metadata`, { first_plan: 'manual' }).expect(200);
      await event(b.admin, 'nothing@example.com', { unrelated: true }, ago(10 * MIN));
    });

    it('refuses a Viewer (403) and needs a credential (401)', async () => {
      await api(t, viewer).post('/backfill/profile-mappings').expect(403);
      await api(t, none).post('/backfill/profile-mappings').expect(401);
      await as().get('/backfill/jobs/999999').expect(404);
    });

    it('applies the mappings to existing leads from their events, honouring each update behaviour, and counts', async () => {
      await bs().post('/profile-mappings', { source_field: 'utm_source', profile_property: 'source' }).expect(201);
      await bs().post('/profile-mappings', { source_field: 'plan', profile_property: 'first_plan', update_behavior: 'set_once' }).expect(201);
      await bs().post('/profile-mappings', { source_field: 'page', profile_property: 'page', update_behavior: 'append' }).expect(201);
      const leads: number = (await bs().get('/leads?limit=500').expect(200)).body.total;
      const res = await bs().post('/backfill/profile-mappings').expect(200);
      // early, and the lead of the isolation test above (utm_source, plan, page); kept has only its plan, and its
      // first_plan was set by hand (set_once); nothing has no mapped values
      expect(res.body).toEqual({ leads_processed: leads, leads_updated: 2 });
      expect(await metadataOf(b.admin, early)).toEqual({ source: 'bing', first_plan: 'free', page: '/b', page_list: ['/a', '/b'] });
      expect(await metadataOf(b.admin, twice)).toEqual({ first_plan: 'manual' });
      const [change] = await ds.query(
        `SELECT e.payload FROM event_store_events e JOIN leads l ON l.id = e.stream_id
          WHERE l.lead_id = $1 AND e.event_type = 'LeadMetadataChanged'`,
        [early],
      );
      expect(change.payload).toMatchObject({ silent: true, cause: 'profile_mapping_backfill' });
    });

    it('is safe to re-run: a second run updates no lead', async () => {
      const leads: number = (await bs().get('/leads?limit=500').expect(200)).body.total;
      expect((await bs().post('/backfill/profile-mappings').expect(200)).body).toEqual({ leads_processed: leads, leads_updated: 0 });
    });

    it('picks up a changed behaviour on the next run', async () => {
      const [source] = (await bs().get('/profile-mappings').expect(200)).body;
      await bs().put(`/profile-mappings/${source.id}`, { source_field: 'utm_source', profile_property: 'source', update_behavior: 'append' }).expect(200);
      expect((await bs().post('/backfill/profile-mappings').expect(200)).body.leads_updated).toBe(2);
      expect(await metadataOf(b.admin, early)).toMatchObject({ source: 'bing', source_list: ['google', 'bing'] });
      expect((await bs().post('/backfill/profile-mappings').expect(200)).body.leads_updated).toBe(0);
    });

    it('is audited', async () => {
      expect(await audited('profile_mappings')).toEqual(expect.arrayContaining([expect.stringMatching(/^backfill of profile mappings \(job \d+\)$/)]));
    });
  });
});
