import { SUPPRESSION_REASONS, countsTowardVelocity } from './suppression';

describe('countsTowardVelocity', () => {
  it('counts kept and velocity-suppressed events, not metadata-filtered or fan-out duplicates', () => {
    expect(countsTowardVelocity(null)).toBe(true);
    expect(countsTowardVelocity('inorganic')).toBe(true);
    expect(countsTowardVelocity('inorganic_grouped')).toBe(true);
    expect(countsTowardVelocity('metadata_filter')).toBe(false);
    expect(countsTowardVelocity('fan_out')).toBe(false);
  });

  it('knows exactly four reasons', () => {
    expect(SUPPRESSION_REASONS).toEqual(['metadata_filter', 'fan_out', 'inorganic', 'inorganic_grouped']);
  });
});
