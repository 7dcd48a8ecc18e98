import { InMemoryRulesets, fixedClock, inActiveUnit, rejection } from '../rulesets.fakes';
import { DeleteRulesetCommand } from './delete-ruleset.command';
import { DeleteRulesetHandler } from './delete-ruleset.handler';

describe('DeleteRulesetHandler', () => {
  it('deletes a ruleset of the active OU', async () => {
    const store = new InMemoryRulesets();
    store.add('rs_1');
    await inActiveUnit(() => new DeleteRulesetHandler(store.repository, fixedClock).execute(new DeleteRulesetCommand('rs_1')));
    expect(store.stored.get('rs_1')!.exists).toBe(false);
  });

  it('answers 404 for a missing ruleset and for another OU’s', async () => {
    const store = new InMemoryRulesets();
    store.add('rs_other', 'unit_b');
    const handler = new DeleteRulesetHandler(store.repository, fixedClock);
    for (const id of ['rs_missing', 'rs_other']) {
      expect(await inActiveUnit(() => rejection(handler.execute(new DeleteRulesetCommand(id))))).toEqual({ code: 'ruleset_not_found', status: 404 });
    }
    expect(store.stored.get('rs_other')!.exists).toBe(true);
  });
});
