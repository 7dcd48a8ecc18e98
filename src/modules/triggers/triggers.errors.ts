import { defineErrors } from '../../platform/http';

/** Error codes of milestone, sequence and pattern triggers (a refused destination answers the notifications' codes). */
export const TriggerErrors = defineErrors('triggers', {
  trigger_not_found: 404,
  sequence_not_found: 404,
  pattern_trigger_not_found: 404,
});
