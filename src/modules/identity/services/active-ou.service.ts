import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Principal } from '../../../platform/tenancy/request-context';

/** Remembers each credential's active OU, so cookie-less API clients set it once (seed 000 quick start). */
@Injectable()
export class ActiveOuService {
  constructor(private readonly dataSource: DataSource) {}

  async remember(p: Principal, unitId: string): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO principal_active_units (principal, unit_id) VALUES ($1, $2)
       ON CONFLICT (principal) DO UPDATE SET unit_id = excluded.unit_id, updated_at = now()`,
      [p.activeOuKey, unitId],
    );
  }
}
