import request from 'supertest';
import { Webhook } from 'standardwebhooks';
import { DataSource } from 'typeorm';
import { CommandBus } from '@nestjs/cqrs';
import { DecayApplyJob } from '../src/modules/decays';
import { RecordLeadActivityBatchCommand } from '../src/modules/leads';
import { CredentialCache } from '../src/modules/identity';
import { api, Auth, login, ADMIN_PASSWORD, memberWithRole, serviceAccount, Tenant, activateOu } from './support/tenants';
import { eventually, flushRedisPrefix, startTestApp, TestApp } from './support/test-app';
import { startScenario } from './support/scenario';
import { emailAliases, ingest } from './support/ingest';

const SECRET = 'whsec_' + Buffer.from('kenbun-billing-test-secret-32byt').toString('base64');
const signer = new Webhook(SECRET);
let seq = 0;

/** A signed delivery as the billing provider sends it (Standard Webhooks), `prefix` webhook- or svix-. */
function signed(payload: object, opts: { id?: string; at?: Date; prefix?: 'webhook' | 'svix'; secret?: string } = {}) {
  const id = opts.id ?? `msg_${Date.now()}_${++seq}`;
  const at = opts.at ?? new Date();
  const body = JSON.stringify(payload);
  const signature = (opts.secret ? new Webhook(opts.secret) : signer).sign(id, at, body);
  const p = opts.prefix ?? 'webhook';
  return { id, body, headers: { [`${p}-id`]: id, [`${p}-timestamp`]: String(Math.floor(at.getTime() / 1000)), [`${p}-signature`]: signature } };
}

const post = (t: TestApp, d: { body: string; headers: Record<string, string> }) =>
  request(t.http).post('/billing/webhook').set('Content-Type', 'application/json').set(d.headers).send(d.body);

const usage = async (t: TestApp, auth: Auth) => (await api(t, auth).get('/usage').expect(200)).body;

