import { defineErrors } from '../../platform/http';

/**
 * Error codes of organizations, OUs, members, memberships and credentials. Generic access codes shared with
 * other modules (unauthorized, forbidden, admin_required, no_active_ou, rate_limited, validation_failed) belong
 * to the platform's catalog, not here.
 */
export const IdentityErrors = defineErrors('identity', {
  invalid_credentials: 401,
  user_only: 403,
  not_a_member: 403,
  ou_limit_reached: 403,
  organization_not_found: 404,
  ou_not_found: 404,
  member_not_found: 404,
  membership_not_found: 404,
  token_not_found: 404,
  secret_not_found: 404,
  email_taken: 409,
  last_admin: 409,
});
