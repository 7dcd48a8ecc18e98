import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { joinSql, selectOne, selectRows, sql } from '../../../platform/database';
import { PageRequest } from '../../../platform/http';
import { inUnit, unitScope } from '../../../platform/tenancy';
import { SurgeTrigger } from '../entities/surge-trigger.entity';
import { SurgeEventDto, SurgeTriggerHealthDto } from '../http/surge.dto';
import { DeliveryHealth } from '../../notifications';
import { SurgeEventRow, toSurgeDeliveryAttemptView, toSurgeEventView } from '../surge.mappers';
import { SurgeErrors } from '../surge.errors';

export interface SurgeEventFilter {
  start?: string;
  end?: string;
  channel?: string;
}

/** Reads of surge triggers, their delivery health and their firings, within the active OU. */
@Injectable()
export class SurgeTriggersReader {
  constructor(
    private readonly ds: DataSource,
    private readonly deliveries: DeliveryHealth,
  ) {}

  /** The trigger of the active OU, or 404 (another OU's trigger does not exist for the caller). */
  async get(id: string): Promise<SurgeTrigger> {
    const t = await this.ds.getRepository(SurgeTrigger).findOneBy(inUnit({ id }));
    if (!t) throw SurgeErrors.notFound('surge_trigger_not_found', 'surge trigger');
    return t;
  }

  /** Newest first. */
  list(): Promise<SurgeTrigger[]> {
    return this.ds.getRepository(SurgeTrigger).find({ where: inUnit(), order: { createdAt: 'DESC', id: 'ASC' } });
  }

  /** 24-hour delivery counts, the last failure and the 10 most recent attempts of a trigger (the notifications' one health). */
  async health(trigger: SurgeTrigger): Promise<SurgeTriggerHealthDto> {
    const h = await this.deliveries.forTrigger('surge', trigger.id);
    return { ...h, recent_attempts: h.recent_attempts.map(toSurgeDeliveryAttemptView) };
  }

  /** Firings of the active OU, newest first, with the total matching the filter. */
  async events(filter: SurgeEventFilter, page: PageRequest): Promise<{ items: SurgeEventDto[]; total: number }> {
    const conditions = [unitScope()];
    if (filter.start) conditions.push(sql`fired_at >= ${filter.start}`);
    if (filter.end) conditions.push(sql`fired_at < ${filter.end}`);
    if (filter.channel) conditions.push(sql`channel = ${filter.channel}`);
    const where = joinSql(conditions);
    const counted = await selectOne<{ total: number }>(this.ds, sql`SELECT count(*)::int AS total FROM surge_events WHERE ${where}`);
    const rows = await selectRows<SurgeEventRow>(
      this.ds,
      sql`SELECT id, trigger_id, lead_id, event_type, event_count, window_start, window_end, channel, fired_at
            FROM surge_events WHERE ${where} ORDER BY fired_at DESC, id DESC LIMIT ${page.limit} OFFSET ${page.offset}`,
    );
    return { items: rows.map(toSurgeEventView), total: counted!.total };
  }
}
