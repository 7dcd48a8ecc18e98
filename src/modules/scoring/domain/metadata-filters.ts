import { Condition, allConditionsHold } from './conditions';
import { canonicalEventType } from './event-type';
import { Metadata } from './metadata-path';

export interface MetadataFilter {
  id: string;
  /** '' applies the filter to every event type (MF-1). */
  event_type: string;
  conditions: readonly Condition[];
  enabled: boolean;
}

export interface FilterableEvent {
  event_type: string;
  metadata: Metadata | null | undefined;
}

/**
 * MF-3. A filter without conditions never matches: "all of no conditions hold" would silently suppress
 * every event of its type, which is never what an operator saving an unfinished filter means.
 */
export function metadataFilterMatches(filter: MetadataFilter, event: FilterableEvent): boolean {
  if (!filter.enabled || filter.conditions.length === 0) return false;
  const filterType = canonicalEventType(filter.event_type);
  if (filterType !== '' && filterType !== canonicalEventType(event.event_type)) return false;
  return allConditionsHold(filter.conditions, event.metadata);
}

/**
 * Filters are independent and any one suppresses (MF-3); the first in the caller's order is returned so the
 * caller can credit one filter's `suppressed_count` (MF-7) deterministically.
 */
export function firstSuppressingFilter(filters: readonly MetadataFilter[], event: FilterableEvent): string | null {
  return filters.find((filter) => metadataFilterMatches(filter, event))?.id ?? null;
}
