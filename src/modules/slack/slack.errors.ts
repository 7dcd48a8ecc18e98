import { defineErrors } from '../../platform/http';

/** Error codes of the Slack integration (SL-1..6). */
export const SlackErrors = defineErrors('slack', {
  /** the organization has no Slack app credentials (PUT /settings/slack first) */
  slack_app_not_configured: 409,
  /** the active OU has no Slack connection (install first); answered like any other missing resource */
  slack_connection_not_found: 404,
  /** an OAuth callback whose state is unknown, used, expired, or lacks its code */
  slack_oauth_state_invalid: 400,
  /** Slack refused the OAuth code exchange */
  slack_oauth_failed: 400,
  /** Slack refused a call made for the request (channel_not_found, not_in_channel, invalid_auth, …: in the message and details) */
  slack_rejected: 400,
  /** Slack could not answer (rate limited, 5xx, network, timeout) */
  slack_unavailable: 502,
});
