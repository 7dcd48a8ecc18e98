import { Injectable } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { Clock } from '../../platform/clock/clock';
import { AppError } from '../../platform/http/app-error';
import { PageRequest } from '../../platform/http/pagination';
import { tenantKey } from '../../platform/tenancy/tenant-scope';
import { DeleteLeadEventsCommand, EventToDelete } from '../leads';
import { Condition, renderFilterLabel } from '../scoring/domain/conditions';
import { canonicalEventType } from '../scoring/domain/event-type';
import { decayFactor } from '../scoring/domain/half-life';
import { parseMetadataQuery } from '../scoring/domain/metadata-query';
import { contributionPoints, rulesetScore } from '../scoring/domain/score-ruleset';
import { roundScore } from '../scoring/domain/score-rounding';
import { ScoreReader } from '../scoring/score-reader.service';
import { EventDto, EventExplanationDto } from './http/events.dto';

export const EVENT_COLUMNS = `event_id, lead_id, lead_ref, event_type, occurred_at, received_at, recorded_at, metadata, channel, suppression, filter_id, client_event_id, original_lead_id`;

export function toEventDto(r: Record<string, any>): EventDto {
  return {
    id: r.event_id,
    lead_id: r.lead_id,
    event_type: r.event_type,
    timestamp: new Date(r.occurred_at).toISOString(),
    created_at: new Date(r.received_at).toISOString(),
    metadata: r.metadata ?? {},
    channel: r.channel,
    suppressed: r.suppression,
    client_event_id: r.client_event_id,
    original_lead_id: r.original_lead_id ?? null,
  };
}

/** Reads of ingested events in the active OU, and their deletion (recorded on each lead's stream). */
@Injectable()
export class EventsService {
  constructor(
    private readonly ds: DataSource,
    private readonly commands: CommandBus,
    private readonly reader: ScoreReader,
    private readonly clock: Clock,
  ) {}

