import { CHANNELS, deriveChannel } from './channel';

describe('deriveChannel (EVT-6)', () => {
  it('lists the allowed channels', () => {
    expect(CHANNELS).toEqual(['web', 'email', 'slack', 'webinar', 'crm', 'system']);
  });

  it('uses metadata.channel first, trimmed and lower-cased', () => {
    expect(deriveChannel({ channel: ' Email ', source: 'hubspot' })).toBe('email');
    expect(deriveChannel({ channel: 'SYSTEM' })).toBe('system');
    expect(deriveChannel({ channel: 'webinar' })).toBe('webinar');
  });

  it.each([
    ['hubspot', 'crm'],
    ['Salesforce', 'crm'],
    ['email', 'email'],
    ['mailchimp', 'email'],
    [' SendGrid ', 'email'],
    ['slack', 'slack'],
    ['zoom', 'webinar'],
    ['webinar', 'webinar'],
    ['ON24', 'webinar'],
    ['crm', 'crm'],
    ['system', 'system'],
  ])('maps source %j to %j', (source, channel) => {
    expect(deriveChannel({ source })).toBe(channel);
  });

  it('falls back to web', () => {
    expect(deriveChannel({})).toBe('web');
    expect(deriveChannel(null)).toBe('web');
    expect(deriveChannel(undefined)).toBe('web');
    expect(deriveChannel({ source: 'google' })).toBe('web');
    expect(deriveChannel({ source: 'constructor' })).toBe('web');
    expect(deriveChannel({ source: 42 })).toBe('web');
  });

  it('treats a channel outside the allowed set as absent', () => {
    expect(deriveChannel({ channel: 'sms', source: 'salesforce' })).toBe('crm');
    expect(deriveChannel({ channel: 'sms' })).toBe('web');
    expect(deriveChannel({ channel: 7, source: 'zoom' })).toBe('webinar');
    expect(deriveChannel({ channel: '', source: 'slack' })).toBe('slack');
  });
});
