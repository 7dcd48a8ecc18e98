import { TestApp } from './test-app';
import { api, Auth } from './tenants';

/** Creates a ruleset and its rules (201 expected for each); answers their ids. */
export async function createRuleset(t: TestApp, auth: Auth, name: string, rules: object[]): Promise<{ id: string; rules: string[] }> {
  const id = (await api(t, auth).post('/rulesets', { name }).expect(201)).body.ruleset_id as string;
  const ruleIds: string[] = [];
  for (const rule of rules)
    ruleIds.push(
      (
        await api(t, auth)
          .post('/rules', { ruleset_id: id, ...rule })
          .expect(201)
      ).body.rule_id,
    );
  return { id, rules: ruleIds };
}

/**
 * The scoring the trigger suites count on: session multipliers off (each event earns exactly its rule's weight) and
 * one engagement ruleset — Page View +10, Demo Request +30, Unsubscribe −30.
 */
export async function milestoneScoring(t: TestApp, auth: Auth): Promise<void> {
  await api(t, auth).put('/settings/ou/surge-session-policy', { mode: 'off' }).expect(200);
  await createRuleset(t, auth, 'Engagement', [
    { event_type: 'Page View', weight: 10 },
    { event_type: 'Demo Request', weight: 30 },
    { event_type: 'Unsubscribe', weight: -30 },
  ]);
}
