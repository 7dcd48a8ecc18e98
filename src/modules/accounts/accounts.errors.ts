import { defineErrors } from '../../platform/http';

/** Error codes of accounts (ABM) and the buying committee. */
export const AccountErrors = defineErrors('accounts', {
  account_not_found: 404,
  lead_not_found: 404,
  member_not_found: 404,
  // ABM-1: every account-based marketing route answers 403 while the organization has ABM off
  abm_disabled: 403,
});
