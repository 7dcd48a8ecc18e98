import { defineErrors } from '../../platform/http';

/** Error codes of level configuration. */
export const LevelErrors = defineErrors('levels', {
  level_not_found: 404,
  level_history_not_found: 404,
  ruleset_not_found: 404,
  level_overlap: 409,
  invalid_level_range: 400,
  last_level: 400,
});
