import { nameUuid } from '../../platform/event-store/name-uuid';
import { Alias, AliasKind } from '../leads/domain/lead-events';

export const INGEST_JOB = 'events';

/** One accepted event as it travels through the ingest queue. */
export interface QueuedEvent {
  /** Server event id: UUIDv7 at acceptance, or derived from the client event id (stable across resends). */
  event_id: string;
  client_event_id: string | null;
  org_id: string;
  unit_id: string;
  actor: string | null;
  lead_id: string | null;
  aliases: Alias[];
  event_type: string;
  occurred_at: string;
  received_at: string;
  metadata: Record<string, unknown>;
  source: 'api' | 'import';
  skip_triggers: boolean;
}

export interface IngestJobData {
  events: QueuedEvent[];
}

/** ING-5 suggested default: trim every alias; e-mail addresses are case-insensitive, so lower-cased. */
export function normaliseAlias(kind: AliasKind, raw: string): Alias {
  const value = raw.trim();
  return { kind, value: kind === 'email' ? value.toLowerCase() : value };
}

/** Aliases in the order given, normalised, without repeats. */
export function normaliseAliases(aliases: { alias_kind: AliasKind; raw_value: string }[]): Alias[] {
  const seen = new Set<string>();
  const out: Alias[] = [];
  for (const a of aliases) {
    const alias = normaliseAlias(a.alias_kind, a.raw_value);
    const key = `${alias.kind}:${alias.value}`;
    if (alias.value && !seen.has(key)) {
      seen.add(key);
      out.push(alias);
    }
  }
  return out;
}

/**
 * A name-based (RFC 9562 version 5 layout) UUID for a client event id within an OU: the same client id always
 * maps to the same stored event, so a resend is recognised as one.
 */
export function clientEventUuid(unitId: string, clientEventId: string): string {
  return nameUuid(`kenbun:event:${unitId}:${clientEventId}`);
}
