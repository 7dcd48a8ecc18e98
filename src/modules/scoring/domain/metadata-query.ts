import { Metadata, metadataValueAsText } from './metadata-path';

/** One `metadata=key:value` query parameter of `GET /events` (EVT-1). */
export interface MetadataQuery {
  key: string;
  value: string;
}

export type MetadataQueryLogic = 'and' | 'or';

/** EVT-1 suggested default: split on the first `:` only, so values may contain colons (URLs, times). */
export function parseMetadataQuery(raw: string): MetadataQuery | null {
  const colon = raw.indexOf(':');
  if (colon <= 0) return null;
  return { key: raw.slice(0, colon), value: raw.slice(colon + 1) };
}

/**
 * EVT-1 suggested default: exact, case-sensitive equality with the text of the top-level value (a listing
 * filter, unlike the case-insensitive suppression conditions of MF-8). An absent key never matches, even
 * the query value "undefined". No queries = no filtering.
 */
export function matchesMetadataQueries(metadata: Metadata | null | undefined, queries: readonly MetadataQuery[], logic: MetadataQueryLogic): boolean {
  if (queries.length === 0) return true;
  const matches = (query: MetadataQuery): boolean => {
    if (metadata === null || metadata === undefined || !Object.hasOwn(metadata, query.key)) return false;
    const value = metadata[query.key];
    return value !== null && value !== undefined && metadataValueAsText(value) === query.value;
  };
  return logic === 'and' ? queries.every(matches) : queries.some(matches);
}
