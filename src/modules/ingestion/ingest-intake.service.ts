import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { uuidv7 } from '../../platform/event-store';
import { AppError, ErrorDetail, PlatformErrors } from '../../platform/http';
import { MetricsService } from '../../platform/metrics';
import { RequestContext, tenantKey, unitOnly } from '../../platform/tenancy';
import { Clock } from '../../platform/clock';
import { IngestEventValidator, ValidIngestEvent } from './ingest-event.validator';
import { LeadErrors, MAX_METADATA_BYTES, normaliseAliases } from '../leads';
import { QueuedEvent, clientEventUuid } from './ingest-job';
import { IngestQueueWriter } from './ingest-queue.writer';
import { selectRows, sql } from '../../platform/database';
import { IngestionErrors } from './ingestion.errors';

export const MAX_EVENTS_PER_REQUEST = 1000;

export interface IntakeOptions {
  source: 'api' | 'import';
  skipTriggers: boolean;
}

/** A validation problem of one submitted event (its index in the request, or the CSV row). */
export interface EventProblem extends ErrorDetail {
  status: 400 | 404 | 413;
}

/**
 * Turns submitted events (JSON or CSV rows) into queued events of the active OU: validates each (ING-1..ING-5),
 * checks that referenced `lead_id`s exist, assigns event ids and hands them to the queue writer.
 */
@Injectable()
export class IngestIntake {
  /** Compiled once, when the app starts. */
  private readonly validator = new IngestEventValidator();

  constructor(
    private readonly ds: DataSource,
    private readonly writer: IngestQueueWriter,
    private readonly clock: Clock,
    private readonly metrics: MetricsService,
  ) {}

  /** Validates one submitted event; `prefix` names it in error fields (`[3]` in a batch). */
  check(raw: unknown, prefix: string): { dto?: ValidIngestEvent; problems: EventProblem[] } {
    const field = (f: string) => (prefix ? `${prefix}.${f}` : f);
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
      return { problems: [{ status: 400, field: prefix || 'body', reason: 'must be an event object' }] };
    }
    if (!this.validator.accepts(raw)) {
      return { problems: this.validator.problems(raw).map((d) => ({ ...d, status: 400, field: field(d.field ?? '') })) };
    }
    const dto = raw;
    const problems: EventProblem[] = [];
    if (dto.metadata !== undefined && Buffer.byteLength(JSON.stringify(dto.metadata)) > MAX_METADATA_BYTES) {
      problems.push({ status: 413, field: field('metadata'), reason: `must be at most ${MAX_METADATA_BYTES} bytes of JSON` });
    }
    if ((dto.alias_kind === undefined) !== (dto.alias === undefined)) {
      problems.push({ status: 400, field: field(dto.alias === undefined ? 'alias' : 'alias_kind'), reason: 'alias_kind and alias go together' });
    }
    if (!dto.lead_id && !dto.aliases?.length && !dto.alias) {
      problems.push({ status: 400, field: field('lead_id'), reason: 'lead_id or at least one alias is required' });
    }
    if (dto.timestamp && Number.isNaN(Date.parse(dto.timestamp))) {
      problems.push({ status: 400, field: field('timestamp'), reason: 'is not a valid date-time' });
    }
    return { dto, problems };
  }

  /** Queued-event form of a valid DTO, in the active OU. */
  toQueued(dto: ValidIngestEvent, options: IntakeOptions, receivedAt: Date): QueuedEvent {
    const { org_id, unit_id } = tenantKey();
    const aliases = normaliseAliases([...(dto.aliases ?? []), ...(dto.alias_kind && dto.alias ? [{ alias_kind: dto.alias_kind, raw_value: dto.alias }] : [])]);
    return {
      event_id: dto.event_id ? clientEventUuid(unit_id, dto.event_id) : uuidv7(receivedAt.getTime()),
      client_event_id: dto.event_id ?? null,
      org_id,
      unit_id,
      actor: RequestContext.actor(),
      lead_id: dto.lead_id?.trim() || null,
      aliases,
      event_type: dto.event_type.trim(),
      occurred_at: dto.timestamp ? new Date(dto.timestamp).toISOString() : receivedAt.toISOString(),
      received_at: receivedAt.toISOString(),
      metadata: dto.metadata ?? {},
      source: options.source,
      skip_triggers: options.skipTriggers,
    };
  }

  /** `lead_id`s of the active OU among `ids` that do not exist (ING-5 suggested default: unknown → 404). */
  async unknownLeadIds(ids: string[]): Promise<Set<string>> {
    const wanted = [...new Set(ids)];
    if (!wanted.length) return new Set();
    const rows = await selectRows<{ lead_id: string }>(
      this.ds,
      sql`SELECT lead_id FROM leads WHERE ${unitOnly()} AND lead_id = ANY(${wanted}::text[]) AND status = 'active'`,
    );
    const found = new Set(rows.map((r) => r.lead_id));
    return new Set(wanted.filter((id) => !found.has(id)));
  }

  /**
   * POST /ingest: all or nothing. Any invalid event rejects the request (400, or 413 for oversized metadata,
   * or 404 for an unknown lead) and nothing is queued.
   */
  async ingest(body: unknown, options: IntakeOptions): Promise<QueuedEvent[]> {
    const batch = Array.isArray(body);
    const items = batch ? (body as unknown[]) : [body];
    if (batch && items.length === 0)
      throw PlatformErrors.error('validation_failed', 'body: the array holds no events', [{ field: 'body', reason: 'must hold 1 to 1000 events' }]);
    if (items.length > MAX_EVENTS_PER_REQUEST) {
      throw IngestionErrors.error('too_many_events', `at most ${MAX_EVENTS_PER_REQUEST} events per request (got ${items.length})`, [
        { field: 'body', reason: `must hold at most ${MAX_EVENTS_PER_REQUEST} events` },
      ]);
    }
    const checked = items.map((raw, i) => this.check(raw, batch ? `[${i}]` : ''));
    const problems = checked.flatMap((c) => c.problems);
    if (problems.length) throw problemError(problems);
    const receivedAt = this.clock.now();
    const queued = checked.map((c) => this.toQueued(c.dto!, options, receivedAt));
    const unknown = await this.unknownLeadIds(queued.flatMap((q) => (q.lead_id ? [q.lead_id] : [])));
    if (unknown.size) {
      throw problemError(
        queued.flatMap((q, i) =>
          q.lead_id && unknown.has(q.lead_id)
            ? [{ status: 404 as const, field: batch ? `[${i}].lead_id` : 'lead_id', reason: `lead ${q.lead_id} not found in the active OU` }]
            : [],
        ),
      );
    }
    await this.writer.enqueue(queued);
    this.metrics.eventsIngested.inc({ source: options.source }, queued.length);
    return queued;
  }

  /** Enqueues already-checked events (CSV import). */
  async enqueue(events: QueuedEvent[]): Promise<void> {
    await this.writer.enqueue(events);
    if (events.length) this.metrics.eventsIngested.inc({ source: events[0].source }, events.length);
  }
}

/** The most severe status wins: 413 (oversized), then 404 (unknown lead), then 400. */
export function problemError(problems: EventProblem[]): AppError {
  const details = problems.map(({ status: _s, ...d }) => d);
  const message = problems.map((p) => `${p.field}: ${p.reason}`).join('; ');
  if (problems.some((p) => p.status === 413)) return LeadErrors.error('metadata_too_large', message, details);
  if (problems.some((p) => p.status === 404)) return LeadErrors.error('lead_not_found', message, details);
  return PlatformErrors.error('validation_failed', message, details);
}
