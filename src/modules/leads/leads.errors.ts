import { defineErrors } from '../../platform/http';

/** Error codes of the leads module (identity, merge, reset, explanations, share links). */
export const LeadErrors = defineErrors('leads', {
  lead_not_found: 404,
  lead_exists: 409,
  metadata_too_large: 413,
  deletion_not_found: 404,
  share_link_not_found: 404,
  share_link_expired: 410,
  target_in_sources: 400,
  source_already_merged: 400,
});
