import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock } from '../../platform/clock/clock';
import { detectSurges, SurgeWindow } from './domain/surge-window';
import { SurgeTrigger } from './entities/surge-trigger.entity';

export interface LeadSurges {
  leadId: string;
  windows: SurgeWindow[];
}

/**
 * Backtests (SUR-6, SUR-7) over the `lead_events` history read model: kept (not suppressed) events that may
 * fire triggers (skip_triggers false) of the trigger's type, in the last `days` days. Nothing is written.
 */
@Injectable()
export class SurgeHistory {
  constructor(private readonly ds: DataSource, private readonly clock: Clock) {}

  async backtest(trigger: SurgeTrigger, days: number, leadRef?: string): Promise<LeadSurges[]> {
    const since = new Date(this.clock.now().getTime() - days * 86_400_000);
    const params: unknown[] = [trigger.unitId, since.toISOString(), trigger.eventTypeKey];
    const rows: { lead_ref: string; lead_id: string | null; occurred_at: Date }[] = await this.ds.query(
      `SELECT lead_ref, lead_id, occurred_at
         FROM lead_events
        WHERE unit_id = $1 AND occurred_at >= $2 AND lead_ref IS NOT NULL
          AND suppression IS NULL AND NOT skip_triggers
          AND ($3 = '' OR event_type_key = $3)
          ${leadRef ? 'AND lead_ref = $4' : ''}
        ORDER BY lead_ref, occurred_at`,
      leadRef ? [...params, leadRef] : params,
    );
    const rule = { windowMs: trigger.windowSeconds * 1000, threshold: trigger.thresholdCount };
    const out: LeadSurges[] = [];
    for (let i = 0; i < rows.length; ) {
      let j = i;
      while (j < rows.length && rows[j].lead_ref === rows[i].lead_ref) j++;
      const slice = rows.slice(i, j);
      const windows = detectSurges(rule, slice.map((r) => new Date(r.occurred_at)));
      if (windows.length) out.push({ leadId: slice.find((r) => r.lead_id)?.lead_id ?? slice[0].lead_ref, windows });
      i = j;
    }
    return out;
  }
}
