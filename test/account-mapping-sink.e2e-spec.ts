import { Global, Module } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { ACCOUNT_MAPPING_SINK, AccountMappingBatchItem, AccountMappingSink, applyMappedValues } from '../src/modules/mappings';
import { emailAliases as email, ingestAndWait, leadOfEvent } from './support/ingest';
import { startScenario } from './support/scenario';
import { activateOu, api, ServiceAccount, Tenant } from './support/tenants';
import { TestApp } from './support/test-app';
import { ago, MIN, NOW } from './support/time';

/**
 * The account mapping port as the accounts module will bind it: what the ingest pipeline hands over per batch. The
 * sink here stands in for the accounts module (on another branch): it keeps one account per lead in memory, folds the
 * values with the mappings' own applyMappedValues, and answers the keys it wrote.
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

@Global()
@Module({ providers: [{ provide: ACCOUNT_MAPPING_SINK, useClass: RecordingSink }], exports: [ACCOUNT_MAPPING_SINK] })
class SinkModule {}

describe('Account mappings on ingest (ACCOUNT_MAPPING_SINK contract)', () => {
  let t: TestApp;
  let a: Tenant;
  let sa: ServiceAccount;
  const as = () => api(t, sa.auth);
  const visit = (who: string, metadata: object) => ({ ...email(who), event_type: 'Account Visit', timestamp: ago(MIN), metadata });

  beforeAll(async () => {
    ({ t, a, sa } = await startScenario({ now: NOW, serviceAccount: 'account-sink', imports: [SinkModule] }));
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
