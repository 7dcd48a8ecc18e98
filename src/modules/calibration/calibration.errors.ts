import { defineErrors } from '../../platform/http';

/**
 * Errors of calibration (CAL-1..6). `rule_not_found` (404) is the scoring engine's code, reused: a missing rule and a
 * missing conversion definition both answer it, as 002 documents for `DELETE /settings/ou/conversion-definition`.
 */
export const CalibrationErrors = defineErrors('calibration', {
  rule_not_found: 404,
  no_conversion_definition: 400,
  never_computed: 400,
  stale_calibration: 409,
  insufficient_sample: 400,
});
