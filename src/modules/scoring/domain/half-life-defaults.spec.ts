import { halfLifeEligibility, HALF_LIFE_RESEARCH_DEFAULTS, researchHalfLife } from './half-life-defaults';

describe('HL-4 research half-life defaults', () => {
  it('holds the published values', () => {
    expect(HALF_LIFE_RESEARCH_DEFAULTS).toMatchObject({ page_view: 14, demo_request: 90, email_click: 28, pricing_page_view: 14, whitepaper_download: 60 });
    expect(Object.keys(HALF_LIFE_RESEARCH_DEFAULTS)).toHaveLength(15);
  });

  it('looks event types up by their canonical key', () => {
    expect(researchHalfLife('Page View')).toBe(14);
    expect(researchHalfLife('demo-request')).toBe(90);
    expect(researchHalfLife('Email Open')).toBe(7);
    expect(researchHalfLife('Custom Thing')).toBeNull();
    expect(researchHalfLife('')).toBeNull();
    expect(researchHalfLife(null)).toBeNull();
  });
});

describe('halfLifeEligibility (HL-1, HL-3)', () => {
  it('offers the default to engagement rules without a half-life', () => {
    expect(halfLifeEligibility({ dimension: 'engagement', event_type: 'Demo Request', half_life_days: null })).toEqual({ eligible: true, half_life_days: 90 });
  });

  it('names why a rule is skipped, dimension first', () => {
    expect(halfLifeEligibility({ dimension: 'deal', event_type: 'Page View', half_life_days: 3 })).toEqual({
      eligible: false,
      reason: 'dimension_not_event_sourced',
    });
    expect(halfLifeEligibility({ dimension: 'engagement', event_type: 'Page View', half_life_days: 3 })).toEqual({
      eligible: false,
      reason: 'already_configured',
    });
    expect(halfLifeEligibility({ dimension: 'engagement', event_type: 'Custom', half_life_days: null })).toEqual({
      eligible: false,
      reason: 'no_research_default',
    });
    expect(halfLifeEligibility({ dimension: 'engagement', event_type: '', half_life_days: null })).toEqual({ eligible: false, reason: 'no_research_default' });
  });
});
