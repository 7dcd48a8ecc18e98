import { DataSource } from 'typeorm';
import { ScoringSetupService } from '../src/modules/scoring';
import { createRuleset } from './support/rulesets';
import { startScenario } from './support/scenario';
import { api, ServiceAccount, Tenant } from './support/tenants';
import { startTestApp, TestApp } from './support/test-app';
import { NOW } from './support/time';
import { emailAliases, ingestAndWait, leadOfEvent, scoreOf } from './support/ingest';

/**
 * The scoring setup an ingest batch reads is kept per process with the `scoring_setup_version` counter; every write
 * to a setup table moves the counter in its own transaction, so a change is used by the next batch of every process
 * (here: a second, worker-only process on the same database) and nothing stale survives a commit or a rollback.
 */
describe('Scoring setup cache', () => {
  let t: TestApp;
  let worker: TestApp;
  let a: Tenant;
  let sa: ServiceAccount;

  beforeAll(async () => {
    ({ t, a, sa } = await startScenario({ now: NOW, serviceAccount: 'setup-cache', roles: ['api'] }));
    worker = await startTestApp({ roles: ['worker'], db: t.db, env: { QUEUE_PREFIX: t.config.env.QUEUE_PREFIX } });
    worker.clock.set(NOW);
  });
  afterAll(async () => {
    await worker.close();
    await t.close();
  });

  it('reads the setup again only when a setup table changed, in any process', async () => {
    const setups = worker.app.get(ScoringSetupService);
    const first = await setups.load(a.orgId, a.unitId);
    expect(await setups.load(a.orgId, a.unitId)).toBe(first);

    // a ruleset created through the api process: the worker scores with it from the next batch on
    const set = await createRuleset(t, sa.auth, 'Cached', [{ event_type: 'Cache Visit', weight: 5 }]);
    const ids = await ingestAndWait(t, sa.auth, { ...emailAliases('cache@example.com'), event_type: 'Cache Visit' });
    const leadId = await leadOfEvent(t, sa.auth, ids[0]);
    expect(await scoreOf(t, sa.auth, leadId, 'Cached')).toBe(5);
    const second = await setups.load(a.orgId, a.unitId);
    expect(second).not.toBe(first);
    expect(second.rulesets.map((r) => r.id)).toContain(set.id);

    // a rule's weight changed: the very next event scores with the new weight
    const ruleId = set.rules[0];
    await api(t, sa.auth).put(`/rules/${ruleId}`, { weight: 7 }).expect(200);
    await ingestAndWait(t, sa.auth, { ...emailAliases('cache@example.com'), event_type: 'Cache Visit' });
    expect(await scoreOf(t, sa.auth, leadId, 'Cached')).toBe(12);

    // a write rolled back leaves the counter (and so the cached setup) as it was
    const ds = worker.app.get(DataSource);
    const before = await setups.load(a.orgId, a.unitId);
    const runner = ds.createQueryRunner();
    await runner.startTransaction();
    await runner.query(`UPDATE rules SET weight = 1000 WHERE id = $1`, [ruleId]);
    const inside = await setups.load(a.orgId, a.unitId, runner.manager);
    expect(inside.rulesets.find((r) => r.id === set.id)!.rules[0].weight).toBe(1000);
    await runner.rollbackTransaction();
    await runner.release();
    const after = await setups.load(a.orgId, a.unitId);
    expect(after.rulesets.find((r) => r.id === set.id)!.rules[0].weight).toBe(7);
    expect(after).not.toBe(inside);
    expect(await setups.load(a.orgId, a.unitId)).toBe(after);
    expect(before.rulesets.find((r) => r.id === set.id)!.rules[0].weight).toBe(7);
  });
});
