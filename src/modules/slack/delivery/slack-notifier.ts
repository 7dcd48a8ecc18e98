import { Injectable } from '@nestjs/common';
import { SendOutcome, SlackDelivery, SlackSendInput } from '../../notifications';
import { SlackConnections } from '../connection/slack-connections.service';
import { classifySlackFailure, slackText } from '../domain/slack-error-class';

/**
 * The outbox's Slack sender (notifications' `SlackDelivery` port): the OU's bot token, chat.postMessage to the row's
 * channel (or the user's DM, opened first), and Slack's answer in NF-2 classes — rate limits, 5xx and network trouble
 * are retried; channel_not_found, not_in_channel, invalid_auth and the like are terminal; an OU without a
 * connection is terminal with a clear error.
 */
@Injectable()
export class SlackNotifier extends SlackDelivery {
  constructor(private readonly connections: SlackConnections) {
    super();
  }

  async send(input: SlackSendInput): Promise<SendOutcome> {
    const row = await this.connections.find(input.unitId);
    if (!row || row.org_id !== input.orgId) return { ok: false, retry: false, httpStatus: null, error: 'Slack is not connected for this organizational unit' };
    const userId = typeof input.target.user_id === 'string' ? input.target.user_id : null;
    const channelId = typeof input.target.channel_id === 'string' ? input.target.channel_id : null;
    // the row's channel or user; a row naming neither goes to the OU's default target (SL-4)
    const [kind, id] = userId
      ? (['user', userId] as const)
      : channelId
        ? (['channel', channelId] as const)
        : [row.default_target_kind ?? 'channel', row.default_target_id];
    if (!id) return { ok: false, retry: false, httpStatus: null, error: 'no Slack channel or user to post to (and no default target)' };
    let token: string;
    try {
      token = this.connections.token(row);
    } catch {
      // sealed with another server key (KENBUN_SECRET_KEY changed): only a new install helps
      return { ok: false, retry: false, httpStatus: null, error: 'the Slack bot token cannot be read: reinstall Slack for this organizational unit' };
    }
    const r = await this.connections.post(token, kind, id, slackText(input.message.title, input.message.why));
    if (r.answer.ok) return { ok: true, retry: false, httpStatus: r.httpStatus, error: null };
    const error = String(r.answer.error ?? 'unknown_error');
    const detail = typeof r.answer.detail === 'string' ? `: ${r.answer.detail}` : '';
    return {
      ok: false,
      retry: classifySlackFailure(r.httpStatus, error) === 'retry',
      httpStatus: r.httpStatus,
      error: `Slack: ${error}${detail}`.slice(0, 500),
    };
  }
}
