import type { EntityManager } from 'typeorm';
import { ACCOUNT_MAPPING_SINK, AccountMappingBatchItem, AccountMappingSink, applyMappedValues } from '../src/modules/mappings';
import { emailAliases as email, ingestAndWait, leadOfEvent } from './support/ingest';
import { startScenario } from './support/scenario';
import { activateOu, api, ServiceAccount, Tenant } from './support/tenants';
import { eventually, TestApp } from './support/test-app';
import { ago, MIN, NOW } from './support/time';

/**
 * The account mapping port: what the ingest pipeline hands over per batch. The accounts module binds the real sink
 * (its effects are asserted in accounts.e2e-spec); here a recording stand-in replaces it to check the contract itself:
 * it keeps one account per lead in memory, folds the values with the mappings' own applyMappedValues, and answers the
 * keys it wrote.
 */
const received: { unit: { org_id: string; unit_id: string }; items: AccountMappingBatchItem[]; inTransaction: boolean }[] = [];
const accounts = new Map<string, Record<string, unknown>>();

class RecordingSink implements AccountMappingSink {
  async apply(m: EntityManager, unit: { org_id: string; unit_id: string }, items: AccountMappingBatchItem[]): Promise<string[]> {
    const [{ exists }] = await m.query(`SELECT count(*)::int AS exists FROM leads WHERE id = ANY($1::text[])`, [items.map((i) => i.lead_ref)]);
    received.push({ unit, items, inTransaction: exists === items.length });
    const keys: string[] = [];
    for (const item of items) {
      const current = accounts.get(item.lead_id) ?? {};
      const changes = applyMappedValues(item.values, current);
      accounts.set(item.lead_id, { ...current, ...changes });
      keys.push(...Object.keys(changes));
    }
    return keys;
  }
}

describe('Account mappings on ingest (ACCOUNT_MAPPING_SINK contract)', () => {
  let t: TestApp;
  let a: Tenant;
  let sa: ServiceAccount;
  const as = () => api(t, sa.auth);
  const visit = (who: string, metadata: object) => ({ ...email(who), event_type: 'Account Visit', timestamp: ago(MIN), metadata });

  beforeAll(async () => {
    ({ t, a, sa } = await startScenario({ now: NOW, serviceAccount: 'account-sink', overrides: [{ provide: ACCOUNT_MAPPING_SINK, useClass: RecordingSink }] }));
    await activateOu(t, a.admin, a.unitId);
  });
  afterAll(() => t.close());

  it('hands nothing over while ABM is off, even with account mappings stored', async () => {
    await api(t, a.admin).put('/scoring/settings', { abm_enabled: true }).expect(204);
    await as().post('/account-scoring/mappings', { source_field: 'company.size', account_property: 'employees' }).expect(201);
    await as().post('/account-scoring/mappings', { source_field: 'plan', account_property: 'plan', update_behavior: 'append' }).expect(201);
    await as().post('/account-scoring/mappings', { source_field: 'country', account_property: 'country', update_behavior: 'set_once' }).expect(201);
    await api(t, a.admin).put('/scoring/settings', { abm_enabled: false }).expect(204);
    await ingestAndWait(t, sa.auth, visit('off@acme.example', { plan: 'free' }));
    expect(received).toEqual([]);
  });

  it('hands each batch’s values over once, per lead in event order, inside the batch’s transaction', async () => {
    await api(t, a.admin).put('/scoring/settings', { abm_enabled: true }).expect(204);
    const ids = await ingestAndWait(t, sa.auth, [
      visit('buyer@acme.example', { company: { size: 1200 }, plan: 'free', country: 'NO' }),
      visit('other@globex.example', { unrelated: true }),
      visit('buyer@acme.example', { plan: 'pro', country: 'SE' }),
    ]);
    const buyer = await leadOfEvent(t, sa.auth, ids[0]);
    expect(received).toHaveLength(1);
    expect(received[0].unit).toEqual({ org_id: a.orgId, unit_id: a.unitId });
    expect(received[0].inTransaction).toBe(true);
    expect(received[0].items).toEqual([
      {
        lead_ref: expect.any(String),
        lead_id: buyer,
        values: [
          { property: 'employees', update_behavior: 'always_latest', value: 1200 },
          { property: 'plan', update_behavior: 'append', value: 'free' },
          { property: 'country', update_behavior: 'set_once', value: 'NO' },
          { property: 'plan', update_behavior: 'append', value: 'pro' },
          { property: 'country', update_behavior: 'set_once', value: 'SE' },
        ],
      },
    ]);
    expect(accounts.get(buyer)).toEqual({ employees: 1200, plan: 'pro', plan_list: ['free', 'pro'], country: 'NO' });
  });

  it('lists the account metadata keys the sink wrote', async () => {
    expect((await as().get('/account-metadata/properties').expect(200)).body).toEqual(['country', 'employees', 'plan', 'plan_list']);
  });
});

// the request waits 0 ms here, so the backfill always answers 202 (its 200 path is in mappings.e2e-spec)
describe('Profile mapping backfill taking longer than the request waits', () => {
  let t: TestApp;
  let a: Tenant;
  let b: Tenant;
  let sa: ServiceAccount;

  beforeAll(async () => {
    ({ t, a, b, sa } = await startScenario({ now: NOW, rival: 'Backfill Rivals', serviceAccount: 'backfill-202', env: { SCHEDULED_JOB_RUN_WAIT_MS: 0 } }));
  });
  afterAll(() => t.close());

  it('answers 202 with the job, followed at GET /backfill/jobs/{jobId} until it completes with the counts', async () => {
    const as = () => api(t, sa.auth);
    await ingestAndWait(t, sa.auth, { ...email('slow@example.com'), event_type: 'Visit', timestamp: ago(MIN), metadata: { utm_source: 'google' } });
    await as().post('/profile-mappings', { source_field: 'utm_source', profile_property: 'source' }).expect(201);
    const res = await as().post('/backfill/profile-mappings').expect(202);
    expect(res.body).toEqual({
      job_id: expect.any(String),
      kind: 'profile_mappings',
      status: expect.stringMatching(/^(queued|running)$/),
      progress: expect.any(Number),
      result: null,
      error: null,
      status_url: `/backfill/jobs/${res.body.job_id}`,
    });
    const done = await eventually(async () => {
      const job = (await as().get(res.body.status_url).expect(200)).body;
      return job.status === 'completed' && job;
    });
    expect(done).toEqual({
      job_id: res.body.job_id,
      kind: 'profile_mappings',
      status: 'completed',
      progress: 100,
      result: { leads_processed: 1, leads_updated: 1 },
      error: null,
      status_url: res.body.status_url,
    });
    // another organization's credential does not see the job
    await activateOu(t, b.admin, b.unitId);
    expect((await api(t, b.admin).get(res.body.status_url).expect(404)).body.error).toBe('job_not_found');
    expect(a.orgId).not.toBe(b.orgId);
  });
});
