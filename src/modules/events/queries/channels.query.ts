import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { selectRows, sql } from '../../../platform/database';
import { unitOnly } from '../../../platform/tenancy';

/** Distinct normalised channels observed in the active OU, in the order they were first seen. */
@Injectable()
export class ChannelsQuery {
  constructor(private readonly ds: DataSource) {}

  async channels(): Promise<string[]> {
    const rows = await selectRows<{ channel: string }>(this.ds, sql`SELECT channel FROM unit_channels WHERE ${unitOnly()} ORDER BY first_seen, channel`);
    return rows.map((r) => r.channel);
  }
}
