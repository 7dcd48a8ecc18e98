import { InMemoryRulesets, fixedClock, inActiveUnit, rule } from '../rulesets.fakes';
import { RemoveRuleCommand } from './remove-rule.command';
import { RemoveRuleHandler } from './remove-rule.handler';

describe('RemoveRuleHandler', () => {
  it('removes the rule from the ruleset it belongs to', async () => {
    const store = new InMemoryRulesets();
    store.add('rs_1', undefined, { rl_1: rule('Page View'), rl_2: rule('Form Submit') });
    await inActiveUnit(() => new RemoveRuleHandler(store.repository, store.lookup, fixedClock).execute(new RemoveRuleCommand('rl_1')));
    expect(store.stored.get('rs_1')!.rules.map((r) => r.rule_id)).toEqual(['rl_2']);
  });

  it('does not look further when the rule is unknown in the OU', async () => {
    const store = new InMemoryRulesets();
    await expect(
      inActiveUnit(() => new RemoveRuleHandler(store.repository, store.lookup, fixedClock).execute(new RemoveRuleCommand('rl_x'))),
    ).rejects.toMatchObject({ code: 'rule_not_found' });
  });
});
