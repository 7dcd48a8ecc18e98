import { InMemoryRulesets, fixedClock, inActiveUnit, rejection, rule } from '../rulesets.fakes';
import { ReorderRulesCommand } from './reorder-rules.command';
import { ReorderRulesHandler } from './reorder-rules.handler';

describe('ReorderRulesHandler', () => {
  const setup = () => {
    const store = new InMemoryRulesets();
    store.add('rs_1', undefined, { rl_1: rule('Page View'), rl_2: rule('Form Submit') });
    return { store, handler: new ReorderRulesHandler(store.repository, fixedClock) };
  };

  it('sets the new order', async () => {
    const { store, handler } = setup();
    await inActiveUnit(() => handler.execute(new ReorderRulesCommand('rs_1', ['rl_2', 'rl_1'])));
    const rules = [...store.stored.get('rs_1')!.rules].sort((a, b) => a.priority - b.priority);
    expect(rules.map((r) => r.rule_id)).toEqual(['rl_2', 'rl_1']);
  });

  it.each([
    ['a rule twice', ['rl_1', 'rl_1']],
    ['a missing rule', ['rl_1']],
    ['a foreign rule', ['rl_1', 'rl_2', 'rl_9']],
  ])('refuses an order listing %s (400 invalid_reorder)', async (_what, ids) => {
    const { handler } = setup();
    expect(await inActiveUnit(() => rejection(handler.execute(new ReorderRulesCommand('rs_1', ids))))).toEqual({ code: 'invalid_reorder', status: 400 });
  });
});
