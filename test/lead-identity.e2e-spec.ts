import { getQueueToken } from '@nestjs/bull';
import type { Queue } from 'bull';
import { createServer, Server } from 'node:http';
import { QueueName } from '../src/platform/queues/queue-names';
import { DataSource, QueryRunner } from 'typeorm';
import { LeadEventsProjection } from '../src/modules/events/projections/lead-events.projection';
import { IngestPipeline } from '../src/modules/ingestion';
import { ProjectionRunner } from '../src/platform/projections/projection-runner.service';
import { AuditWriter } from '../src/platform/audit/audit-writer.service';
import { ingest, ingestAndWait, processed, scoreOf } from './support/ingest';
import { api, ServiceAccount, Tenant } from './support/tenants';
import { eventually, TestApp } from './support/test-app';
import { startScenario } from './support/scenario';
import { ago, MIN, NOW } from './support/time';

/**
 * Tables that may keep a deleted lead's public id, and why. Every other table of the schema (listed from
 * information_schema, so a new table is checked without being named here) must hold nothing of the lead.
 */
const MAY_NAME_PUBLIC_ID: Record<string, string> = {
  lead_deletions: 'the deletion request itself: status by public id (nothing else of the lead)',
  audit_logs: 'the audit trail of who did what names the public id (and event ids of single-event ingests) in paths and summaries',
};
/** Tables that cannot hold lead data at all. */
const NO_LEAD_DATA: Record<string, string> = {
  typeorm_migrations: 'migration names only',
};

