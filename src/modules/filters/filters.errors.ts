import { defineErrors } from '../../platform/http';

/** Error codes of the velocity and attribute filters. */
export const FilterErrors = defineErrors('filters', {
  filter_not_found: 404,
});
