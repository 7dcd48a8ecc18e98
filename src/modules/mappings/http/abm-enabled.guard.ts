import { CanActivate, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { selectOne, sql } from '../../../platform/database';
import { orgScope } from '../../../platform/tenancy';
import { MappingErrors } from '../mappings.errors';

/**
 * ABM-1: the route answers 403 `abm_disabled` unless the organization has `abm_enabled` in its scoring settings.
 * Runs after the access guard (credential, active OU, role), before the body is validated.
 */
@Injectable()
export class AbmEnabledGuard implements CanActivate {
  constructor(private readonly ds: DataSource) {}

  async canActivate(): Promise<boolean> {
    const row = await selectOne<{ abm_enabled: boolean }>(this.ds, sql`SELECT abm_enabled FROM scoring_settings WHERE ${orgScope()}`);
    if (!row?.abm_enabled) {
      throw MappingErrors.error(
        'abm_disabled',
        'account-based marketing is off for this organization (an organization admin turns it on: PUT /scoring/settings {"abm_enabled": true})',
      );
    }
    return true;
  }
}