describe('Usage and billing', () => {
  let t: TestApp;
  let a: Tenant;
  let b: Tenant;
  let ds: DataSource;

  beforeAll(async () => {
    ({ t, a, b } = await startScenario({ rival: 'Other Org', now: new Date('2026-06-10T12:00:00Z'), env: { BILLING_WEBHOOK_SECRET: SECRET } }));
    ds = t.app.get(DataSource);
    await activateOu(t, a.admin, a.unitId);
  });
  afterAll(() => t.close());

  const subscription = async (orgId: string): Promise<{ status: string; trial_ends_at: Date | null; last_event_type: string }> =>
    (await ds.query(`SELECT status, trial_ends_at, last_event_type FROM billing_subscriptions WHERE org_id = $1`, [orgId]))[0];
  const setStatus = async (orgId: string, status: string, type = 'subscription.updated') => {
    const res = await post(t, signed({ type, data: { org_id: orgId, status, trial_ends_at: null } }));
    expect(res.status).toBe(200);
  };

  describe('GET /usage', () => {
    it('counts accepted ingested events of every OU of the organization once, and nothing else', async () => {
      const before = await usage(t, a.admin);
      expect(before).toEqual({
        monthly_events: 0,
        free_tier_limit: 500000,
        overage_rate_cents: 50,
        overage_unit: 10000,
        overage: false,
        billing_cycle_start: '2026-06-01T00:00:00.000Z',
        billing_cycle_end: '2026-07-01T00:00:00.000Z',
        org_id: a.orgId,
        org_name: expect.any(String),
        subscription_status: 'none',
        trial_ends_at: null,
      });

      // a second OU of the same organization, with a metadata filter that suppresses some events (still counted)
      const unit2 = (await api(t, a.admin).post('/org-units', { name: 'Second' }).expect(201)).body.unit_id;
      const sa2 = await serviceAccount(t, a, 'second-ou');
      await activateOu(t, sa2.auth, unit2);
      await api(t, sa2.auth)
        .post('/metadata-filters', { name: 'bots', conditions: [{ key: 'bot', operator: 'exists' }] })
        .expect(201);

      const inA = await ingest(
        t,
        a.admin,
        Array.from({ length: 7 }, (_, i) => ({ ...emailAliases(`u${i % 3}@a.example`), event_type: 'Page View' })),
      );
      const inA2 = await ingest(t, sa2.auth, [
        ...Array.from({ length: 4 }, (_, i) => ({ ...emailAliases(`v${i}@a.example`), event_type: 'Demo' })),
        { ...emailAliases('bot@a.example'), event_type: 'Demo', metadata: { bot: true } },
      ]);
      // rejected: nothing is queued, nothing counted
      await api(t, a.admin)
        .post('/ingest', [{ ...emailAliases('x@a.example'), event_type: 'Ok' }, { event_type: 'No lead' }])
        .expect(400);
      // another organization's events count for it alone
      await ingest(t, b.admin, [{ ...emailAliases('z@b.example'), event_type: 'Page View' }]);
      // a client event id sent twice is one event
      await ingest(t, a.admin, { ...emailAliases('dup@a.example'), event_type: 'Page View', event_id: 'client-1' });
      await ingest(t, a.admin, { ...emailAliases('dup@a.example'), event_type: 'Page View', event_id: 'client-1' });

      expect(inA).toHaveLength(7);
      expect(inA2).toHaveLength(5);
      await eventually(async () => (await usage(t, a.admin)).monthly_events === 13);
      await eventually(async () => (await usage(t, b.admin)).monthly_events === 1);
      // settled: still exact (the duplicate was not counted late)
      await new Promise((r) => setTimeout(r, 300));
      expect((await usage(t, a.admin)).monthly_events).toBe(13);
      expect((await usage(t, b.admin)).org_id).toBe(b.orgId);
      // the same organization total from either OU
      expect((await usage(t, sa2.auth)).monthly_events).toBe(13);
    });

    it('counts imported events, and not the events the decay job writes', async () => {
      const start = (await usage(t, a.admin)).monthly_events;
      const ruleset = (await api(t, a.admin).post('/rulesets', { name: 'Imports' }).expect(201)).body.ruleset_id;
      await api(t, a.admin).post('/rules', { ruleset_id: ruleset, event_type: 'Imported', weight: 5 }).expect(201);
      const csv = 'email,event_type\nimp1@a.example,Imported\nimp2@a.example,Imported\nimp3@a.example,Imported\n';
      await request(t.http).post('/import').set(a.admin.header, a.admin.value).attach('file', Buffer.from(csv), 'events.csv').expect(202);
      await eventually(async () => (await usage(t, a.admin)).monthly_events === start + 3);
      await eventually(
        async () =>
          (await api(t, a.admin).get('/events?limit=500')).body.events.filter((e: { event_type: string }) => e.event_type === 'Imported').length === 3,
      );
      await api(t, a.admin).post('/decays', { inactive_for: 1, unit: 'days', decrease: 1 }).expect(201);
      t.clock.advance(2 * 24 * 3600_000); // still the same month (the suite starts on the 10th)
      const decayed = (await t.app.get(DecayApplyJob).apply()) as { events_written: number };
      expect(decayed.events_written).toBeGreaterThan(0);
      expect((await usage(t, a.admin)).monthly_events).toBe(start + 3);
    });

    it('does not count a batch twice when its job is delivered again', async () => {
      const start = (await usage(t, a.admin)).monthly_events;
      const ids = await ingest(t, a.admin, [
        { ...emailAliases('re1@a.example'), event_type: 'Redelivered' },
        { ...emailAliases('re2@a.example'), event_type: 'Redelivered' },
      ]);
      await eventually(async () => (await usage(t, a.admin)).monthly_events === start + 2);
      // the same events handed to the pipeline again (what a redelivered job does): recognised by their ids
      const [row] = await ds.query(`SELECT payload, metadata FROM event_store_events WHERE event_id = $1`, [ids[0]]);
      expect(row).toBeDefined();
      const again = ids.map((id, i) => ({
        event_id: id,
        client_event_id: null,
        org_id: a.orgId,
        unit_id: a.unitId,
        actor: 'test',
        lead_id: null,
        aliases: [{ kind: 'email', value: `re${i + 1}@a.example` }],
        event_type: 'Redelivered',
        occurred_at: t.clock.now().toISOString(),
        received_at: t.clock.now().toISOString(),
        metadata: {},
        source: 'api' as const,
        skip_triggers: false,
      }));
      const outcome = await t.app.get(CommandBus).execute(new RecordLeadActivityBatchCommand(again as never, 'redelivery'));
      expect(outcome).toMatchObject({ recorded: 0, duplicates: 2 });
      expect((await usage(t, a.admin)).monthly_events).toBe(start + 2);
    });

    it('needs a credential (401) and an active OU to find the organization (400)', async () => {
      await request(t.http).get('/usage').expect(401);
      const fresh = await serviceAccount(t, a, 'no-ou-yet');
      const res = await api(t, fresh.auth).get('/usage').expect(400);
      expect(res.body.error).toBe('no_active_ou');
    });
  });

  describe('POST /billing/webhook', () => {
    it('applies a correctly signed subscription.created and audits it', async () => {
      const d = signed({ type: 'subscription.created', data: { org_id: b.orgId, status: 'trialing', trial_ends_at: '2030-01-08T00:00:00Z' } });
      const res = await post(t, d).expect(200);
      expect(res.body).toEqual({ received: true });
      expect(await subscription(b.orgId)).toEqual({
        status: 'trialing',
        trial_ends_at: new Date('2030-01-08T00:00:00Z'),
        last_event_type: 'subscription.created',
      });
      const u = await usage(t, b.admin);
      expect([u.subscription_status, u.trial_ends_at]).toEqual(['trialing', '2030-01-08T00:00:00.000Z']);
      const audit = await ds.query(
        `SELECT actor_type, actor_id, entity_type, entity_id, summary FROM audit_logs WHERE org_id = $1 AND actor_type = 'billing_provider'`,
        [b.orgId],
      );
      expect(audit).toEqual([
        {
          actor_type: 'billing_provider',
          actor_id: d.id,
          entity_type: 'subscription',
          entity_id: b.orgId,
          summary: expect.stringContaining('set the subscription to trialing (was none)'),
        },
      ]);
      // the organization admin sees it in the audit log
      const listed = (await api(t, b.admin).get('/audit-logs').expect(200)).body.items;
      expect(listed.map((e: { actor_type: string }) => e.actor_type)).toContain('billing_provider');
    });

    it('applies a replayed webhook id once', async () => {
      const d = signed({ type: 'subscription.updated', data: { org_id: b.orgId, status: 'active', trial_ends_at: null } });
      await post(t, d).expect(200);
      // the org changes meanwhile; the replay must not set it back
      await setStatus(b.orgId, 'past_due');
      const replay = await post(t, d).expect(200);
      expect(replay.body).toEqual({ received: true });
      expect((await subscription(b.orgId)).status).toBe('past_due');
      expect((await ds.query(`SELECT count(*)::int AS n FROM audit_logs WHERE actor_id = $1`, [d.id]))[0].n).toBe(1);
      await setStatus(b.orgId, 'active');
    });

    it('accepts svix-* headers', async () => {
      await post(t, signed({ type: 'subscription.updated', data: { org_id: b.orgId, status: 'trialing', trial_ends_at: null } }, { prefix: 'svix' })).expect(
        200,
      );
      expect((await subscription(b.orgId)).status).toBe('trialing');
      await setStatus(b.orgId, 'active');
    });

    it('refuses a bad signature, missing headers, a stale or future timestamp (401), changing nothing', async () => {
      const payload = { type: 'subscription.updated', data: { org_id: b.orgId, status: 'canceled', trial_ends_at: null } };
      const wrongKey = signed(payload, { secret: 'whsec_' + Buffer.from('another-secret-entirely-32-bytes').toString('base64') });
      const tampered = signed(payload);
      tampered.body = tampered.body.replace('canceled', 'past_due');
      const stale = signed(payload, { at: new Date(Date.now() - 6 * 60_000) });
      const future = signed(payload, { at: new Date(Date.now() + 6 * 60_000) });
      const noSignature = signed(payload);
      delete (noSignature.headers as Record<string, string>)['webhook-signature'];
      for (const d of [wrongKey, tampered, stale, future, noSignature]) {
        const res = await post(t, d);
        expect([res.status, res.body.error]).toEqual([401, 'webhook_signature_invalid']);
      }
      const bare = await request(t.http).post('/billing/webhook').send(payload);
      expect(bare.status).toBe(401);
      expect((await subscription(b.orgId)).status).toBe('active');
      expect(
        (
          await ds.query(`SELECT count(*)::int AS n FROM billing_webhook_events WHERE webhook_id = ANY($1)`, [[wrongKey.id, tampered.id, stale.id, future.id]])
        )[0].n,
      ).toBe(0);
    });

    it('ignores unknown types and unknown organizations (200), and names a bad field (400)', async () => {
      const unknown = signed({ type: 'invoice.created', data: { org_id: b.orgId } });
      expect((await post(t, unknown).expect(200)).body).toEqual({ received: true });
      await post(t, signed({ type: 'subscription.updated', data: { org_id: 'org_nobody', status: 'canceled' } })).expect(200);
      expect(await ds.query(`SELECT outcome FROM billing_webhook_events WHERE webhook_id = $1`, [unknown.id])).toEqual([{ outcome: 'ignored' }]);
      const bad = await post(t, signed({ type: 'subscription.updated', data: { org_id: b.orgId, status: 'paused' } })).expect(400);
      expect(bad.body.details).toEqual([{ field: 'data.status', reason: expect.any(String) }]);
      const noType = await post(t, signed({ data: {} })).expect(400);
      expect(noType.body.details.map((x: { field: string }) => x.field)).toContain('type');
      expect((await subscription(b.orgId)).status).toBe('active');
    });

    it('payment_attempt failed → past_due; freeTrialEnding records the trial end', async () => {
      await post(t, signed({ type: 'payment_attempt', data: { org_id: b.orgId, status: 'paid' } })).expect(200);
      expect((await subscription(b.orgId)).status).toBe('active');
      await post(t, signed({ type: 'subscriptionItem.freeTrialEnding', data: { org_id: b.orgId, trial_ends_at: '2031-02-03T04:05:06Z' } })).expect(200);
      expect(await subscription(b.orgId)).toMatchObject({ status: 'active', trial_ends_at: new Date('2031-02-03T04:05:06Z') });
      await post(t, signed({ type: 'payment_attempt', data: { org_id: b.orgId, status: 'failed' } })).expect(200);
      expect(await subscription(b.orgId)).toMatchObject({ status: 'past_due', trial_ends_at: new Date('2031-02-03T04:05:06Z') });
      await setStatus(b.orgId, 'active');
    });
  });

  describe('write gating (G-11)', () => {
    it('past due: ingest and rule writes answer 402 and write nothing; reads and sign-in work; active again: writes work', async () => {
      const operator = await memberWithRole(t, b, 'operator@other.example', 'Operator');
      await setStatus(b.orgId, 'past_due');
      const events = Number((await ds.query(`SELECT count(*)::int AS n FROM event_store_events WHERE metadata->>'org_id' = $1`, [b.orgId]))[0].n);
      const ing = await api(t, b.admin).post('/ingest', { ...emailAliases('gated@b.example'), event_type: 'Gated' });
      expect([ing.status, ing.body.error]).toEqual([402, 'subscription_past_due']);
      const rs = await api(t, operator.auth).post('/rulesets', { name: 'Gated' });
      expect([rs.status, rs.body.error]).toEqual([402, 'subscription_past_due']);
      // a bad body is still refused before validation: nothing of the handler ran
      expect((await api(t, b.admin).post('/rules', {})).status).toBe(402);
      await new Promise((r) => setTimeout(r, 300));
      expect(Number((await ds.query(`SELECT count(*)::int AS n FROM event_store_events WHERE metadata->>'org_id' = $1`, [b.orgId]))[0].n)).toBe(events);
      expect((await api(t, b.admin).get('/rulesets').expect(200)).body.map((r: { name: string }) => r.name)).not.toContain('Gated');
      // reads, sign-in, choosing the active OU, a dry run
      expect((await usage(t, b.admin)).subscription_status).toBe('past_due');
      await api(t, b.admin).get('/events').expect(200);
      const again = await login(t, b.adminEmail, ADMIN_PASSWORD);
      await api(t, again).post('/org-units/active', { ouId: b.unitId }).expect(200);
      await api(t, again)
        .post('/metadata-filters/preview', { conditions: [{ key: 'x', operator: 'exists' }] })
        .expect(200);

      await setStatus(b.orgId, 'active');
      await api(t, b.admin)
        .post('/ingest', { ...emailAliases('open@b.example'), event_type: 'Open' })
        .expect(202);
      await api(t, operator.auth).post('/rulesets', { name: 'Open again' }).expect(201);
    });

    it('the OpenAPI document lists 402 on exactly the writes the gate stops', async () => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const doc = require('../openapi.json') as { paths: Record<string, Record<string, { security?: object[]; responses: Record<string, unknown> }>> };
      // the ABM routes answer 403 abm_disabled (a guard, before the gate) while ABM is off
      await api(t, b.admin).put('/scoring/settings', { abm_enabled: true }).expect(204);
      await setStatus(b.orgId, 'past_due');
      const mismatches: string[] = [];
      let documented = 0;
      for (const [path, item] of Object.entries(doc.paths)) {
        for (const method of ['post', 'put', 'patch', 'delete'] as const) {
          const op = item[method];
          const schemes = (op?.security ?? []).flatMap((req) => Object.keys(req));
          if (!op || !schemes.some((x) => x === 'bearerAuth' || x === 'basicAuth')) continue;
          const url = path.replace(/\{[^}]+\}/g, 'gate_probe');
          const res = await api(t, b.admin)[method](url, {});
          const says402 = '402' in op.responses;
          if (says402) documented++;
          if ((res.status === 402) !== says402)
            mismatches.push(`${method.toUpperCase()} ${path}: documented ${says402 ? '402' : 'no 402'}, answered ${res.status}`);
        }
      }
      await setStatus(b.orgId, 'active');
      expect(mismatches).toEqual([]);
      expect(documented).toBeGreaterThan(100);
    });

    it('canceled, ended and expired answer 402 subscription_canceled; trialing writes', async () => {
      for (const status of ['canceled', 'ended', 'expired']) {
        await setStatus(b.orgId, status);
        const res = await api(t, b.admin).post('/rulesets', { name: `While ${status}` });
        expect([status, res.status, res.body.error]).toEqual([status, 402, 'subscription_canceled']);
        await api(t, b.admin).get('/rulesets').expect(200);
      }
      await setStatus(b.orgId, 'trialing');
      await api(t, b.admin).post('/rulesets', { name: 'While trialing' }).expect(201);
      // organization A has no billing record: never gated
      expect((await usage(t, a.admin)).subscription_status).toBe('none');
      await api(t, a.admin).post('/rulesets', { name: 'Self-hosted' }).expect(201);
      await setStatus(b.orgId, 'active');
    });
  });
});

