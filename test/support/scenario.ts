import { activateOu, anotherTenant, firstRunTenant, ServiceAccount, serviceAccount, Tenant } from './tenants';
import { startTestApp, TestApp, TestAppOptions } from './test-app';
import { listenOnFreePort } from './sse';

export interface ScenarioOptions extends TestAppOptions {
  /** set on the test clock before any tenant is created */
  now?: Date;
  /** listen on a free port (SSE clients) */
  listen?: boolean;
  /** name of organization B (created after A, the first run) */
  rival?: string;
  /** name of a service account of A */
  serviceAccount?: string;
  /** make A's OU the service account's active OU and B's OU its admin's (default true) */
  activate?: boolean;
}

export interface Scenario {
  t: TestApp;
  /** organization A from the first run (OU unit_default) */
  a: Tenant;
  /** organization B; only when `rival` was given */
  b: Tenant;
  /** A's service account; only when `serviceAccount` was given */
  sa: ServiceAccount;
}

/**
 * The setup most e2e files share: the app on a fresh database, organization A, optionally a rival
 * organization B and a service account of A, each credential on its own OU.
 */
export async function startScenario(opts: ScenarioOptions = {}): Promise<Scenario> {
  const { now, listen, rival, serviceAccount: accountName, activate = true, ...appOptions } = opts;
  const t = await startTestApp(appOptions);
  if (listen) await listenOnFreePort(t);
  if (now) t.clock.set(now);
  const a = await firstRunTenant(t);
  const b = rival ? await anotherTenant(t, rival) : (undefined as unknown as Tenant);
  const sa = accountName ? await serviceAccount(t, a, accountName) : (undefined as unknown as ServiceAccount);
  if (activate && accountName) await activateOu(t, sa.auth, a.unitId);
  if (activate && rival) await activateOu(t, b.admin, b.unitId);
  return { t, a, b, sa };
}
