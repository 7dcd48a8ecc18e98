import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { Clock } from '../../../platform/clock';
import { selectOne, selectRows, sql } from '../../../platform/database';
import { PlatformErrors } from '../../../platform/http';
import { RequestContext, UnitScope, unitOnly, unitScope } from '../../../platform/tenancy';
import { canonicalEventType } from '../../scoring';
import { CalibrationErrors } from '../calibration.errors';
import { ConversionDefinition, ConversionDefinitionInput, normaliseDefinition, unknownStages } from '../domain/conversion-definition';
import { ConversionDefinitionDto, HubspotSyncFreshnessDto } from '../http/calibration.dto';

interface DefinitionRow {
  id: string;
  org_id: string;
  unit_id: string;
  conversion_type: ConversionDefinition['conversion_type'];
  event_type_id: string | null;
  deal_stages: string[];
  engagement_persistence_days: number;
  lookback_days: number;
  created_by: string | null;
  created_at: Date;
  updated_at: Date;
}

export type StoredDefinition = ConversionDefinition & { updated_at: Date };

const HOUR_MS = 3_600_000;
/** hubspot_sync_freshness.stale: more than a day since the last sync. */
const SYNC_STALE_HOURS = 24;

export const toDefinitionView = (r: DefinitionRow): ConversionDefinitionDto => ({
  id: r.id,
  org_id: r.org_id,
  unit_id: r.unit_id,
  conversion_type: r.conversion_type,
  event_type_id: r.event_type_id,
  deal_stages: r.deal_stages,
  engagement_persistence_days: r.engagement_persistence_days,
  lookback_days: r.lookback_days,
  created_by: r.created_by,
  created_at: new Date(r.created_at).toISOString(),
  updated_at: new Date(r.updated_at).toISOString(),
});

/** CAL-1/2: the OU's conversion definition (one per OU), its validation and the HubSpot freshness next to it. */
@Injectable()
export class ConversionDefinitions {
  constructor(
    private readonly ds: DataSource,
    private readonly clock: Clock,
  ) {}

  async row(scope: UnitScope): Promise<DefinitionRow | undefined> {
    return selectOne<DefinitionRow>(this.ds, sql`SELECT * FROM conversion_definitions WHERE ${unitScope(undefined, scope)}`);
  }

  async find(scope: UnitScope): Promise<StoredDefinition | undefined> {
    const r = await this.row(scope);
    return (
      r && {
        conversion_type: r.conversion_type,
        deal_stages: r.deal_stages,
        event_type_id: r.event_type_id,
        engagement_persistence_days: r.engagement_persistence_days,
        lookback_days: r.lookback_days,
        updated_at: new Date(r.updated_at),
      }
    );
  }

  /** CAL-1: validates and creates or replaces (the id and created_* of a replaced definition are kept). */
  async put(scope: UnitScope, input: ConversionDefinitionInput): Promise<ConversionDefinitionDto> {
    const { definition, problems } = normaliseDefinition(input);
    if (definition) {
      if (definition.deal_stages.length) {
        const known = await this.syncedStages(scope);
        const unknown = unknownStages(definition.deal_stages, known);
        if (unknown.length)
          problems.push({ field: 'deal_stages', reason: `unknown deal stage(s) ${unknown.join(', ')}: not among the synced HubSpot pipeline stages` });
      }
      if (definition.event_type_id && !(await this.eventTypeExists(scope.orgId, definition.event_type_id))) {
        problems.push({ field: 'event_type_id', reason: `no event type '${definition.event_type_id}' has been seen in this organization` });
      }
    }
    if (problems.length || !definition) {
      throw PlatformErrors.error('validation_failed', problems.map((p) => `${p.field}: ${p.reason}`).join('; '), problems);
    }
    const now = this.clock.now();
    const row = (await selectOne<DefinitionRow>(
      this.ds,
      sql`INSERT INTO conversion_definitions (id, org_id, unit_id, conversion_type, event_type_id, deal_stages, engagement_persistence_days, lookback_days, created_by, created_at, updated_at)
          VALUES (${randomUUID()}, ${scope.orgId}, ${scope.unitId}, ${definition.conversion_type}, ${definition.event_type_id}, ${definition.deal_stages}::text[],
                  ${definition.engagement_persistence_days}, ${definition.lookback_days}, ${RequestContext.actor()}, ${now.toISOString()}, ${now.toISOString()})
          ON CONFLICT (unit_id) DO UPDATE SET conversion_type = excluded.conversion_type, event_type_id = excluded.event_type_id, deal_stages = excluded.deal_stages,
                  engagement_persistence_days = excluded.engagement_persistence_days, lookback_days = excluded.lookback_days, updated_at = excluded.updated_at
          RETURNING *`,
    ))!;
    RequestContext.describe({ entityType: 'conversion_definition', entityId: row.id, summary: `set the conversion definition to ${row.conversion_type}` });
    return toDefinitionView(row);
  }

  /** 404 rule_not_found when none is configured (as 002 documents). */
  async remove(scope: UnitScope): Promise<void> {
    const gone = await selectOne<{ id: string }>(
      this.ds,
      sql`WITH gone AS (DELETE FROM conversion_definitions WHERE ${unitScope(undefined, scope)} RETURNING id) SELECT id FROM gone`,
    );
    if (!gone) throw CalibrationErrors.error('rule_not_found', 'no conversion definition is configured for this OU');
    RequestContext.describe({ entityType: 'conversion_definition', entityId: gone.id, summary: 'deleted the conversion definition' });
  }

  /** CAL-2: omitted (undefined) without a HubSpot connection or a recorded last_sync_at. */
  async hubspotFreshness(scope: UnitScope): Promise<HubspotSyncFreshnessDto | undefined> {
    const c = await selectOne<{ status: string; last_sync_at: Date | null }>(
      this.ds,
      sql`SELECT status, last_sync_at FROM hubspot_connections WHERE ${unitOnly(undefined, scope.unitId)} AND org_id = ${scope.orgId}`,
    );
    if (!c?.last_sync_at) return undefined;
    const hours = Math.max(0, Math.floor((this.clock.now().getTime() - new Date(c.last_sync_at).getTime()) / HOUR_MS));
    return { last_sync_at: new Date(c.last_sync_at).toISOString(), hours_since_sync: hours, stale: hours > SYNC_STALE_HOURS, status: c.status };
  }

  /** Stage ids of the OU's synced deal pipelines; null while none is synced (then stages are not checked). */
  private async syncedStages(scope: UnitScope): Promise<Set<string> | null> {
    const rows = await selectRows<{ id: string | null }>(
      this.ds,
      sql`SELECT s->>'id' AS id FROM deal_pipelines p CROSS JOIN LATERAL jsonb_array_elements(p.stages) s WHERE ${unitScope('p', scope)}`,
    );
    const pipelines = await selectOne<{ n: number }>(this.ds, sql`SELECT count(*)::int AS n FROM deal_pipelines WHERE ${unitScope(undefined, scope)}`);
    if (!pipelines!.n) return null;
    return new Set(rows.map((r) => r.id).filter((id): id is string => !!id));
  }

  private async eventTypeExists(orgId: string, name: string): Promise<boolean> {
    const row = await selectOne<{ ok: boolean }>(
      this.ds,
      sql`SELECT EXISTS (SELECT 1 FROM event_type_stats WHERE org_id = ${orgId} AND key = ${canonicalEventType(name)}) AS ok`,
    );
    return row!.ok;
  }
}