/** Two api processes on one database and Redis: the webhook received by one gates (and ungates) the other at once. */
describe('Write gating across api processes', () => {
  let t: TestApp;
  let other: TestApp;
  let a: Tenant;

  beforeAll(async () => {
    ({ t, a } = await startScenario({ roles: ['api'], env: { BILLING_WEBHOOK_SECRET: SECRET } }));
    other = await startTestApp({ roles: ['api'], db: t.db, env: { QUEUE_PREFIX: t.config.env.QUEUE_PREFIX, BILLING_WEBHOOK_SECRET: SECRET } });
    for (const app of [t, other]) await eventually(async () => (app.app.get(CredentialCache) as unknown as { live: boolean }).live);
    await activateOu(t, a.admin, a.unitId);
  });
  afterAll(async () => {
    await other.app.close();
    await flushRedisPrefix(other.config.env.QUEUE_PREFIX);
    await t.close();
  });

  it('the other process sees each change on its next write (its cached status is evicted)', async () => {
    const write = (name: string) => api(other, a.admin).post('/rulesets', { name });
    // warm the other process's cache with "none" (writes pass)
    await write('warm 1').expect(201);
    await write('warm 2').expect(201);
    await post(t, signed({ type: 'subscription.created', data: { org_id: a.orgId, status: 'past_due', trial_ends_at: null } })).expect(200);
    const gated = await write('gated');
    expect([gated.status, gated.body.error]).toEqual([402, 'subscription_past_due']);
    await post(t, signed({ type: 'subscription.updated', data: { org_id: a.orgId, status: 'canceled', trial_ends_at: null } })).expect(200);
    expect((await write('canceled')).body.error).toBe('subscription_canceled');
    await post(t, signed({ type: 'subscription.updated', data: { org_id: a.orgId, status: 'active', trial_ends_at: null } })).expect(200);
    await write('open again').expect(201);
  });
});
