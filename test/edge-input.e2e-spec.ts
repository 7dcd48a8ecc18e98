import request from 'supertest';
import { DataSource } from 'typeorm';
import { MAX_ARRAY_ITEMS, MAX_STRING_LENGTH } from '../src/platform/http/input-limits';
import { api, firstRunTenant, Tenant } from './support/tenants';
import { startTestApp, TestApp } from './support/test-app';

/**
 * Bad input is refused at the edge, once for every route, as a 400 `validation_failed` naming the field —
 * never a 500 from PostgreSQL and never a silent 2xx — and the item-5 bugs of issue 9 stay fixed.
 */
describe('Input at the edge', () => {
  let t: TestApp;
  let a: Tenant;
  let ds: DataSource;
  let primary: string;
  const as = () => api(t, a.admin);
  const count = async (table: string) => (await ds.query(`SELECT count(*)::int AS n FROM ${table}`))[0].n as number;
  const fieldsOf = (body: { error: string; details?: { field: string }[] }) => {
    expect(body.error).toBe('validation_failed');
    return (body.details ?? []).map((d) => d.field);
  };

  beforeAll(async () => {
    t = await startTestApp({ roles: ['api'] });
    a = await firstRunTenant(t);
    await as().post('/org-units/active', { ouId: a.unitId }).expect(200);
    ds = t.app.get(DataSource);
    await as()
      .post('/lead', { id: 'ld_edge', metadata: { company: 'Acme' } })
      .expect(201);
    primary = (await as().post('/rulesets', { name: 'Primary', score_type: 'engagement', active: true }).expect(201)).body.ruleset_id;
  });
  afterAll(() => t.close());

  describe('NUL characters never reach PostgreSQL', () => {
    it.each([
      ['a path id', '/lead/ld%00x', 'leadID'],
      ['a path id on a DELETE', '/rules/r%00x', 'id'],
      ['a query value', '/lead/by-alias?value=a%00b', 'value'],
      ['a search query', '/leads/search?q=ab%00cd', 'q'],
      ['an audit-log search', '/audit-logs?search=x%00', 'search'],
      ['the stream OU', '/stream?ouId=x%00', 'ouId'],
    ])('%s → 400 naming the field', async (_what, url, field) => {
      const method = url.startsWith('/rules') ? 'delete' : 'get';
      const res = await as()[method](url);
      expect(res.status).toBe(400);
      expect(fieldsOf(res.body)).toContain(field);
    });

    it('a JSON body string or key → 400 naming the field, nothing written', async () => {
      const before = await count('leads');
      const res = await as()
        .post('/lead', { id: 'ld_nul', metadata: { note: 'a\u0000b' } })
        .expect(400);
      expect(fieldsOf(res.body)).toEqual(['metadata.note']);
      const key = await as()
        .post('/lead', { id: 'ld_nul', metadata: { ['k\u0000']: 1 } })
        .expect(400);
      expect(fieldsOf(key.body)).toEqual(['metadata.k\u0000']);
      expect(await count('leads')).toBe(before);
    });
  });

  describe('numbers', () => {
    it.each([
      '/events?page=1e26',
      '/leads/import/jobs?page=100000000000000000000000000',
      '/audit-logs?offset=1e26',
      '/events/ld_edge?page=1e26',
      '/surge-events?page=1e26',
    ])('%s → 400 naming the paging field', async (url) => {
      const res = await as().get(url);
      expect(res.status).toBe(400);
      expect(fieldsOf(res.body)).toEqual([url.includes('offset') ? 'offset' : 'page']);
    });

    it('a non-finite query number (minScore=1e309) → 400', async () => {
      const res = await as().get('/leads/ld_edge/activity?minScore=1e309').expect(400);
      expect(fieldsOf(res.body)).toEqual(['minScore']);
    });

    it('a non-finite JSON number (1e309 parses as Infinity) → 400', async () => {
      const res = await as().post('/rules', { event_type: 'X', weight: 1 }).expect(201);
      const bad = await request(t.http)
        .put(`/rules/${res.body.rule_id}`)
        .set(a.admin.header, a.admin.value)
        .set('Content-Type', 'application/json')
        .send('{"weight": 1e309}');
      expect(bad.status).toBe(400);
      expect(fieldsOf(bad.body)).toEqual(['weight']);
    });
  });

  describe('explicit null', () => {
    it('for an optional field that is not nullable → 400 naming it; nothing changes', async () => {
      const res = await as().put(`/members/${a.adminMemberId}`, { first_name: null }).expect(400);
      expect(fieldsOf(res.body)).toEqual(['first_name']);
      const settings = await as().put('/scoring/settings', { session_timeout_minutes: null }).expect(400);
      expect(fieldsOf(settings.body)).toEqual(['session_timeout_minutes']);
    });

    it('for a field documented nullable is still accepted', async () => {
      const rule = await as().post('/rules', { event_type: 'Nullable', weight: 1, half_life_days: 10 }).expect(201);
      await as().put(`/rules/${rule.body.rule_id}`, { half_life_days: null }).expect(200);
    });
  });

  describe('global limits on fields without their own', () => {
    it(`a string longer than ${MAX_STRING_LENGTH} characters → 400 naming the field`, async () => {
      const res = await as()
        .get(`/lead/by-alias?value=${'x'.repeat(MAX_STRING_LENGTH + 1)}`)
        .expect(400);
      expect(fieldsOf(res.body)).toEqual(['value']);
    });

    it(`an array beyond its documented maxItems → 400 naming the field (the global ${MAX_ARRAY_ITEMS} is unit-tested in dto-limits.spec)`, async () => {
      const res = await as()
        .post('/leads/scores', { lead_ids: Array.from({ length: 501 }, (_v, i) => `ld_${i}`) })
        .expect(400);
      expect(fieldsOf(res.body)).toEqual(['lead_ids']);
      expect(MAX_ARRAY_ITEMS).toBeGreaterThanOrEqual(500);
    });
  });

  describe('flat query strings', () => {
    it('ruleset[x]=1 is the key "ruleset[x]", not a nested ruleset object', async () => {
      const res = await as().get('/score/ld_edge?ruleset[x]=1');
      expect(res.status).toBe(200);
      expect(res.body.lead_id).toBe('ld_edge');
    });

    it('a repeated single-valued parameter → 400', async () => {
      const res = await as().get('/score/ld_edge?ruleset=a&ruleset=b').expect(400);
      expect(fieldsOf(res.body)).toEqual(['ruleset']);
    });
  });

  describe('POST /engagement-scoring/test', () => {
    const rule = { event_type: 'Page View', weight: 5 };

    it('without rule → 400 naming rule (was 500)', async () => {
      const res = await as().post('/engagement-scoring/test', { lead_id: 'ld_edge' }).expect(400);
      expect(fieldsOf(res.body)).toEqual(['rule']);
    });

    it('without lead_id → 400 naming lead_id (was 404 lead_not_found)', async () => {
      const res = await as().post('/engagement-scoring/test', { rule }).expect(400);
      expect(fieldsOf(res.body)).toContain('lead_id');
    });

    it('accepts the POST /rules object, ruleset_id included, and projects against that ruleset; nothing written', async () => {
      const rs = await as().post('/rulesets', { name: 'Edge RS', score_type: 'engagement' }).expect(201);
      const rulesetId = rs.body.ruleset_id;
      expect(rulesetId).not.toBe(primary);
      const rulesBefore = await count('rules');
      const res = await as()
        .post('/engagement-scoring/test', { lead_id: 'ld_edge', rule: { ...rule, ruleset_id: rulesetId, icon: 'eye' } })
        .expect(200);
      expect(res.body).toMatchObject({ ruleset_id: rulesetId, matches: false, current_score: 0, projected_score: 0 });
      expect(await count('rules')).toBe(rulesBefore);
    });

    it('a rule.ruleset_id that differs from ruleset_id → 400 naming rule.ruleset_id', async () => {
      const res = await as()
        .post('/engagement-scoring/test', { lead_id: 'ld_edge', ruleset_id: 'rs_a', rule: { ...rule, ruleset_id: 'rs_b' } })
        .expect(400);
      expect(fieldsOf(res.body)).toEqual(['rule.ruleset_id']);
    });
  });

  it('GET /lead-by-alias is served as an alias of GET /lead/by-alias', async () => {
    await as().post('/lead', { id: 'ld_alias', aliases: [{ alias_kind: 'email', raw_value: 'alias@example.com' }] });
    const canonical = await as().get('/lead/by-alias?value=alias@example.com');
    const flat = await as().get('/lead-by-alias?value=alias@example.com');
    expect(flat.status).toBe(canonical.status);
    expect(flat.body).toEqual(canonical.body);
    expect((await as().get('/lead-by-alias')).status).toBe(400);
  });

  it('POST /leads/import/start without primary_identifier → 400 naming it (was 500); no job queued', async () => {
    const before = await count('lead_import_jobs');
    const res = await as().post('/leads/import/start', { file_id: 'preview_00000000000000000000000000000000' }).expect(400);
    expect(fieldsOf(res.body)).toEqual(['primary_identifier']);
    expect(await count('lead_import_jobs')).toBe(before);
  });
});
