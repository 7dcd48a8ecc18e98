import { defineErrors } from '../../platform/http';

/** Error codes of the HubSpot integration (HS-1..7, contracts §4). */
export const HubSpotErrors = defineErrors('hubspot', {
  /** HS-4: neither BYO credentials nor the shared app (HUBSPOT_CLIENT_ID/SECRET) are available to connect with */
  hubspot_app_not_configured: 412,
  /** HS-2: the active OU is not connected to HubSpot (connect first, or re-connect a broken one); answered like any other missing resource */
  hubspot_connection_not_found: 404,
  /** an OAuth callback whose state is unknown, used, expired, or lacks its code */
  hubspot_oauth_state_invalid: 400,
  /** HubSpot refused the OAuth code exchange */
  hubspot_oauth_failed: 400,
  /** HubSpot could not answer the request (5xx, network, timeout, rate limited too long) */
  hubspot_unavailable: 502,
});
