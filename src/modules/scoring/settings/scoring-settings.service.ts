import { InjectQueue } from '@nestjs/bull';
import { Injectable } from '@nestjs/common';
import type { Queue } from 'bull';
import { DataSource } from 'typeorm';
import { Clock } from '../../../platform/clock';
import { execute, selectOne, sql } from '../../../platform/database';
import { PlatformErrors } from '../../../platform/http';
import { QueueName } from '../../../platform/queues';
import { RequestContext, currentUnit, orgScope, unitOnly } from '../../../platform/tenancy';
import { ScoringSettingsDto, UpdateScoringSettingsDto } from '../http/scoring.dto';
import { REFRESH_ORG_SCORES, RescoreJobData } from '../rescore.processor';

interface SettingsRow {
  allow_negative_scores: boolean | null;
  abm_enabled: boolean | null;
  session_timeout_minutes: number | null;
}

const DEFAULT_SESSION_TIMEOUT_MINUTES = 30;

function toScoringSettingsView(row: SettingsRow | undefined): ScoringSettingsDto {
  return {
    allow_negative_scores: row?.allow_negative_scores ?? false,
    abm_enabled: row?.abm_enabled ?? false,
    session_timeout_minutes: row?.session_timeout_minutes ?? DEFAULT_SESSION_TIMEOUT_MINUTES,
  };
}

/** The organization's scoring toggles and the active OU's session timeout: read, and partial update. */
@Injectable()
export class ScoringSettingsService {
  constructor(
    private readonly ds: DataSource,
    private readonly clock: Clock,
    @InjectQueue(QueueName.Rescore) private readonly queue: Queue,
  ) {}

  async get(): Promise<ScoringSettingsDto> {
    const row = await selectOne<SettingsRow>(
      this.ds,
      sql`SELECT (SELECT allow_negative_scores FROM scoring_settings WHERE ${orgScope()}) AS allow_negative_scores,
                 (SELECT abm_enabled FROM scoring_settings WHERE ${orgScope()}) AS abm_enabled,
                 (SELECT session_timeout_minutes FROM unit_scoring_settings WHERE ${unitOnly()}) AS session_timeout_minutes`,
    );
    return toScoringSettingsView(row);
  }

  /** Omitted fields stay; a changed negative-score floor re-floors the organization's stored scores in the background. */
  async update(body: UpdateScoringSettingsDto): Promise<void> {
    const { orgId, unitId } = currentUnit();
    const now = this.clock.now();
    const orgWide = body.allow_negative_scores !== undefined || body.abm_enabled !== undefined;
    if (orgWide && RequestContext.principal().orgRole !== 'admin') {
      // admin_required belongs to the identity module's catalog
      throw PlatformErrors.error('admin_required', 'allow_negative_scores and abm_enabled are organization-wide: an organization admin may change them');
    }
    let floorChanged = false;
    await this.ds.transaction(async (m) => {
      if (orgWide) {
        const before = await selectOne<{ allow_negative_scores: boolean }>(m, sql`SELECT allow_negative_scores FROM scoring_settings WHERE ${orgScope()}`);
        const allowNegative = body.allow_negative_scores ?? null;
        const abm = body.abm_enabled ?? null;
        await execute(
          m,
          sql`INSERT INTO scoring_settings (org_id, allow_negative_scores, abm_enabled, updated_at) VALUES (${orgId}, coalesce(${allowNegative}::boolean, false), coalesce(${abm}::boolean, false), ${now})
              ON CONFLICT (org_id) DO UPDATE SET allow_negative_scores = coalesce(${allowNegative}::boolean, scoring_settings.allow_negative_scores),
                     abm_enabled = coalesce(${abm}::boolean, scoring_settings.abm_enabled), updated_at = ${now}`,
        );
        floorChanged = body.allow_negative_scores !== undefined && body.allow_negative_scores !== (before?.allow_negative_scores ?? false);
      }
      if (body.session_timeout_minutes !== undefined) {
        await execute(
          m,
          sql`INSERT INTO unit_scoring_settings (unit_id, org_id, session_timeout_minutes, updated_at) VALUES (${unitId}, ${orgId}, ${body.session_timeout_minutes}, ${now})
              ON CONFLICT (unit_id) DO UPDATE SET session_timeout_minutes = excluded.session_timeout_minutes, updated_at = excluded.updated_at`,
        );
      }
    });
    if (floorChanged) await this.queue.add(REFRESH_ORG_SCORES, { org_id: orgId } satisfies Partial<RescoreJobData>);
    const changed = Object.entries(body)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${k}=${v}`)
      .join(', ');
    RequestContext.describe({
      entityType: 'scoring_settings',
      entityId: orgWide ? orgId : unitId,
      summary: `updated scoring settings (${changed || 'nothing'})`,
    });
  }
}
