import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { isUniqueViolation, newId, selectOne, selectRows, sql } from '../../../platform/database';
import { RequestContext, currentUnit, unitScope } from '../../../platform/tenancy';
import { DEFAULT_UPDATE_BEHAVIOR, MappingTarget, UpdateBehavior } from '../domain';
import { MappingErrors } from '../mappings.errors';
import { MappingHistoryRow, MappingHistoryView, MappingRow, MappingView, toMappingHistoryView, toMappingView } from './mapping-views';

/** A mapping as either target's body states it, names resolved (profile: source_field or metadata_key, …). */
export interface MappingInput {
  source_field: string;
  property: string;
  update_behavior?: UpdateBehavior;
}

const ID_PREFIX: Record<MappingTarget, string> = { profile: 'pm', account: 'am' };
const PROPERTY_NAME: Record<MappingTarget, string> = { profile: 'profile_property', account: 'account_property' };

/**
 * Field mappings of the active OU for one target (profile or account), one mechanism for both (PRF-3, PRF-4):
 * CRUD, each change recorded in `field_mapping_history` with who, when, before and after, in the change's
 * transaction. A second mapping of the same source field to the same property answers 409 `mapping_exists`.
 * Changes apply to events ingested from then on (the pipeline re-reads an OU's mappings when they change);
 * deleting a mapping keeps the values it wrote.
 */
@Injectable()
export class MappingsService {
  constructor(private readonly ds: DataSource) {}

  /** Oldest first: the order the pipeline applies them in. */
  async list(target: MappingTarget): Promise<MappingView[]> {
    const rows = await selectRows<MappingRow>(this.ds, sql`SELECT * FROM field_mappings WHERE ${unitScope()} AND target = ${target} ORDER BY created_at, id`);
    return rows.map(toMappingView);
  }

  async create(target: MappingTarget, input: MappingInput): Promise<MappingView> {
    return this.change(target, async (m) => {
      const { orgId, unitId } = currentUnit();
      const actor = RequestContext.actor();
      const id = newId(ID_PREFIX[target]);
      const [row] = await selectRows<MappingRow>(
        m,
        sql`INSERT INTO field_mappings (id, org_id, unit_id, target, source_field, property, update_behavior, created_by, updated_by, created_at, updated_at)
            VALUES (${id}, ${orgId}, ${unitId}, ${target}, ${input.source_field.trim()}, ${input.property.trim()}, ${input.update_behavior ?? DEFAULT_UPDATE_BEHAVIOR},
                    ${actor}, ${actor}, clock_timestamp(), clock_timestamp())
            RETURNING *`,
      );
      const after = toMappingView(row);
      await this.record(m, target, id, 'create', null, after);
      RequestContext.describe({ entityType: `${target}_mapping`, entityId: id, summary: `created ${target} mapping ${describe(row)}` });
      return after;
    });
  }

  /** Both names are required (PUT); an omitted update_behavior keeps the current one. */
  async update(target: MappingTarget, id: string, input: MappingInput): Promise<MappingView> {
    return this.change(target, async (m) => {
      const current = await this.mapping(m, target, id);
      // TypeORM answers an UPDATE … RETURNING as [rows, count]
      const [[row]] = await selectRows<MappingRow[]>(
        m,
        sql`UPDATE field_mappings SET source_field = ${input.source_field.trim()}, property = ${input.property.trim()},
                   update_behavior = ${input.update_behavior ?? current.update_behavior}, updated_by = ${RequestContext.actor()}, updated_at = clock_timestamp()
             WHERE id = ${id} RETURNING *`,
      );
      const after = toMappingView(row);
      await this.record(m, target, id, 'update', toMappingView(current), after);
      RequestContext.describe({ entityType: `${target}_mapping`, entityId: id, summary: `updated ${target} mapping ${describe(current)} → ${describe(row)}` });
      return after;
    });
  }

  async remove(target: MappingTarget, id: string): Promise<void> {
    await this.change(target, async (m) => {
      const current = await this.mapping(m, target, id);
      await m.query(`DELETE FROM field_mappings WHERE id = $1`, [id]);
      await this.record(m, target, id, 'delete', toMappingView(current), null);
      RequestContext.describe({ entityType: `${target}_mapping`, entityId: id, summary: `deleted ${target} mapping ${describe(current)}` });
    });
  }

  /** Every change of the OU's mappings of the target, newest first. */
  async history(target: MappingTarget): Promise<MappingHistoryView[]> {
    const rows = await selectRows<MappingHistoryRow>(
      this.ds,
      sql`SELECT * FROM field_mapping_history WHERE ${unitScope()} AND target = ${target} ORDER BY created_at DESC, id DESC`,
    );
    return rows.map(toMappingHistoryView);
  }

  /** PRF-15 (lead) and its account twin: the distinct top-level metadata keys seen in the OU, by name. */
  async metadataKeys(target: MappingTarget): Promise<string[]> {
    const table = target === 'profile' ? sql`lead_metadata_keys` : sql`account_metadata_keys`;
    const rows = await selectRows<{ key: string }>(this.ds, sql`SELECT key FROM ${table} WHERE ${unitScope()} ORDER BY key`);
    return rows.map((r) => r.key);
  }

  /** One change in its own transaction; the same source → property pair twice answers 409. */
  private async change<T>(target: MappingTarget, work: (m: EntityManager) => Promise<T>): Promise<T> {
    try {
      return await this.ds.transaction(work);
    } catch (err) {
      if (isUniqueViolation(err)) {
        throw MappingErrors.error('mapping_exists', `the OU already maps this source_field to this ${PROPERTY_NAME[target]}`, [
          { field: 'source_field', reason: `already mapped to this ${PROPERTY_NAME[target]}` },
        ]);
      }
      throw err;
    }
  }

  private async mapping(m: EntityManager, target: MappingTarget, id: string): Promise<MappingRow> {
    const row = await selectOne<MappingRow>(m, sql`SELECT * FROM field_mappings WHERE id = ${id} AND ${unitScope()} AND target = ${target} FOR UPDATE`);
    if (!row) throw MappingErrors.notFound('mapping_not_found', `${target} mapping`);
    return row;
  }

  private async record(
    m: EntityManager,
    target: MappingTarget,
    mappingId: string,
    action: 'create' | 'update' | 'delete',
    before: MappingView | null,
    after: MappingView | null,
  ): Promise<void> {
    const { orgId, unitId } = currentUnit();
    await m.query(
      `INSERT INTO field_mapping_history (id, org_id, unit_id, target, mapping_id, action, before, after, actor, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8::jsonb, $9, clock_timestamp())`,
      [newId('mph'), orgId, unitId, target, mappingId, action, before && JSON.stringify(before), after && JSON.stringify(after), RequestContext.actor()],
    );
  }
}

function describe(r: MappingRow): string {
  return `'${r.source_field}' → '${r.property}' (${r.update_behavior})`;
}
