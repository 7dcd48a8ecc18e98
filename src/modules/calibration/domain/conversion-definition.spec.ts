import { coldStartPhase, normaliseDefinition, unknownStages } from './conversion-definition';

describe('conversion definition (CAL-1)', () => {
  it('applies the defaults and drops the fields a type does not use', () => {
    expect(normaliseDefinition({ conversion_type: 'manual_label', deal_stages: ['x'], event_type_id: 'Demo' })).toEqual({
      problems: [],
      definition: { conversion_type: 'manual_label', deal_stages: [], event_type_id: null, engagement_persistence_days: 14, lookback_days: 90 },
    });
    expect(normaliseDefinition({ conversion_type: 'closed_won', deal_stages: [' won ', 'won', 'lost'], lookback_days: 30 }).definition).toMatchObject({
      deal_stages: ['won', 'lost'],
      lookback_days: 30,
    });
  });

  it.each([
    [{ conversion_type: 'sales_disposition' }, 'conversion_type'],
    [{ conversion_type: 'bogus' }, 'conversion_type'],
    [{ conversion_type: 'closed_won' }, 'deal_stages'],
    [{ conversion_type: 'deal_stage_reached', deal_stages: ['  '] }, 'deal_stages'],
    [{ conversion_type: 'event_type_match', event_type_id: ' ' }, 'event_type_id'],
  ])('refuses %j naming %s', (input, field) => {
    const { definition, problems } = normaliseDefinition(input);
    expect(definition).toBeUndefined();
    expect(problems.map((p) => p.field)).toEqual([field]);
  });

  it('checks stages only against a non-empty synced list', () => {
    expect(unknownStages(['a', 'b'], null)).toEqual([]);
    expect(unknownStages(['a', 'b'], new Set())).toEqual([]);
    expect(unknownStages(['a', 'b'], new Set(['a']))).toEqual(['b']);
  });

  it('cold-start phases (CAL-9)', () => {
    expect(coldStartPhase(10, 0, 50, 30)).toBe('collecting_data');
    expect(coldStartPhase(60, 29, 50, 30)).toBe('warming_up');
    expect(coldStartPhase(60, 30, 50, 30)).toBe('warm');
  });
});
