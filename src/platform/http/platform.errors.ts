import { defineErrors } from './error-catalog';

/**
 * The platform's error codes: answered before or around any module's code (validation at the edge, body parsing,
 * authentication, the active OU, the rate limit, a queue that is down, the catch-all). Statuses as the API has always answered them.
 */
export const PlatformErrors = defineErrors('platform', {
  validation_failed: 400,
  invalid_json: 400,
  invalid_multipart: 400,
  no_active_ou: 400,
  unauthorized: 401,
  forbidden: 403,
  admin_required: 403,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  internal_error: 500,
  queue_unavailable: 503,
});