describe('Leads: identity, metadata, owner and deletion', () => {
  let t: TestApp;
  let ds: DataSource;
  let a: Tenant;
  let b: Tenant;
  let sa: ServiceAccount;
  const as = () => api(t, sa.auth);
  const bs = () => api(t, b.admin);

  beforeAll(async () => {
    ({ t, a, b, sa } = await startScenario({ now: NOW, rival: 'Lead Rivals', serviceAccount: 'leads' }));
    ds = t.app.get(DataSource);
    const rs = (await as().post('/rulesets', { name: 'Main' }).expect(201)).body.ruleset_id;
    await as().post('/rules', { ruleset_id: rs, event_type: 'Page View', weight: 10 }).expect(201);
  });
  afterAll(() => t.close());

  describe('create (POST /leads, POST /lead)', () => {
    it('creates with metadata and account; both paths; 409 on a duplicate id', async () => {
      const res = await as()
        .post('/leads', { id: 'ld_created', metadata: { industry: 'SaaS', seats: 12 }, account_id: 'acc_1' })
        .expect(201);
      expect(res.body).toMatchObject({
        id: 'ld_created',
        lead_id: 'ld_created',
        org_id: a.orgId,
        unit_id: a.unitId,
        account_id: 'acc_1',
        owner_id: null,
        owner_name: null,
        merged_into: null,
        metadata: { industry: 'SaaS', seats: 12 },
        created_at: NOW.toISOString(),
        event_count: 0,
      });
      const single = await as().post('/lead', { id: 'ld_created_singular' }).expect(201);
      expect(single.body).toMatchObject({ id: 'ld_created_singular', metadata: {}, account_id: null });
      const dup = await as().post('/lead', { id: 'ld_created' });
      expect(dup.status).toBe(409);
      expect(dup.body).toMatchObject({ error: 'lead_exists', details: [{ field: 'id' }] });
      // the stream says who created it
      const [created] = await ds.query(
        `SELECT e.payload FROM event_store_events e JOIN leads l ON l.id = e.stream_id WHERE l.lead_id = 'ld_created' AND e.event_type = 'LeadCreated'`,
      );
      expect(created.payload.source).toBe('api');
      // another organization has its own id space
      await bs().post('/leads', { id: 'ld_created' }).expect(201);
      expect((await bs().get('/lead/ld_created').expect(200)).body.lead.org_id).toBe(b.orgId);
      expect((await as().get('/lead/ld_created').expect(200)).body.lead.metadata).toEqual({ industry: 'SaaS', seats: 12 });
      // ingest can now name it
      await ingestAndWait(t, sa.auth, { lead_id: 'ld_created', event_type: 'Page View', timestamp: ago(5 * MIN) });
      expect(await scoreOf(t, sa.auth, 'ld_created')).toBe(10);
    });

    it('refuses bad bodies naming the field', async () => {
      const field = async (body: object) => {
        const res = await as().post('/leads', body);
        expect(res.status).toBe(400);
        return res.body.details.map((d: { field: string }) => d.field);
      };
      expect(await field({})).toContain('id');
      expect(await field({ id: '' })).toContain('id');
      expect(await field({ id: 'x', metadata: [1] })).toEqual(['metadata']);
      expect([...new Set(await field({ id: 'x', account_id: 5 }))]).toEqual(['account_id']);
      expect(await field({ id: 'x', extra: true })).toEqual(['extra']);
      const big = await as().post('/lead', { id: 'too-big', metadata: { blob: 'x'.repeat(101 * 1024) } });
      expect(big.status).toBe(413);
    });
  });

  describe('reads (GET /lead/{id}, /leads/{id}, profile, account, aliases)', () => {
    beforeAll(async () => {
      await ingestAndWait(t, sa.auth, [
        {
          aliases: [
            { alias_kind: 'email', raw_value: '  Reader@Example.COM ' },
            { alias_kind: 'external_id', raw_value: 'crm-42' },
          ],
          event_type: 'Page View',
          timestamp: ago(10 * MIN),
        },
      ]);
    });
    const readerId = async () => (await as().get('/lead/by-alias?value=reader@example.com').expect(200)).body.lead_id as string;

    it('answers {lead, account} on both paths with the exact score; account is null (no accounts feature)', async () => {
      const id = await readerId();
      for (const path of [`/lead/${id}`, `/leads/${id}`]) {
        const res = await as().get(path).expect(200);
        expect(res.body).toEqual({
          lead: expect.objectContaining({
            id,
            lead_id: id,
            org_id: a.orgId,
            unit_id: a.unitId,
            score: 10,
            event_count: 1,
            last_event_type: 'Page View',
            metadata: {},
            account_id: null,
          }),
          account: null,
        });
      }
      expect((await bs().get(`/lead/${id}`)).status).toBe(404);
      expect((await bs().get(`/leads/${id}`)).body.error).toBe('lead_not_found');
    });

    it('lists aliases normalised with stable ids, on both paths', async () => {
      const id = await readerId();
      const res = await as().get(`/lead/${id}/aliases`).expect(200);
      expect(res.body.aliases).toHaveLength(2);
      expect(res.body.aliases).toEqual(
        expect.arrayContaining([
          { id: expect.stringMatching(/^[0-9a-f-]{36}$/), kind: 'email', value: 'reader@example.com', created_at: expect.any(String) },
          { id: expect.stringMatching(/^[0-9a-f-]{36}$/), kind: 'external_id', value: 'crm-42', created_at: expect.any(String) },
        ]),
      );
      expect((await as().get(`/leads/${id}/aliases`).expect(200)).body).toEqual(res.body);
      expect((await bs().get(`/lead/${id}/aliases`)).status).toBe(404);
      expect((await bs().get(`/leads/${id}/aliases`)).status).toBe(404);
    });

    it('answers profile metadata and account metadata honestly', async () => {
      expect((await as().get('/leads/ld_created/profile').expect(200)).body).toEqual({ lead_id: 'ld_created', metadata: { industry: 'SaaS', seats: 12 } });
      expect((await as().get('/leads/ld_created/account').expect(200)).body).toEqual({ lead_id: 'ld_created', account_id: 'acc_1', metadata: null });
      expect((await as().get('/leads/ld_created_singular/account').expect(200)).body).toEqual({
        lead_id: 'ld_created_singular',
        account_id: null,
        metadata: null,
      });
      expect((await as().get('/leads/nobody/profile')).status).toBe(404);
      const bLead = 'ld_created'; // B has its own ld_created; A's profile must not leak to B
      expect((await bs().get(`/leads/${bLead}/profile`).expect(200)).body.metadata).toEqual({});
      expect((await bs().get('/leads/ld_created_singular/profile')).status).toBe(404);
      expect((await bs().get('/leads/ld_created_singular/account')).status).toBe(404);
    });

    it('looks a lead up by alias (kind default email, case-insensitive), 400 naming the field, 404 in another OU', async () => {
      const id = await readerId();
      expect((await as().get('/lead/by-alias?value=%20READER@example.com').expect(200)).body).toEqual({
        lead_id: id,
        email: 'reader@example.com',
        metadata: {},
      });
      expect((await as().get('/lead/by-alias?kind=external_id&value=crm-42').expect(200)).body).toEqual({
        lead_id: id,
        email: 'reader@example.com',
        metadata: {},
      });
      const missing = await as().get('/lead/by-alias');
      expect(missing.status).toBe(400);
      expect(missing.body.details.map((d: { field: string }) => d.field)).toContain('value');
      expect((await as().get('/lead/by-alias?kind=fax&value=1')).body.details[0].field).toBe('kind');
      expect((await as().get('/lead/by-alias?value=nobody@example.com')).status).toBe(404);
      expect((await bs().get('/lead/by-alias?value=reader@example.com')).status).toBe(404);
    });
  });

  describe('metadata writes', () => {
    it('PUT replaces the metadata wholesale and sets or keeps the account', async () => {
      await as()
        .post('/leads', { id: 'ld_put', metadata: { a: 1, b: 2 }, account_id: 'acc_put' })
        .expect(201);
      const res = await as()
        .put('/lead/ld_put', { metadata: { c: 3 } })
        .expect(200);
      expect(res.body).toMatchObject({ id: 'ld_put', metadata: { c: 3 }, account_id: 'acc_put' });
      expect(
        (
          await as()
            .put('/lead/ld_put', { metadata: { c: 3 }, account_id: null })
            .expect(200)
        ).body.account_id,
      ).toBeNull();
      expect((await as().put('/lead/ld_put', { metadata: {}, account_id: 'acc_new' }).expect(200)).body).toMatchObject({ metadata: {}, account_id: 'acc_new' });
      const bad = await as().put('/lead/ld_put', { account_id: 'x' });
      expect(bad.status).toBe(400);
      expect(bad.body.details.map((d: { field: string }) => d.field)).toEqual(['metadata']);
      expect((await bs().put('/lead/ld_put', { metadata: {} })).status).toBe(404);
      expect((await as().get('/lead/ld_put').expect(200)).body.lead).toMatchObject({ metadata: {}, account_id: 'acc_new' });
    });

    it('PATCH merges shallowly on both paths; null removes a key; 400 for a non-object; 404 in another OU', async () => {
      await as()
        .post('/leads', { id: 'ld_patch', metadata: { keep: 'me', drop: 'me', nested: { x: 1 } } })
        .expect(201);
      const one = await as()
        .patch('/lead/ld_patch/metadata', { plan: 'Pro', drop: null, nested: { y: 2 } })
        .expect(200);
      expect(one.body).toEqual({ id: 'ld_patch', org_id: a.orgId, unit_id: a.unitId, metadata: { keep: 'me', plan: 'Pro', nested: { y: 2 } } });
      const two = await as().patch('/leads/ld_patch/metadata', { industry: 'SaaS' }).expect(200);
      expect(two.body.metadata).toEqual({ keep: 'me', plan: 'Pro', nested: { y: 2 }, industry: 'SaaS' });
      const arr = await as().patch('/lead/ld_patch/metadata', [1, 2] as unknown as object);
      expect(arr.status).toBe(400);
      expect(arr.body.details[0].field).toBe('body');
      const blank = await as().patch('/leads/ld_patch/metadata', { ' ': 1 });
      expect(blank.status).toBe(400);
      expect(blank.body.details[0].field).toBe('body');
      expect((await as().patch('/lead/ld_patch/metadata', { huge: 'x'.repeat(101 * 1024) })).status).toBe(413);
      expect((await bs().patch('/lead/ld_patch/metadata', { x: 1 })).status).toBe(404);
      expect((await bs().patch('/leads/ld_patch/metadata', { x: 1 })).status).toBe(404);
      // a no-op patch records nothing
      const before = await ds.query(`SELECT count(*)::int AS n FROM event_store_events e JOIN leads l ON l.id = e.stream_id WHERE l.lead_id = 'ld_patch'`);
      await as().patch('/lead/ld_patch/metadata', { industry: 'SaaS' }).expect(200);
      expect(await ds.query(`SELECT count(*)::int AS n FROM event_store_events e JOIN leads l ON l.id = e.stream_id WHERE l.lead_id = 'ld_patch'`)).toEqual(
        before,
      );
      await t.app.get(AuditWriter).flush();
      const [audit] = await ds.query(
        `SELECT summary FROM audit_logs WHERE entity_type = 'lead' AND entity_id = 'ld_patch' AND method = 'PATCH' ORDER BY id LIMIT 1`,
      );
      expect(audit.summary).toContain('patched the metadata of lead ld_patch');
    });

    it('PATCH by alias merges silently (no timeline event), validates keys, links an account', async () => {
      await ingestAndWait(t, sa.auth, {
        aliases: [{ alias_kind: 'email', raw_value: 'silent@example.com' }],
        event_type: 'Page View',
        timestamp: ago(20 * MIN),
      });
      const id = (await as().get('/lead/by-alias?value=silent@example.com').expect(200)).body.lead_id;
      const eventsBefore = (await as().get(`/events/${id}`).expect(200)).body;
      const res = await as()
        .patch('/lead/by-alias/metadata', { alias_value: 'Silent@Example.com', attributes: { 'Job title': 'CTO', 'company.size': 50 } })
        .expect(200);
      expect(res.body).toEqual({ lead_id: id, updated: 2, attributes: { 'Job title': 'CTO', 'company.size': 50 }, account_linked: false });
      const linked = await as().patch('/lead/by-alias/metadata', { alias_kind: 'email', alias_value: 'silent@example.com', account_id: 'acc_9' }).expect(200);
      expect(linked.body).toEqual({ lead_id: id, updated: 0, attributes: {}, account_linked: true });
      expect((await as().get(`/lead/${id}`).expect(200)).body.lead).toMatchObject({
        metadata: { 'Job title': 'CTO', 'company.size': 50 },
        account_id: 'acc_9',
      });
      expect((await as().get(`/events/${id}`).expect(200)).body).toEqual(eventsBefore);
      const changes = await ds.query(
        `SELECT payload FROM event_store_events WHERE stream_id = (SELECT id FROM leads WHERE lead_id = $1) AND event_type = 'LeadMetadataChanged'`,
        [id],
      );
      expect(changes.map((c: { payload: { silent: boolean } }) => c.payload.silent)).toEqual([true, true]);

      const neither = await as().patch('/lead/by-alias/metadata', { alias_value: 'silent@example.com' });
      expect(neither.status).toBe(400);
      expect(neither.body.details[0].field).toBe('attributes');
      const badKey = await as().patch('/lead/by-alias/metadata', { alias_value: 'silent@example.com', attributes: { 'a/b': 1 } });
      expect(badKey.status).toBe(400);
      expect(badKey.body.details[0].field).toBe('attributes.a/b');
      expect((await as().patch('/lead/by-alias/metadata', { alias_value: 'silent@example.com', attributes: { ['k'.repeat(65)]: 1 } })).status).toBe(400);
      expect((await as().patch('/lead/by-alias/metadata', { attributes: { a: 1 } })).body.details[0].field).toBe('alias_value');
      expect((await as().patch('/lead/by-alias/metadata', { alias_kind: 'fax', alias_value: 'x', attributes: { a: 1 } })).body.details[0].field).toBe(
        'alias_kind',
      );
      expect((await bs().patch('/lead/by-alias/metadata', { alias_value: 'silent@example.com', attributes: { a: 1 } })).status).toBe(404);
    });
  });

  describe('owner', () => {
    it('assigns and unassigns one lead; 400 naming the field; 404 in another OU', async () => {
      await as().post('/leads', { id: 'ld_owned' }).expect(201);
      expect((await as().post('/leads/ld_owned/owner', { owner_id: 'mem_1', owner_name: 'Ada' }).expect(200)).body).toEqual({
        status: 'ok',
        message: 'owner assigned',
      });
      expect((await as().get('/lead/ld_owned').expect(200)).body.lead).toMatchObject({ owner_id: 'mem_1', owner_name: 'Ada' });
      expect((await as().post('/leads/ld_owned/owner', { owner_id: null, owner_name: null }).expect(200)).body).toEqual({
        status: 'ok',
        message: 'owner unassigned',
      });
      expect((await as().get('/lead/ld_owned').expect(200)).body.lead).toMatchObject({ owner_id: null, owner_name: null });
      const bad = await as().post('/leads/ld_owned/owner', { owner_id: 7 });
      expect(bad.status).toBe(400);
      expect(bad.body.details[0].field).toBe('owner_id');
      expect((await bs().post('/leads/ld_owned/owner', { owner_id: 'x' })).status).toBe(404);
      expect((await as().post('/leads/nobody/owner', { owner_id: 'x' })).status).toBe(404);
    });

    it('bulk assigns up to 500 leads, skipping unknown ids and other OUs’ leads', async () => {
      for (const id of ['ld_bulk_1', 'ld_bulk_2', 'ld_bulk_3']) await as().post('/leads', { id }).expect(201);
      await bs().post('/leads', { id: 'ld_bulk_b' }).expect(201);
      const res = await as()
        .post('/leads/bulk-assign-owner', {
          lead_ids: ['ld_bulk_1', 'ld_bulk_2', 'ld_bulk_3', 'ld_bulk_1', 'nobody', 'ld_bulk_b'],
          owner_id: 'mem_2',
          owner_name: 'Grace',
        })
        .expect(200);
      expect(res.body).toEqual({ status: 'ok', affected: 3 });
      for (const id of ['ld_bulk_1', 'ld_bulk_2', 'ld_bulk_3']) expect((await as().get(`/lead/${id}`).expect(200)).body.lead.owner_name).toBe('Grace');
      expect((await bs().get('/lead/ld_bulk_b').expect(200)).body.lead.owner_name).toBeNull();
      expect(
        (
          await bs()
            .post('/leads/bulk-assign-owner', { lead_ids: ['ld_bulk_1'], owner_id: 'intruder' })
            .expect(200)
        ).body.affected,
      ).toBe(0);
      expect((await as().get('/lead/ld_bulk_1').expect(200)).body.lead.owner_name).toBe('Grace');
      const tooMany = await as().post('/leads/bulk-assign-owner', { lead_ids: Array.from({ length: 501 }, (_, i) => `x${i}`), owner_id: 'm' });
      expect(tooMany.status).toBe(400);
      expect(tooMany.body.details[0].field).toBe('lead_ids');
      expect((await as().post('/leads/bulk-assign-owner', { owner_id: 'm' })).body.details[0].field).toBe('lead_ids');
      expect((await as().post('/leads/bulk-assign-owner', { lead_ids: [], owner_id: 'm' })).status).toBe(400);
    });
  });

  describe('deletion (DELETE /lead/{id}, GET /lead/{id}/deletion-status)', () => {
    let hook: Server;
    let hookUrl: string;
    const hits: string[] = [];

    beforeAll(async () => {
      hook = createServer((req, res) => {
        let body = '';
        req.on('data', (d) => (body += d));
        req.on('end', () => {
          hits.push(body);
          res.writeHead(200).end('ok');
        });
      });
      await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
      hookUrl = `http://127.0.0.1:${(hook.address() as { port: number }).port}/hook`;
    });
    afterAll(() => new Promise<void>((r) => hook.close(() => r())));

    /** Every table of the schema that mentions any of `needles` (as text), with the row count. */
    async function tablesMentioning(needles: string[], skip: Record<string, string>): Promise<Record<string, number>> {
      const tables: { table_name: string }[] = await ds.query(
        `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name`,
      );
      expect(tables.length).toBeGreaterThan(20);
      const found: Record<string, number> = {};
      for (const { table_name } of tables) {
        if (table_name in skip) continue;
        const [{ n }] = await ds.query(`SELECT count(*)::int AS n FROM "${table_name}" x WHERE x::text ILIKE ANY($1::text[])`, [needles.map((s) => `%${s}%`)]);
        if (n) found[table_name] = n;
      }
      return found;
    }

    it('hides the lead at once, erases everything about it in the background, and leaves other leads alone', async () => {
      const publicId = 'erase-me-7f3a91';
      const mail = 'erase.me.7f3a91@example.com';
      const secret = 'Secret Company 7f3a91';
      await as()
        .post('/leads', { id: publicId, metadata: { company: secret } })
        .expect(201);
      await as().post('/surge-triggers', { event_type: 'Page View', window_seconds: 3600, threshold_count: 2, webhook_url: hookUrl }).expect(201);
      const filter = (
        await as()
          .post('/metadata-filters', { name: 'Bots', conditions: [{ key: 'bot', operator: 'exists' }] })
          .expect(201)
      ).body;
      const bystander = 'bystander-7f3a91';
      const kept = await ingestAndWait(t, sa.auth, [
        {
          lead_id: publicId,
          aliases: [{ alias_kind: 'email', raw_value: mail }],
          event_type: 'Page View',
          timestamp: ago(9 * MIN),
          metadata: { page: '/pricing' },
        },
        { lead_id: publicId, event_type: 'Page View', timestamp: ago(8 * MIN) },
        { lead_id: publicId, event_type: 'Erasure Probe', timestamp: ago(7 * MIN) },
        { lead_id: publicId, event_type: 'Page View', timestamp: ago(6 * MIN), metadata: { bot: 'yes', ua: secret } },
        { aliases: [{ alias_kind: 'external_id', raw_value: bystander }], event_type: 'Erasure Probe', timestamp: ago(5 * MIN) },
      ]);
      await as().patch(`/lead/${publicId}/metadata`, { plan: 'Pro' }).expect(200);
      await as().post(`/leads/${publicId}/owner`, { owner_id: 'mem_9', owner_name: 'Owner 7f3a91' }).expect(200);
      const [{ id: ref }] = await ds.query(`SELECT id FROM leads WHERE lead_id = $1`, [publicId]);
      await eventually(async () => (await ds.query(`SELECT 1 FROM surge_events WHERE lead_ref = $1`, [ref])).length > 0);
      await eventually(async () => (await ds.query(`SELECT 1 FROM notification_attempts WHERE lead_ref = $1`, [ref])).length > 0);
      const bystanderId = (await as().get(`/lead/by-alias?kind=external_id&value=${bystander}`).expect(200)).body.lead_id;
      const stat = async (key: string) =>
        Number((await ds.query(`SELECT event_count FROM event_type_stats WHERE unit_id = $1 AND key = $2`, [a.unitId, key]))[0]?.event_count ?? 0);
      const probeBefore = await stat('erasure_probe');
      const pageViewsBefore = await stat('page_view');
      const eventIds = (await ds.query(`SELECT event_id FROM lead_events WHERE lead_ref = $1`, [ref])).map((r: { event_id: string }) => r.event_id);
      expect(eventIds.sort()).toEqual(kept.slice(0, 4).sort());
      expect((await ds.query(`SELECT suppression FROM lead_events WHERE event_id = $1`, [kept[3]]))[0].suppression).toBe('metadata_filter');
      expect(filter.id).toBeDefined();
      const needles = [ref, publicId, mail, secret, ...eventIds];
      // the lead is everywhere before
      expect(Object.keys(await tablesMentioning(needles, NO_LEAD_DATA))).toEqual(
        expect.arrayContaining([
          'leads',
          'lead_aliases',
          'lead_events',
          'event_scores',
          'lead_scores',
          'event_store_events',
          'stream_summaries',
          'surge_events',
          'surge_recent_events',
          'surge_lead_state',
          'notification_deliveries',
          'notification_attempts',
        ]),
      );

      const deletions = t.app.get<Queue>(getQueueToken(QueueName.LeadDeletion));
      await deletions.pause(true);
      const del = await as().delete(`/lead/${publicId}`).expect(200);
      expect(del.body).toEqual({ message: 'Lead deletion initiated', lead_id: publicId, status: 'pending' });
      expect((await as().get(`/lead/${publicId}/deletion-status`).expect(200)).body).toMatchObject({
        lead_id: publicId,
        status: 'pending',
        completed_at: null,
      });
      // hidden at once (whether or not the erasure ran yet)
      expect((await as().get(`/lead/${publicId}`)).status).toBe(404);
      expect((await as().get(`/leads/${publicId}/aliases`)).status).toBe(404);
      expect((await as().get(`/lead/by-alias?value=${mail}`)).status).toBe(404);
      expect((await as().post('/ingest', { lead_id: publicId, event_type: 'Page View' })).status).toBe(404);
      // repeating answers the same deletion
      expect((await as().delete(`/lead/${publicId}`).expect(200)).body).toEqual(del.body);
      expect((await bs().get(`/lead/${publicId}/deletion-status`)).status).toBe(404);
      await deletions.resume(true);

      const done = await eventually(async () => {
        const res = await as().get(`/lead/${publicId}/deletion-status`).expect(200);
        return res.body.status === 'completed' && res.body;
      });
      expect(done).toEqual({ lead_id: publicId, status: 'completed', requested_at: NOW.toISOString(), completed_at: NOW.toISOString(), error: null });
      expect(await ds.query(`SELECT count(*)::int AS n FROM lead_deletions WHERE lead_id = $1`, [publicId])).toEqual([{ n: 1 }]);
      expect((await as().delete(`/lead/${publicId}`)).status).toBe(404);

      // nothing of the lead remains in any table (the two listed keep only its public id)
      expect(await tablesMentioning(needles, { ...NO_LEAD_DATA, ...MAY_NAME_PUBLIC_ID })).toEqual({});
      await t.app.get(AuditWriter).flush();
      expect(await tablesMentioning([ref, mail, secret], NO_LEAD_DATA)).toEqual({});
      // event type counts dropped by the erased events; the bystander's count stays
      expect(await stat('erasure_probe')).toBe(probeBefore - 1);
      expect(await stat('page_view')).toBe(pageViewsBefore - 3);
      expect((await as().get(`/lead/${bystanderId}`).expect(200)).body.lead.event_count).toBe(1);
      // the public id may be used again for a new lead
      expect((await as().post('/leads', { id: publicId }).expect(201)).body.metadata).toEqual({});
      expect((await as().get(`/events/${publicId}`).expect(200)).body.events).toEqual([]);
    });

    it('answers 404 for an id never deleted and for unknown leads', async () => {
      const never = await as().get('/lead/ld_created/deletion-status');
      expect(never.status).toBe(404);
      expect(never.body.error).toBe('deletion_not_found');
      expect((await as().delete('/lead/nobody-at-all')).status).toBe(404);
      expect((await bs().delete('/lead/ld_created_singular')).status).toBe(404);
      expect((await as().get('/lead/ld_created_singular').expect(200)).body.lead.id).toBe('ld_created_singular');
    });

    it('an event accepted before the deletion and processed after it is dropped (the lead is not re-created)', async () => {
      await as().post('/leads', { id: 'ld_late' }).expect(201);
      const acceptedAt = new Date(NOW.getTime() - 1000).toISOString();
      await as().delete('/lead/ld_late').expect(200);
      await eventually(async () => (await as().get('/lead/ld_late/deletion-status')).body.status === 'completed');
      const result = await t.app.get(IngestPipeline).process(
        [
          {
            event_id: '0198c0de-0000-7000-8000-0000000a1a7e',
            client_event_id: null,
            org_id: a.orgId,
            unit_id: a.unitId,
            actor: 'test',
            lead_id: 'ld_late',
            aliases: [],
            event_type: 'Page View',
            occurred_at: acceptedAt,
            received_at: acceptedAt,
            metadata: {},
            source: 'api',
            skip_triggers: false,
          },
        ],
        'late-test',
      );
      expect(result).toMatchObject({ recorded: 0, dropped: 1, leadsCreated: 0 });
      expect(await ds.query(`SELECT 1 FROM leads WHERE lead_id = 'ld_late'`)).toEqual([]);
    });

    it('erases rows a projection batch in flight was writing when the deletion ran', async () => {
      const publicId = 'race-lead-5c2e';
      await as().post('/leads', { id: publicId }).expect(201);
      // metadata-suppressed events naming the lead: the batch writes their rows without touching the lead's own row
      await as()
        .post('/metadata-filters', { name: 'Race bots', conditions: [{ key: 'race_bot', operator: 'exists' }] })
        .expect(201);
      await ingestAndWait(t, sa.auth, { lead_id: publicId, event_type: 'Page View', timestamp: ago(4 * MIN) });
      const [{ id: ref }] = await ds.query(`SELECT id FROM leads WHERE lead_id = $1`, [publicId]);
      // a lead-events batch that read the lead's newest events and has not committed yet: the live loops are
      // stopped while the events are stored, then this transaction plays the batch and the loops resume
      const runner = t.app.get(ProjectionRunner);
      await runner.stop();
      const late = await ingest(t, sa.auth, [
        { lead_id: publicId, event_type: 'Page View', timestamp: ago(3 * MIN), metadata: { race_bot: 1 } },
        { lead_id: publicId, event_type: 'Page View', timestamp: ago(2 * MIN), metadata: { race_bot: 2 } },
      ]);
      await eventually(async () => (await ds.query(`SELECT count(*)::int AS n FROM event_store_events WHERE event_id = ANY($1::uuid[])`, [late]))[0].n === 2);
      const qr: QueryRunner = ds.createQueryRunner();
      await qr.connect();
      await qr.startTransaction();
      let committed = false;
      try {
        const [cp] = await qr.query(`SELECT last_transaction_id::text AS tx, last_position FROM projection_checkpoints WHERE name = 'lead-events' FOR UPDATE`);
        runner.start();
        // commit-safe reads see an event once no older transaction (of any database of the cluster) is open
        await eventually(async () => {
          const [{ n }] = await qr.query(
            `SELECT count(*)::int AS n FROM event_store_events WHERE event_id = ANY($1::uuid[]) AND transaction_id < pg_snapshot_xmin(pg_current_snapshot())`,
            [late],
          );
          return n === 2;
        }, 30000);
        const applied = await t.app
          .get(ProjectionRunner)
          .applyFrom(t.app.get(LeadEventsProjection), { transactionId: cp.tx, position: Number(cp.last_position) }, 1000, qr.manager);
        expect(applied.events.map((e) => e.payload.event_id)).toEqual(expect.arrayContaining(late));
        expect((await qr.query(`SELECT count(*)::int AS n FROM lead_events WHERE lead_ref = $1`, [ref]))[0].n).toBe(3);

        await as().delete(`/lead/${publicId}`).expect(200);
        // the erasure waits for the batch: it cannot finish while the batch holds its checkpoint
        await eventually(async () => (await as().get(`/lead/${publicId}/deletion-status`)).body.status === 'in_progress');
        await new Promise((r) => setTimeout(r, 300));
        expect((await as().get(`/lead/${publicId}/deletion-status`)).body.status).toBe('in_progress');
        await qr.commitTransaction();
        committed = true;
      } finally {
        if (!committed) await qr.rollbackTransaction();
        await qr.release();
      }
      await eventually(async () => (await as().get(`/lead/${publicId}/deletion-status`)).body.status === 'completed');
      expect(await tablesMentioning([ref, publicId], { ...NO_LEAD_DATA, ...MAY_NAME_PUBLIC_ID })).toEqual({});
      // the projections carry on afterwards
      const next = await ingestAndWait(t, sa.auth, { lead_id: 'ld_created', event_type: 'Page View', timestamp: ago(1 * MIN) });
      await processed(t, sa.auth, next);
    });
  });
});