  /** EVT-1: newest first; metadata filters compare `String(metadata[key])` with the value (and/or). */
  async list(page: PageRequest, metadata: string[] = [], logic: 'and' | 'or' = 'and'): Promise<{ events: EventDto[]; total: number }> {
    const { unit_id } = tenantKey();
    const params: unknown[] = [unit_id];
    const conditions: string[] = [];
    for (const raw of metadata) {
      const q = parseMetadataQuery(raw);
      if (!q) throw AppError.badRequest('validation_failed', `metadata filter "${raw}" must look like key:value`, [{ field: 'metadata', reason: 'must look like key:value' }]);
      params.push(q.key, q.value);
      conditions.push(`metadata ->> $${params.length - 1} = $${params.length}`);
    }
    const where = `unit_id = $1${conditions.length ? ` AND (${conditions.join(logic === 'or' ? ' OR ' : ' AND ')})` : ''}`;
    const [{ n }] = await this.ds.query(`SELECT count(*)::int AS n FROM lead_events WHERE ${where}`, params);
    const rows = await this.ds.query(
      `SELECT ${EVENT_COLUMNS} FROM lead_events WHERE ${where} ORDER BY occurred_at DESC, event_id DESC LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
      [...params, page.limit, page.offset],
    );
    return { events: rows.map(toEventDto), total: n };
  }

  async ofLead(leadId: string, page: PageRequest, eventType?: string): Promise<{ events: EventDto[]; total: number }> {
    const lead = await this.reader.lead(leadId);
    const key = eventType ? canonicalEventType(eventType) : null;
    const [{ n }] = await this.ds.query(`SELECT count(*)::int AS n FROM lead_events WHERE lead_ref = $1 AND ($2::text IS NULL OR event_type_key = $2)`, [lead.id, key]);
    const rows = await this.ds.query(
      `SELECT ${EVENT_COLUMNS} FROM lead_events WHERE lead_ref = $1 AND ($2::text IS NULL OR event_type_key = $2)
        ORDER BY occurred_at DESC, event_id DESC LIMIT $3 OFFSET $4`,
      [lead.id, key, page.limit, page.offset],
    );
    return { events: rows.map(toEventDto), total: n };
  }

  /** EVT-5: what the event contributes to each ruleset now, and the ruleset score before and after it. */
  async explain(eventId: string): Promise<EventExplanationDto> {
    const { unit_id } = tenantKey();
    if (!/^[0-9a-f-]{36}$/i.test(eventId)) throw AppError.notFound('event', 'event_not_found');
    const [event] = await this.ds.query(`SELECT ${EVENT_COLUMNS} FROM lead_events WHERE event_id = $1 AND unit_id = $2`, [eventId, unit_id]);
    if (!event) throw AppError.notFound('event', 'event_not_found');
    const now = this.clock.now();
    const base = { event_id: event.event_id, lead_id: event.lead_id, event_type: event.event_type, occurred_at: new Date(event.occurred_at).toISOString(), suppressed: event.suppression, filter_id: event.filter_id };
    if (!event.lead_ref || !event.lead_id) return { ...base, rulesets: [] };
    const [lead] = await this.ds.query(`SELECT id, org_id, score_reset_at FROM leads WHERE id = $1`, [event.lead_ref]);
    const allowNegative = await this.reader.allowNegative(lead.org_id);
    const rows = await this.ds.query(
      `SELECT s.event_id, s.ruleset_id, s.rule_id, s.base_points, s.multiplier, s.half_life_days, s.occurred_at, rs.name, r.filters
         FROM event_scores s JOIN rulesets rs ON rs.id = s.ruleset_id LEFT JOIN rules r ON r.id = s.rule_id
        WHERE s.lead_ref = $1 ORDER BY s.occurred_at, s.event_id`,
      [event.lead_ref],
    );
    const resetAt = lead.score_reset_at ? new Date(lead.score_reset_at) : null;
    const at = new Date(event.occurred_at).getTime();
    const mine = rows.filter((r: any) => r.event_id === event.event_id);
    return {
      ...base,
      rulesets: mine.map((r: any) => {
        const c = (x: any) => ({ occurred_at: new Date(x.occurred_at), base_points: Number(x.base_points), multiplier: Number(x.multiplier), half_life_days: x.half_life_days });
        const earlier = rows
          .filter((x: any) => x.ruleset_id === r.ruleset_id && x.event_id !== r.event_id)
          .filter((x: any) => new Date(x.occurred_at).getTime() < at || (new Date(x.occurred_at).getTime() === at && x.event_id < r.event_id))
          .map(c);
        const before = rulesetScore(earlier, now, { allowNegative, resetAt });
        const after = rulesetScore([...earlier, c(r)], now, { allowNegative, resetAt });
        return {
          ruleset_id: r.ruleset_id,
          name: r.name,
          rule_id: r.rule_id,
          filter_label: renderFilterLabel((r.filters ?? []) as Condition[]) ?? null,
          base_points: Number(r.base_points),
          multiplier: Number(r.multiplier),
          half_life_days: r.half_life_days,
          decay_factor: decayFactor(new Date(r.occurred_at), now, r.half_life_days),
          delta: Math.round(contributionPoints(c(r), now) * 100) / 100,
          before: roundScore(before),
          after: roundScore(after),
        };
      }),
    };
  }

  /**
   * EVT-3: deletes the listed events of the active OU (others are ignored), each lead's on its own stream so
   * that the lead's scores drop the events' points; suppressed events without a lead on theirs.
   */
  async deleteBatch(ids: string[], reason = 'batch_delete'): Promise<number> {
    const { unit_id } = tenantKey();
    const rows: { event_id: string; lead_ref: string | null; suppression: string | null }[] = await this.ds.query(
      `SELECT e.event_id, e.lead_ref, e.suppression FROM lead_events e WHERE e.unit_id = $1 AND e.event_id = ANY($2::uuid[])`,
      [unit_id, [...new Set(ids.map((i) => i.toLowerCase()))]],
    );
    await this.deleteRows(rows, reason);
    return rows.length;
  }

  /** Rows need `suppression`: a metadata-filtered event lives on its own stream even when it names a lead. */
  async deleteRows(rows: EventToDelete[], reason: string): Promise<void> {
    await this.commands.execute(new DeleteLeadEventsCommand(rows, reason));
  }
}
