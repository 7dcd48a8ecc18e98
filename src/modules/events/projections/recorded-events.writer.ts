import { EntityManager } from 'typeorm';
import { StoredEvent } from '../../../platform/event-store';
import { LeadEvent, LeadEventRecordedPayload, SuppressedEventRecordedPayload } from '../../leads/domain';
import { ContributionRow, eventTypeDisplayName, insertContributions } from '../../scoring';
import { addChannels, addEventTypeProperties, ChannelSeen, countEventTypes, EventTypeCount, EventTypeProperty } from './event-type-catalog.sql';
import { LatestActivity } from './lead-activity.sql';
import { insertLeadEvents } from './lead-event-rows.sql';
import type { BatchEffects } from './lead-events.projection';

type Recorded = { e: StoredEvent; p: LeadEventRecordedPayload | SuppressedEventRecordedPayload; leadRef: string | null };

/**
 * A run of recorded (and suppressed) events, written in bulk: the events, their contributions, the OU's event
 * types, metadata keys and channels. The leads' last activity is handed to the batch (written with the lead row
 * once), leads that earned points are marked for a score recompute, and each recorded event is announced as
 * `event_ingested`.
 */
export async function recordEvents(m: EntityManager, events: StoredEvent[], effects: BatchEffects): Promise<void> {
  const rows: Recorded[] = events.map((e) => {
    const p = e.payload as LeadEventRecordedPayload | SuppressedEventRecordedPayload;
    const leadRef = e.eventType === LeadEvent.EventRecorded ? e.streamId : (p as SuppressedEventRecordedPayload).lead_ref;
    return { e, p, leadRef };
  });
  await insertLeadEvents(
    m,
    rows.map(({ e, p, leadRef }) => ({
      event_id: p.event_id,
      org_id: e.metadata.org_id as string,
      unit_id: e.metadata.unit_id as string,
      lead_ref: leadRef,
      lead_id: p.lead_id,
      event_type: p.event_type,
      event_type_key: p.event_type_key,
      occurred_at: p.occurred_at,
      received_at: p.received_at,
      recorded_at: e.recordedAt,
      metadata: p.metadata,
      channel: p.channel,
      suppression: p.suppression,
      filter_id: p.filter_id,
      client_event_id: p.client_event_id,
      source: p.source,
      skip_triggers: p.skip_triggers,
      surge_multiplier: p.surge?.multiplier ?? 1,
    })),
    effects.touches,
  );
  const contributions = rows.flatMap(contributionsOf);
  await insertContributions(m, contributions);
  for (const c of contributions) {
    effects.added.push({
      lead_ref: c.lead_ref,
      ruleset_id: c.ruleset_id,
      base_points: c.base_points,
      multiplier: c.multiplier,
      half_life_days: c.half_life_days,
      occurred_at: new Date(c.occurred_at),
    });
  }
  const seen = whatWasSeen(rows, effects);
  await countEventTypes(m, seen.types);
  await addEventTypeProperties(m, seen.properties);
  for (const a of seen.latest) effects.advance(a);
  await addChannels(m, seen.channels);
}

function contributionsOf({ e, p, leadRef }: Recorded): ContributionRow[] {
  return p.contributions.map((c) => ({
    event_id: p.event_id,
    ruleset_id: c.ruleset_id,
    org_id: e.metadata.org_id as string,
    unit_id: e.metadata.unit_id as string,
    // only events recorded on their lead's stream earn contributions, so the lead is known
    lead_ref: leadRef as string,
    rule_id: c.rule_id,
    base_points: c.base_points,
    multiplier: c.multiplier,
    half_life_days: c.half_life_days,
    occurred_at: p.occurred_at,
  }));
}

/** Event types (with Title Case display names), their metadata keys, channels and each lead's latest activity. */
function whatWasSeen(
  rows: Recorded[],
  effects: BatchEffects,
): { types: EventTypeCount[]; properties: EventTypeProperty[]; channels: ChannelSeen[]; latest: LatestActivity[] } {
  const types = new Map<string, EventTypeCount>();
  const props = new Set<string>();
  const channels = new Map<string, ChannelSeen>();
  const latest = new Map<string, LatestActivity>();
  for (const { e, p } of rows) {
    const unit = e.metadata.unit_id as string;
    const k = `${unit}\u0000${p.event_type_key}`;
    const t = types.get(k) ?? {
      org_id: e.metadata.org_id as string,
      unit_id: unit,
      key: p.event_type_key,
      name: eventTypeDisplayName(p.event_type),
      n: 0,
      first: p.occurred_at,
      last: p.occurred_at,
    };
    t.n++;
    if (p.occurred_at < t.first) t.first = p.occurred_at;
    if (p.occurred_at > t.last) t.last = p.occurred_at;
    types.set(k, t);
    for (const prop of Object.keys(p.metadata ?? {})) props.add(JSON.stringify([unit, p.event_type_key, prop]));
    channels.set(`${unit}\u0000${p.channel}`, { unit_id: unit, channel: p.channel, at: p.occurred_at });
    if (e.eventType === LeadEvent.EventRecorded) {
      if (p.suppression === null) {
        const a = latest.get(e.streamId);
        if (!a || p.occurred_at >= a.last_at) latest.set(e.streamId, { ref: e.streamId, last_at: p.occurred_at, last_type: p.event_type, n: (a?.n ?? 0) + 1 });
        else a.n++;
      }
      effects.push(unit, {
        event: 'event_ingested',
        data: { event_id: p.event_id, lead_id: p.lead_id, event_type: p.event_type, timestamp: p.occurred_at, suppressed: p.suppression },
      });
    }
  }
  const properties = [...props].map((s) => JSON.parse(s) as [string, string, string]).map(([unit_id, key, property]) => ({ unit_id, key, property }));
  return { types: [...types.values()], properties, channels: [...channels.values()], latest: [...latest.values()] };
}
