import { defineErrors } from '../../platform/http';

/** Error codes of the lead CSV import (LIMP-1/2). */
export const LeadImportErrors = defineErrors('lead-import', {
  file_not_found: 404,
  file_expired: 410,
  job_not_found: 404,
});
