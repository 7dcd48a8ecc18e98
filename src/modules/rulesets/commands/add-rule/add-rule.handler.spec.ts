import { InMemoryRulesets, fixedClock, inActiveUnit, rejection, rule } from '../rulesets.fakes';
import { AddRuleCommand } from './add-rule.command';
import { AddRuleHandler } from './add-rule.handler';

describe('AddRuleHandler', () => {
  const setup = () => {
    const store = new InMemoryRulesets();
    return { store, handler: new AddRuleHandler(store.repository, store.lookup, fixedClock) };
  };

  it('adds to the primary ruleset when none is named', async () => {
    const { store, handler } = setup();
    store.add('rs_1');
    const result = await inActiveUnit(() => handler.execute(new AddRuleCommand(undefined, rule('Page View'))));
    expect(result.rulesetId).toBe('rs_1');
    expect(store.stored.get('rs_1')!.rules.map((r) => r.rule_id)).toEqual([result.ruleId]);
  });

  it('needs a ruleset when the OU has no primary one', async () => {
    const { handler } = setup();
    expect(await inActiveUnit(() => rejection(handler.execute(new AddRuleCommand(undefined, rule('Page View')))))).toEqual({
      code: 'ruleset_required',
      status: 400,
    });
  });

  it('refuses a second rule with the same event type and filters (409)', async () => {
    const { store, handler } = setup();
    store.add('rs_1', undefined, { rl_1: rule('Page View') });
    expect(await inActiveUnit(() => rejection(handler.execute(new AddRuleCommand('rs_1', rule('page_view')))))).toEqual({
      code: 'duplicate_rule',
      status: 409,
    });
  });

  it('refuses a window that ends when it starts, and another OU’s ruleset', async () => {
    const { store, handler } = setup();
    store.add('rs_b', 'unit_b');
    const at = '2026-03-01T00:00:00.000Z';
    expect(await inActiveUnit(() => rejection(handler.execute(new AddRuleCommand('rs_b', rule('Page View', { start_at: at, end_at: at })))))).toEqual({
      code: 'validation_failed',
      status: 400,
    });
    expect(await inActiveUnit(() => rejection(handler.execute(new AddRuleCommand('rs_b', rule('Page View')))))).toEqual({
      code: 'ruleset_not_found',
      status: 404,
    });
  });
});
