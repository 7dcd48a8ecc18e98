import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock } from '../../../platform/clock';
import { execute, selectOne, sql } from '../../../platform/database';
import { PlatformErrors } from '../../../platform/http';
import { RequestContext, currentUnit, unitOnly } from '../../../platform/tenancy';
import { effectiveSurgePolicy, STANDARD_SURGE_POLICY, SurgePolicy, surgePolicyProblems } from '../domain';
import { PutSurgeSessionPolicyDto, SurgeSessionPolicyDto } from '../http/surge-session-policy.dto';

interface PolicyRow {
  mode: SurgePolicy['mode'];
  bands: SurgePolicy['bands'];
  idle_reset_seconds: number;
  multiplier_cap: number;
}

/**
 * The active OU's surge session policy (SUR-S1). The ingest pipeline reads it with the rest of the scoring setup
 * (ScoringSetupService, cached by `scoring_setup_version`, which this table's writes move), so a change applies
 * from the next batch on; events already recorded keep their multipliers (SC-1).
 */
@Injectable()
export class SurgeSessionPolicyService {
  constructor(
    private readonly ds: DataSource,
    private readonly clock: Clock,
  ) {}

  async get(): Promise<SurgeSessionPolicyDto> {
    const { orgId, unitId } = currentUnit();
    const row = await selectOne<PolicyRow>(
      this.ds,
      sql`SELECT mode, bands, idle_reset_seconds, multiplier_cap FROM surge_session_policies WHERE ${unitOnly()}`,
    );
    return view(orgId, unitId, effectiveSurgePolicy(row ? { ...row, multiplier_cap: Number(row.multiplier_cap) } : null));
  }

  /** Upsert: presets store their own values; custom and off store what was sent (defaults from Standard). */
  async put(body: PutSurgeSessionPolicyDto): Promise<SurgeSessionPolicyDto> {
    const { orgId, unitId } = currentUnit();
    const policy = effectiveSurgePolicy({
      mode: body.mode,
      bands: [...(body.bands ?? [])].map((b) => ({ min_events: b.min_events, multiplier: b.multiplier })).sort((a, b) => a.min_events - b.min_events),
      idle_reset_seconds: body.idle_reset_seconds ?? STANDARD_SURGE_POLICY.idle_reset_seconds,
      multiplier_cap: body.multiplier_cap ?? STANDARD_SURGE_POLICY.multiplier_cap,
    });
    const problems = surgePolicyProblems(policy);
    if (problems.length) {
      throw PlatformErrors.error(
        'validation_failed',
        `bands: ${problems.join('; ')}`,
        problems.map((reason) => ({ field: 'bands', reason })),
      );
    }
    const now = this.clock.now();
    await execute(
      this.ds,
      sql`INSERT INTO surge_session_policies (unit_id, org_id, mode, bands, idle_reset_seconds, multiplier_cap, updated_by, updated_at)
          VALUES (${unitId}, ${orgId}, ${policy.mode}, ${JSON.stringify(policy.bands)}::jsonb, ${policy.idle_reset_seconds}, ${policy.multiplier_cap},
                  ${RequestContext.actor()}, ${now})
          ON CONFLICT (unit_id) DO UPDATE SET mode = excluded.mode, bands = excluded.bands, idle_reset_seconds = excluded.idle_reset_seconds,
                 multiplier_cap = excluded.multiplier_cap, updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
    );
    RequestContext.describe({
      entityType: 'surge_session_policy',
      entityId: unitId,
      summary: `set the surge session policy to ${policy.mode} (${policy.bands.map((b) => `${b.min_events}+ ×${b.multiplier}`).join(', ') || 'no bands'}; idle reset ${policy.idle_reset_seconds} s; cap ${policy.multiplier_cap})`,
    });
    return view(orgId, unitId, policy);
  }
}

function view(orgId: string, unitId: string, policy: SurgePolicy): SurgeSessionPolicyDto {
  return {
    org_id: orgId,
    unit_id: unitId,
    mode: policy.mode,
    bands: policy.bands.map((b) => ({ min_events: b.min_events, multiplier: b.multiplier })),
    idle_reset_seconds: policy.idle_reset_seconds,
    multiplier_cap: policy.multiplier_cap,
  };
}
