import { defineErrors } from './error-catalog';

/** Codes any module may answer with: bad input at the edge, and a request that needs an active OU without one. */
export const PlatformErrors = defineErrors('platform', {
  validation_failed: 400,
  no_active_ou: 400,
});
