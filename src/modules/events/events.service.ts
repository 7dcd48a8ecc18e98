import { Injectable } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { selectRows, sql } from '../../platform/database';
import { unitOnly } from '../../platform/tenancy';
import { DeleteLeadEventsCommand, EventToDelete } from '../leads';

/** Deletion of ingested events of the active OU (recorded on each lead's stream). Reads are in ./queries. */
@Injectable()
export class EventsService {
  constructor(
    private readonly ds: DataSource,
    private readonly commands: CommandBus,
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
  async deleteRows(rows: EventToDelete[], reason: string): Promise<void> {
    await this.commands.execute(new DeleteLeadEventsCommand(rows, reason));
  }
}
