import { DataSource } from 'typeorm';
import { AggregateRepository } from '../../../../platform/event-store';
import { fixedClock, inActiveUnit, rejection } from '../rulesets.fakes';
import { CreateRulesetCommand, NewRuleset } from './create-ruleset.command';
import { CreateRulesetHandler } from './create-ruleset.handler';

const input = (extra: Partial<NewRuleset> = {}): NewRuleset => ({
  name: 'Main',
  score_column: 'total_score',
  is_primary: false,
  active: true,
  start_date: null,
  end_date: null,
  ...extra,
});

describe('CreateRulesetHandler', () => {
  const transaction = jest.fn();
  const handler = new CreateRulesetHandler({} as AggregateRepository, { transaction } as unknown as DataSource, fixedClock);

  beforeEach(() => transaction.mockReset());

  it('refuses a ruleset that ends before it starts, before touching the store', async () => {
    const result = await inActiveUnit(() => rejection(handler.execute(new CreateRulesetCommand(input({ start_date: '2026-02-01', end_date: '2026-01-31' })))));
    expect(result).toEqual({ code: 'validation_failed', status: 400 });
    expect(transaction).not.toHaveBeenCalled();
  });

  it('accepts a one-day ruleset and a new id', async () => {
    transaction.mockResolvedValue(undefined);
    const { rulesetId } = await inActiveUnit(() => handler.execute(new CreateRulesetCommand(input({ start_date: '2026-02-01', end_date: '2026-02-01' }))));
    expect(rulesetId).toMatch(/^rs_/);
    expect(transaction).toHaveBeenCalledTimes(1);
  });
});
