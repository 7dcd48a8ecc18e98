import { InMemoryRulesets, fixedClock, inActiveUnit, rejection, rule } from '../rulesets.fakes';
import { UpdateRuleCommand } from './update-rule.command';
import { UpdateRuleHandler } from './update-rule.handler';

describe('UpdateRuleHandler', () => {
  const setup = () => {
    const store = new InMemoryRulesets();
    store.add('rs_1', undefined, { rl_1: rule('Page View', { start_at: '2026-03-01T00:00:00.000Z' }), rl_2: rule('Form Submit') });
    return { store, handler: new UpdateRuleHandler(store.repository, store.lookup, fixedClock) };
  };

  it('applies a partial change and names the ruleset', async () => {
    const { store, handler } = setup();
    expect(await inActiveUnit(() => handler.execute(new UpdateRuleCommand('rl_2', { weight: 3 })))).toEqual({ rulesetId: 'rs_1' });
    expect(store.stored.get('rs_1')!.rule('rl_2').weight).toBe(3);
  });

  it('checks the window against the rule as it would be (end before the stored start → 400)', async () => {
    const { handler } = setup();
    const result = await inActiveUnit(() => rejection(handler.execute(new UpdateRuleCommand('rl_1', { end_at: '2026-02-01T00:00:00.000Z' }))));
    expect(result).toEqual({ code: 'validation_failed', status: 400 });
  });

  it('refuses turning a rule into a twin of another (409)', async () => {
    const { handler } = setup();
    expect(await inActiveUnit(() => rejection(handler.execute(new UpdateRuleCommand('rl_2', { event_type: 'Page View' }))))).toEqual({
      code: 'duplicate_rule',
      status: 409,
    });
  });
});
