import { defineErrors } from '../../platform/http';

/** Error codes of the site analyzer (a refused destination is the outbound guard's `destination_not_allowed`). */
export const SiteScoringErrors = defineErrors('site-scoring', {
  /** neither a sitemap nor the homepage could be read (DNS, connection, timeout, or an error status): in message and details */
  site_unreachable: 422,
});
