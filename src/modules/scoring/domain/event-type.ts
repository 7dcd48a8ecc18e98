/**
 * ING-10 (suggested default): "Page View", "page_view" and "page-view " are one type, so filters, rules and
 * hidden-type checks compare canonical keys, never raw names. Letters and digits are Unicode-aware so that
 * non-English type names keep their meaning instead of collapsing to underscores. NFC first, because a
 * decomposed accent is a combining mark (not a letter) and would otherwise split the word.
 */
const NON_ALPHANUMERIC_RUNS = /[^\p{L}\p{N}]+/gu;
const EDGE_UNDERSCORES = /^_+|_+$/g;

/** Spellings already seen: a handful per OU, looked up for every event on the hot path. Bounded. */
const canonical = new Map<string, string>();
const CANONICAL_CACHE_MAX = 10_000;

export function canonicalEventType(name: string): string {
  let key = canonical.get(name);
  if (key === undefined) {
    key = name.normalize('NFC').trim().toLowerCase().replace(NON_ALPHANUMERIC_RUNS, '_').replace(EDGE_UNDERSCORES, '');
    if (canonical.size >= CANONICAL_CACHE_MAX) canonical.clear();
    canonical.set(name, key);
  }
  return key;
}

/** Derived from the canonical key so every spelling of a type displays the same way (acronyms are not kept). */
export function eventTypeDisplayName(name: string): string {
  return canonicalEventType(name)
    .split('_')
    .filter((word) => word.length > 0)
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join(' ');
}

export function sameEventType(a: string, b: string): boolean {
  return canonicalEventType(a) === canonicalEventType(b);
}
