import { defineErrors } from '../../platform/http';

/** Error codes of inactivity decay rules. */
export const DecayErrors = defineErrors('decays', {
  decay_not_found: 404,
});
