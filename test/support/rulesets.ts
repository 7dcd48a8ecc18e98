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
