import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock } from '../../platform/clock/clock';
import { AggregateRepository } from '../../platform/event-store/aggregate.repository';
import { selectRows, sql } from '../../platform/database/sql';
import { StreamAppend } from '../../platform/event-store/event-store.types';
import { RequestContext } from '../../platform/tenancy/request-context';
import { unitOnly } from '../../platform/tenancy/tenant-sql';
import { LeadEvent, LeadEventsDeletedPayload, SuppressedEventStreamType } from '../leads/domain/lead-events';
import { changeLiveLeads } from '../leads/lead-lock';

/** Deletion of ingested events of the active OU (recorded on each lead's stream). Reads are in ./queries. */
@Injectable()
export class EventsService {
  constructor(
    private readonly ds: DataSource,
    private readonly repo: AggregateRepository,
    private readonly clock: Clock,
  ) {}

  /**
   * EVT-3: deletes the listed events of the active OU (others are ignored), each lead's on its own stream so
   * that the lead's scores drop the events' points; suppressed events without a lead on theirs.
   */
  async deleteBatch(ids: string[], reason = 'batch_delete'): Promise<number> {
    const rows = await selectRows<{ event_id: string; lead_ref: string | null; suppression: string | null }>(
      this.ds,
      sql`SELECT e.event_id, e.lead_ref, e.suppression FROM lead_events e WHERE ${unitOnly('e')} AND e.event_id = ANY(${[...new Set(ids.map((i) => i.toLowerCase()))]}::uuid[])`,
    );
    await this.deleteRows(rows, reason);
    return rows.length;
  }

  /** Rows need `suppression`: a metadata-filtered event lives on its own stream even when it names a lead. */
  async deleteRows(rows: { event_id: string; lead_ref: string | null; suppression: string | null }[], reason: string): Promise<void> {
    if (!rows.length) return;
    const byLead = new Map<string, string[]>();
    const orphans: string[] = [];
    for (const r of rows) {
      if (r.lead_ref && r.suppression !== 'metadata_filter') byLead.set(r.lead_ref, [...(byLead.get(r.lead_ref) ?? []), r.event_id]);
      else orphans.push(r.event_id);
    }
    const metadata = RequestContext.eventMetadata();
    const at = this.clock.now();
    // a lead deleted meanwhile (LEAD-18) is left alone: its erasure removes these events too
    await changeLiveLeads(this.repo, [...byLead.keys()], metadata, (leads) => {
      for (const [ref, list] of byLead) leads.get(ref)?.deleteEvents(list, reason, at);
      return orphans.map(
        (id): StreamAppend => ({
          streamId: `suppressed-${id}`,
          streamType: SuppressedEventStreamType,
          expectedVersion: 'any',
          events: [{ type: LeadEvent.EventsDeleted, payload: { event_ids: [id], reason } satisfies LeadEventsDeletedPayload, occurredAt: at }],
          metadata,
        }),
      );
    });
  }
}
