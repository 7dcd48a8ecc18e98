import { Injectable } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { MetricsService } from '../../../platform/metrics';
import { LeadActivityOutcome, RecordLeadActivityBatchCommand } from '../../leads';
import { QueuedEvent } from '../ingest-job';

/** What a batch of queued events came to. */
export type PipelineResult = LeadActivityOutcome;

/**
 * ING-7 for a batch of queued events: one `RecordLeadActivityBatch` command of the leads module per OU in the
 * batch (one transaction each, see its handler for the exactly-once and lead-lock rules), then the counters.
 */
@Injectable()
export class IngestPipeline {
  constructor(
    private readonly commands: CommandBus,
    private readonly metrics: MetricsService,
  ) {}

  async process(events: QueuedEvent[], correlationId: string): Promise<PipelineResult> {
    const total: PipelineResult = { recorded: 0, suppressed: 0, duplicates: 0, leadsCreated: 0 };
    const byUnit = new Map<string, QueuedEvent[]>();
    for (const e of events) {
      const list = byUnit.get(e.unit_id) ?? [];
      list.push(e);
      byUnit.set(e.unit_id, list);
    }
    for (const list of byUnit.values()) {
      const r = await this.commands.execute(new RecordLeadActivityBatchCommand(list, correlationId));
      total.recorded += r.recorded;
      total.suppressed += r.suppressed;
      total.duplicates += r.duplicates;
      total.leadsCreated += r.leadsCreated;
      if (r.dropped) total.dropped = (total.dropped ?? 0) + r.dropped;
    }
    this.metrics.eventsProcessed.inc({ outcome: 'recorded' }, total.recorded);
    this.metrics.eventsProcessed.inc({ outcome: 'suppressed' }, total.suppressed);
    this.metrics.eventsProcessed.inc({ outcome: 'duplicate' }, total.duplicates);
    return total;
  }
}
