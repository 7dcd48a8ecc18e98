import { MetadataFilter, firstSuppressingFilter, metadataFilterMatches } from './metadata-filters';

const scanner: MetadataFilter = {
  id: 'f-scanner',
  event_type: 'Email Click',
  conditions: [{ key: 'user_agent', operator: 'contains', value: 'bot' }],
  enabled: true,
};
const internal: MetadataFilter = {
  id: 'f-internal',
  event_type: '',
  conditions: [
    { key: 'ip', operator: 'starts_with', value: '10.' },
    { key: 'env', operator: 'equals', value: 'staging' },
  ],
  enabled: true,
};

describe('metadataFilterMatches (MF-3)', () => {
  it('matches its own event type, compared by canonical key', () => {
    expect(metadataFilterMatches(scanner, { event_type: 'email_click', metadata: { user_agent: 'SafeLinks Bot' } })).toBe(true);
    expect(metadataFilterMatches(scanner, { event_type: 'email-click ', metadata: { user_agent: 'BOT' } })).toBe(true);
  });

  it('skips events of another type', () => {
    expect(metadataFilterMatches(scanner, { event_type: 'Page View', metadata: { user_agent: 'bot' } })).toBe(false);
  });

  it('applies to every type when event_type is empty', () => {
    const event = { ip: '10.0.0.7', env: 'Staging' };
    expect(metadataFilterMatches(internal, { event_type: 'Page View', metadata: event })).toBe(true);
    expect(metadataFilterMatches(internal, { event_type: 'Demo Request', metadata: event })).toBe(true);
    expect(metadataFilterMatches({ ...internal, event_type: '  ' }, { event_type: 'x', metadata: event })).toBe(true);
  });

  it('needs every condition (AND)', () => {
    expect(metadataFilterMatches(internal, { event_type: 'x', metadata: { ip: '10.0.0.7', env: 'prod' } })).toBe(false);
    expect(metadataFilterMatches(internal, { event_type: 'x', metadata: { ip: '10.0.0.7' } })).toBe(false);
    expect(metadataFilterMatches(internal, { event_type: 'x', metadata: null })).toBe(false);
  });

  it('ignores disabled filters', () => {
    expect(metadataFilterMatches({ ...scanner, enabled: false }, { event_type: 'Email Click', metadata: { user_agent: 'bot' } })).toBe(false);
  });

  it('never matches with no conditions', () => {
    expect(metadataFilterMatches({ ...scanner, conditions: [] }, { event_type: 'Email Click', metadata: {} })).toBe(false);
  });
});

describe('firstSuppressingFilter', () => {
  const both = { event_type: 'Email Click', metadata: { user_agent: 'bot', ip: '10.1.1.1', env: 'staging' } };

  it('returns the first matching filter in the given order', () => {
    expect(firstSuppressingFilter([scanner, internal], both)).toBe('f-scanner');
    expect(firstSuppressingFilter([internal, scanner], both)).toBe('f-internal');
  });

  it('lets any one filter suppress', () => {
    expect(firstSuppressingFilter([internal, scanner], { event_type: 'Email Click', metadata: { user_agent: 'bot' } })).toBe('f-scanner');
  });

  it('returns null when nothing matches', () => {
    expect(firstSuppressingFilter([scanner, internal], { event_type: 'Email Click', metadata: { user_agent: 'Chrome' } })).toBeNull();
    expect(firstSuppressingFilter([], both)).toBeNull();
  });
});
