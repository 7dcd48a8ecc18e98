import { isoOrNull } from '../../../platform/http';
import { ProcessingScope } from '../../leads/domain';
import { eventTypeDisplayName } from '../../scoring';
import { isProtectedEventType } from '../domain/protected-event-types';
import { OuEventTypeDto } from '../http/event-types.dto';

/** An event type known in an OU, with its OU settings and counts, as EventTypesQueries selects it. */
export interface EventTypeRow {
  key: string;
  hidden: boolean;
  scope: ProcessingScope;
  n: number | string;
  first_seen: Date | string | null;
  last_seen: Date | string | null;
}

export function toOuEventTypeView(row: EventTypeRow): OuEventTypeDto {
  const isProtected = isProtectedEventType(row.key);
  return {
    name: eventTypeDisplayName(row.key),
    key: row.key,
    hidden: row.hidden,
    max_processing_scope: row.scope,
    ou_event_count: Number(row.n),
    first_seen: isoOrNull(row.first_seen),
    last_seen: isoOrNull(row.last_seen),
    protected: isProtected,
    deletable: !isProtected,
  };
}

/** A–Z by display name, then by key. */
export function byDisplayName(a: OuEventTypeDto, b: OuEventTypeDto): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : a.key < b.key ? -1 : 1;
}
