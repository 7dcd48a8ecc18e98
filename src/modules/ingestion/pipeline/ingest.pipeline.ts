import { Injectable } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { AppConfig } from '../../../config/app-config';
import { MetricsService } from '../../../platform/metrics';
import { LeadActivityOutcome, RecordLeadActivityBatchCommand } from '../../leads';
import { QueuedEvent } from '../ingest-job';

/** What a batch of queued events came to. */
export type PipelineResult = LeadActivityOutcome;

/**
 * The partition of an event's lead: FNV-1a of the OU and the lead's first identifier (its `lead_id`, else its
 * first alias). Events naming a lead the same way always fall in the same partition.
 */
export function leadPartition(e: QueuedEvent, partitions: number): number {
  if (partitions <= 1) return 0;
  const first = e.aliases[0];
  const key = `${e.unit_id}\u0000${e.lead_id ?? (first ? `${first.kind}:${first.value}` : e.event_id)}`;
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % partitions;
}

/**
 * ING-7 for a batch of queued events, split by OU and by lead partition (INGEST_PARTITIONS): one
 * `RecordLeadActivityBatch` command of the leads module per part (one transaction each, see its handler for the
 * exactly-once and lead-lock rules), the parts running side by side, each in acceptance order. A lead named the
 * same way is always in one part, so its events stay in order; the next batch starts when every part of this one
 * has committed.
 */
@Injectable()
export class IngestPipeline {
  constructor(
    private readonly commands: CommandBus,
    private readonly metrics: MetricsService,
    private readonly config: AppConfig,
  ) {}

  async process(events: QueuedEvent[], correlationId: string): Promise<PipelineResult> {
    const partitions = this.config.env.INGEST_PARTITIONS;
    const parts = new Map<string, QueuedEvent[]>();
    for (const e of events) {
      const key = `${e.unit_id}\u0000${leadPartition(e, partitions)}`;
      const list = parts.get(key);
      if (list) list.push(e);
      else parts.set(key, [e]);
    }
    const total: PipelineResult = { recorded: 0, suppressed: 0, duplicates: 0, leadsCreated: 0 };
    const add = (r: LeadActivityOutcome) => {
      total.recorded += r.recorded;
      total.suppressed += r.suppressed;
      total.duplicates += r.duplicates;
      total.leadsCreated += r.leadsCreated;
      if (r.dropped) total.dropped = (total.dropped ?? 0) + r.dropped;
    };
    // at most `partitions` transactions at a time; a part's failure fails the batch once the others are done (the
    // job is retried, and the parts that committed are recognised by their event ids)
    const queue = [...parts.values()];
    const run = async (): Promise<void> => {
      for (let list = queue.shift(); list; list = queue.shift()) add(await this.commands.execute(new RecordLeadActivityBatchCommand(list, correlationId)));
    };
    const settled = await Promise.allSettled(Array.from({ length: Math.min(partitions, queue.length) }, run));
    const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) throw failed.reason;
    this.metrics.eventsProcessed.inc({ outcome: 'recorded' }, total.recorded);
    this.metrics.eventsProcessed.inc({ outcome: 'suppressed' }, total.suppressed);
    this.metrics.eventsProcessed.inc({ outcome: 'duplicate' }, total.duplicates);
    return total;
  }
}
