export type Metadata = Readonly<Record<string, unknown>>;

/**
 * Reads `utm.source` from `{utm: {source}}`. A literal top-level key wins over the nested path because flat
 * payloads (beacons, CSV imports) often carry dotted names as-is, and the sender's own key is the less
 * surprising reading. Only own properties are read, so keys like `constructor` or `__proto__` never reach
 * the prototype chain.
 */
export function readMetadataValue(metadata: Metadata | null | undefined, key: string): unknown {
  if (metadata === null || metadata === undefined) return undefined;
  if (Object.hasOwn(metadata, key)) return metadata[key];
  let current: unknown = metadata;
  for (const segment of key.split('.')) {
    if (current === null || typeof current !== 'object' || !Object.hasOwn(current, segment)) return undefined;
    current = (current as Record<string, unknown>)[segment];
  }
  return current;
}

/** Objects and arrays compare by their JSON text so `contains` still finds a tag inside a list. */
export function metadataValueAsText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return JSON.stringify(value) ?? '';
}
