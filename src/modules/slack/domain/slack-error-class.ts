/**
 * NF-2 classes of a Slack Web API answer to chat.postMessage / conversations.open: Slack answers HTTP 200 with
 * `{ok:false, error}` for most failures, 429 with `Retry-After` when rate limited, and 5xx when it is down.
 */
export type SlackFailureClass = 'retry' | 'terminal';

/** Errors worth another attempt: rate limits and Slack-side trouble. Everything else (bad channel, bad token, …) is terminal. */
const RETRYABLE = new Set(['ratelimited', 'rate_limited', 'internal_error', 'fatal_error', 'service_unavailable', 'request_timeout', 'team_added_to_org']);

export function classifySlackFailure(httpStatus: number | null, error: string | null): SlackFailureClass {
  if (httpStatus !== null && (httpStatus >= 500 || httpStatus === 429 || httpStatus === 408)) return 'retry';
  if (error && RETRYABLE.has(error)) return 'retry';
  return 'terminal';
}

/** `chat.postMessage` text of a notification: the title in bold, then the lead's "Why" line (NF-3). */
export function slackText(title: string, why: string): string {
  const t = title.trim();
  const w = why.trim();
  if (!t) return w;
  return w ? `*${t}*\n${w}` : `*${t}*`;
}
