import { Metadata, readMetadataValue } from '../../scoring/domain';

/** PRF-3/PRF-4: where a mapping writes — the lead's profile (its metadata) or its account's metadata. */
export const MAPPING_TARGETS = ['profile', 'account'] as const;
export type MappingTarget = (typeof MAPPING_TARGETS)[number];

/** PRF-4: `always_latest` (default) overwrites; `set_once` writes only an empty target; `append` keeps `<property>_list`. */
export const UPDATE_BEHAVIORS = ['always_latest', 'set_once', 'append'] as const;
export type UpdateBehavior = (typeof UPDATE_BEHAVIORS)[number];
export const DEFAULT_UPDATE_BEHAVIOR: UpdateBehavior = 'always_latest';

/** `append` keeps this many values, newest last. */
export const APPEND_LIST_MAX = 10;

/** A mapping as the pure core needs it. */
export interface FieldMapping {
  source_field: string;
  property: string;
  update_behavior: UpdateBehavior;
}

/** One event's value for one mapping's property (what the account side applies to an account, in event order). */
export interface MappedValue {
  property: string;
  update_behavior: UpdateBehavior;
  value: unknown;
}

/** The list an `append` mapping keeps next to its property. */
export function appendListProperty(property: string): string {
  return `${property}_list`;
}

/** Nothing to write, or nothing written yet: absent, null, or a string of blanks only. */
export function isEmptyValue(value: unknown): boolean {
  return value === undefined || value === null || (typeof value === 'string' && value.trim() === '');
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * The values one event's metadata gives the mappings, in mapping order. Source fields are read with the scoring
 * engine's metadata path reader (a literal dotted key wins over the nested path); an absent, null or blank value
 * maps nothing, so an event without the field never clears a property.
 */
export function mappedValues(mappings: readonly FieldMapping[], eventMetadata: Metadata | null | undefined): MappedValue[] {
  const out: MappedValue[] = [];
  for (const m of mappings) {
    const value = readMetadataValue(eventMetadata, m.source_field);
    if (!isEmptyValue(value)) out.push({ property: m.property, update_behavior: m.update_behavior, value });
  }
  return out;
}

/**
 * The properties `values` change on `current` (what to merge into it; nothing is ever removed), applied in order
 * so a later value sees an earlier one's change:
 * - `always_latest`: the property takes the value (no change when it already holds it);
 * - `set_once`: only while the property is empty (absent, null or blank);
 * - `append`: the value joins `<property>_list` (newest last, at most APPEND_LIST_MAX; a value equal to the newest
 *   entry is not repeated) and the property takes the value, as with `always_latest`. A `_list` that is not an
 *   array (set by hand) starts over from its single value.
 */
export function applyMappedValues(values: readonly MappedValue[], current: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const changes: Record<string, unknown> = {};
  const read = (key: string): unknown => (Object.hasOwn(changes, key) ? changes[key] : Object.hasOwn(current, key) ? current[key] : undefined);
  const write = (key: string, value: unknown) => {
    if (!sameValue(read(key), value)) changes[key] = value;
  };
  for (const { property, update_behavior, value } of values) {
    switch (update_behavior) {
      case 'set_once':
        if (isEmptyValue(read(property))) write(property, value);
        break;
      case 'append': {
        const key = appendListProperty(property);
        const before = read(key);
        const list = Array.isArray(before) ? before : isEmptyValue(before) ? [] : [before];
        if (!list.length || !sameValue(list[list.length - 1], value)) write(key, [...list, value].slice(-APPEND_LIST_MAX));
        write(property, value);
        break;
      }
      default:
        write(property, value);
    }
  }
  return changes;
}

/** PRF-4: what one event's metadata changes on a target's current attributes through the mappings (empty: nothing). */
export function applyFieldMappings(
  mappings: readonly FieldMapping[],
  eventMetadata: Metadata | null | undefined,
  currentAttributes: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  return applyMappedValues(mappedValues(mappings, eventMetadata), currentAttributes);
}

/**
 * ADM-3: the attributes a target should have after applying the mappings to its whole history of event metadata
 * (oldest first), as changes to `current`. Derived from the events, not added to what is there, so a second run
 * changes nothing: `always_latest` and `append` properties are re-derived from the events (the latest value, the
 * last APPEND_LIST_MAX values), `set_once` keeps a filled property and otherwise takes the earliest value. A
 * property no event gives a value keeps whatever it has.
 */
export function backfillFieldMappings(
  mappings: readonly FieldMapping[],
  history: readonly (Metadata | null | undefined)[],
  current: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  const derived: Record<string, unknown> = {};
  const start: Record<string, unknown> = { ...current };
  for (const m of mappings) {
    if (m.update_behavior === 'set_once') continue;
    delete start[m.property];
    if (m.update_behavior === 'append') delete start[appendListProperty(m.property)];
  }
  for (const metadata of history) Object.assign(derived, applyMappedValues(mappedValues(mappings, metadata), { ...start, ...derived }));
  const changes: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(derived)) if (!sameValue(Object.hasOwn(current, key) ? current[key] : undefined, value)) changes[key] = value;
  return changes;
}
