/**
 * Limits every request obeys, shared by the validator (enforced) and the OpenAPI document (documented):
 * a field without a limit of its own gets these.
 */

/** Longest accepted string in a declared field (path, query or body) that has no `@MaxLength`/enum of its own. */
export const MAX_STRING_LENGTH = 4096;

/** Most items in a declared array field that has no `@ArrayMaxSize` of its own. */
export const MAX_ARRAY_ITEMS = 1000;

/**
 * Largest magnitude of a declared number without a `@Max`/`@Min` of its own: beyond it integers lose precision
 * in JavaScript and overflow PostgreSQL's bigint once multiplied (page × limit).
 */
export const MAX_NUMBER = Number.MAX_SAFE_INTEGER;

/** Highest page of any paged list (page × the largest limit stays far inside bigint). */
export const MAX_PAGE = 1_000_000;
