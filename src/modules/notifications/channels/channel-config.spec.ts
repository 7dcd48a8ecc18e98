import { checkChannelConfig } from './channel-config';

const fields = (fn: () => unknown): string[] => {
  try {
    fn();
  } catch (err) {
    return ((err as { details?: { field: string }[] }).details ?? []).map((d) => d.field);
  }
  throw new Error('expected a validation error');
};

describe('notification channel config (NC-2)', () => {
  it('takes each type’s keys, trims them and lists the URLs for the outbound guard', () => {
    expect(checkChannelConfig('webhook', { url: ' https://hooks.example.com/x ', auth_header: 'Bearer abc' })).toEqual({
      config: { url: 'https://hooks.example.com/x' },
      urls: [{ field: 'config.url', url: 'https://hooks.example.com/x' }],
      authHeader: 'Bearer abc',
    });
    expect(checkChannelConfig('teams', { webhook_url: 'https://x.webhook.office.com/y', channel_name: 'Sales' }).urls).toEqual([
      { field: 'config.webhook_url', url: 'https://x.webhook.office.com/y' },
    ]);
    expect(checkChannelConfig('slack', { channel_id: 'C01ABCDEF' }).config).toEqual({ channel_id: 'C01ABCDEF' });
    expect(checkChannelConfig('email', { recipients: 'a@example.com,b@example.com ,', subject_prefix: '' }).config).toEqual({
      recipients: 'a@example.com, b@example.com',
    });
  });

  it('names every missing, unknown or malformed key', () => {
    expect(fields(() => checkChannelConfig('webhook', {}))).toEqual(['config.url']);
    expect(fields(() => checkChannelConfig('webhook', { url: '  ' }))).toEqual(['config.url']);
    expect(fields(() => checkChannelConfig('teams', { url: 'https://x', webhook_url: 'https://y' }))).toEqual(['config.url']);
    expect(fields(() => checkChannelConfig('slack', { channel_id: 'general' }))).toEqual(['config.channel_id']);
    expect(fields(() => checkChannelConfig('slack', { channel_id: 7 }))).toEqual(['config.channel_id']);
    expect(fields(() => checkChannelConfig('email', { recipients: 'a@example.com, nope' }))).toEqual(['config.recipients']);
    expect(fields(() => checkChannelConfig('email', { recipients: ' , ' }))).toEqual(['config.recipients']);
    expect(fields(() => checkChannelConfig('email', { recipients: 'x'.repeat(2001) }))).toContain('config.recipients');
  });
});
