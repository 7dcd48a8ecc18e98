import { defineErrors } from '../../platform/http';

/** Error codes of segments. */
export const SegmentErrors = defineErrors('segments', {
  segment_not_found: 404,
  segment_rule_not_found: 404,
});
