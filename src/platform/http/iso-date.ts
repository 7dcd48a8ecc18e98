/** ISO 8601 text of a date from an entity or a raw row (pg returns Date or string), or null. */
export function isoOrNull(d: Date | string | null | undefined): string | null {
  return d ? new Date(d).toISOString() : null;
}
