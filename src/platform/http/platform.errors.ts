import { defineErrors } from './error-catalog';

/**
 * The platform's error codes: answered before or around any module's code (validation at the edge, body parsing,
 * authentication, the active OU, the rate limit, a queue that is down, the catch-all). Statuses as the API has always answered them.
 */
export const PlatformErrors = defineErrors('platform', {
  // the generic code of a status, for errors that carry none of their own (codeForStatus)
  bad_request: 400,
  payment_required: 402,
  not_found: 404,
  method_not_allowed: 405,
  not_acceptable: 406,
  conflict: 409,
  gone: 410,
  precondition_failed: 412,
  unprocessable_entity: 422,
  bad_gateway: 502,
  service_unavailable: 503,
  gateway_timeout: 504,
  // operations routes (/admin/…)
  queue_not_found: 404,
  projection_not_found: 404,
  scheduled_job_not_found: 404,
  scheduled_job_run_not_found: 404,
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
  // PostgreSQL unreachable, restarting or failing over (all-exceptions.filter.ts)
  database_unavailable: 503,
});
