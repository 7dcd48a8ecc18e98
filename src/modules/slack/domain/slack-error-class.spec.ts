import { classifySlackFailure, slackText } from './slack-error-class';

describe('classifySlackFailure (NF-2 classes of Slack answers)', () => {
  it('retries rate limits and Slack-side trouble', () => {
    expect(classifySlackFailure(200, 'ratelimited')).toBe('retry');
    expect(classifySlackFailure(429, null)).toBe('retry');
    expect(classifySlackFailure(503, null)).toBe('retry');
    expect(classifySlackFailure(500, 'internal_error')).toBe('retry');
    expect(classifySlackFailure(200, 'fatal_error')).toBe('retry');
  });

  it('gives up on errors another attempt cannot fix', () => {
    for (const e of ['channel_not_found', 'not_in_channel', 'invalid_auth', 'account_inactive', 'token_revoked', 'is_archived', 'msg_too_long']) {
      expect(classifySlackFailure(200, e)).toBe('terminal');
    }
    expect(classifySlackFailure(404, null)).toBe('terminal');
  });
});

describe('slackText', () => {
  it('puts the title in bold above the Why line', () => {
    expect(slackText('Hot lead', 'Why: 3 demo requests')).toBe('*Hot lead*\nWhy: 3 demo requests');
    expect(slackText('Hot lead', '')).toBe('*Hot lead*');
    expect(slackText('', 'Why: x')).toBe('Why: x');
  });
});
