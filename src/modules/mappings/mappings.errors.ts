import { defineErrors } from '../../platform/http';

/** Error codes of field mappings and their backfill. */
export const MappingErrors = defineErrors('mappings', {
  mapping_not_found: 404,
  mapping_exists: 409,
  // ABM-1: every account-based marketing route answers 403 while the organization has ABM off
  abm_disabled: 403,
  job_not_found: 404,
});
