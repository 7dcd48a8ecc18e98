import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { StoredEvent } from '../../../platform/event-store';
import { unitOnly } from '../../../platform/tenancy';
import { Projection, ReadModelProjection } from '../../../platform/projections';
import { LevelClassifier } from '../../levels';
import { syncPrimaryScores, canonicalEventType, ENGAGEMENT } from '../../scoring';
import {
  AttributeRuleFields,
  isAttributeRuleFields,
  RuleAddedPayload,
  RuleFields,
  RulesetCreatedPayload,
  RulesetEvents,
  RulesetUpdatedPayload,
  RulesReorderedPayload,
  RuleUpdatedPayload,
} from '../domain/ruleset-events';

const RULESET_COLUMNS: Record<string, string> = {
  name: 'name',
  score_column: 'score_column',
  is_primary: 'is_primary',
  active: 'active',
  start_date: 'start_date',
  end_date: 'end_date',
  score_floor_pct: 'score_floor_pct',
};
const RULE_COLUMNS: Record<string, string> = {
  event_type: 'event_type',
  weight: 'weight',
  half_life_days: 'half_life_days',
  icon: 'icon',
  active: 'active',
  start_at: 'start_at',
  end_at: 'end_at',
  filters: 'filters',
  property: 'property',
  condition: 'condition',
  comparison_value: 'comparison_value',
  rule_type: 'rule_type',
  conditions: 'conditions',
  ui_order: 'ui_order',
};
const JSONB_COLUMNS = new Set(['filters', 'conditions']);

/**
 * `rulesets` and `rules` read tables, applied inline with each Ruleset append (a rule created is listed by
 * the very next request) and replayed by rebuilds. Every statement is an upsert or keyed update, and times
 * come from the events, so a replay writes the same rows.
 */
@ReadModelProjection()
@Injectable()
export class RulesetsProjection implements Projection {
  readonly name = 'rulesets';
  readonly mode = 'inline' as const;
  readonly tables = ['rules', 'rulesets'];
  readonly eventTypes = Object.values(RulesetEvents) as string[];

  constructor(private readonly levels: LevelClassifier) {}

  async handle(events: StoredEvent[], m: EntityManager): Promise<void> {
    const primaryChanged = new Set<string>();
    for (const e of events) await this.apply(e, m, primaryChanged);
    // `leads.score` follows the OU's primary engagement ruleset: one pass over the OU's leads per batch (rows already right stay).
    // The levels in effect are the primary's too: both moved, so the OU's leads are re-classified (recorded as
    // level_changed rows; an inline projection has no after-commit step to publish them on the stream).
    for (const unitId of primaryChanged) {
      await syncPrimaryScores(m, unitOnly('l', unitId));
      await this.levels.reclassify(m, unitId, 'all', 'primary_changed');
    }
  }

  private async apply(e: StoredEvent, m: EntityManager, primaryChanged: Set<string>): Promise<void> {
    switch (e.eventType) {
      case RulesetEvents.Created: {
        const p = e.payload as RulesetCreatedPayload;
        await m.query(
          `INSERT INTO rulesets (id, org_id, unit_id, dimension, name, score_column, is_primary, active, start_date, end_date, score_floor_pct, created_by, created_at, updated_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13) ON CONFLICT (id) DO NOTHING`,
          [
            e.streamId,
            p.org_id,
            p.unit_id,
            p.dimension,
            p.name,
            p.score_column,
            p.is_primary,
            p.active,
            p.start_date,
            p.end_date,
            p.score_floor_pct ?? null,
            p.by,
            p.at,
          ],
        );
        if (p.is_primary && p.dimension === ENGAGEMENT) primaryChanged.add(p.unit_id);
        return;
      }
      case RulesetEvents.Updated: {
        const p = e.payload as RulesetUpdatedPayload;
        await this.update(m, 'rulesets', RULESET_COLUMNS, p.changes, e.streamId, p.at);
        if (p.changes.is_primary !== undefined) {
          const [rs] = await m.query(`SELECT unit_id, dimension FROM rulesets WHERE id = $1`, [e.streamId]);
          if (rs && rs.dimension === ENGAGEMENT) primaryChanged.add(rs.unit_id);
        }
        return;
      }
      case RulesetEvents.Deleted: {
        const [gone] = await m.query(`DELETE FROM rulesets WHERE id = $1 RETURNING unit_id, is_primary, dimension`, [e.streamId]);
        if (gone?.is_primary && gone.dimension === ENGAGEMENT) primaryChanged.add(gone.unit_id);
        return;
      }
      case RulesetEvents.RuleAdded: {
        const p = e.payload as RuleAddedPayload;
        if (isAttributeRuleFields(p)) {
          const a = p as AttributeRuleFields & RuleAddedPayload;
          await m.query(
            `INSERT INTO rules (id, ruleset_id, org_id, unit_id, dimension, property, condition, comparison_value, weight, rule_type, conditions, ui_order,
                                active, priority, filters, created_by, updated_by, created_at, updated_at)
             SELECT $1, r.id, r.org_id, r.unit_id, r.dimension, $2, $3, $4, $5, $6, $7::jsonb, $8, true, $9, '[]'::jsonb, $10, $10, $11, $11
               FROM rulesets r WHERE r.id = $12
             ON CONFLICT (id) DO NOTHING`,
            [
              a.rule_id,
              a.property,
              a.condition,
              a.comparison_value,
              a.weight,
              a.rule_type,
              a.conditions ? JSON.stringify(a.conditions) : null,
              a.ui_order,
              a.priority,
              a.by,
              a.at,
              e.streamId,
            ],
          );
          return;
        }
        const g = p as RuleFields & RuleAddedPayload;
        await m.query(
          `INSERT INTO rules (id, ruleset_id, org_id, unit_id, event_type, event_type_key, weight, half_life_days, icon, active, start_at, end_at, priority, filters, created_by, updated_by, created_at, updated_at)
           SELECT $1, r.id, r.org_id, r.unit_id, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::jsonb, $12, $12, $13, $13 FROM rulesets r WHERE r.id = $14
           ON CONFLICT (id) DO NOTHING`,
          [
            g.rule_id,
            g.event_type,
            canonicalEventType(g.event_type),
            g.weight,
            g.half_life_days,
            g.icon,
            g.active,
            g.start_at,
            g.end_at,
            g.priority,
            JSON.stringify(g.filters),
            g.by,
            g.at,
            e.streamId,
          ],
        );
        return;
      }
      case RulesetEvents.RuleUpdated: {
        const p = e.payload as RuleUpdatedPayload;
        const changes: Record<string, unknown> = { ...p.changes };
        if (changes.filters) changes.filters = JSON.stringify(changes.filters);
        if (changes.conditions !== undefined) changes.conditions = changes.conditions === null ? null : JSON.stringify(changes.conditions);
        if (changes.event_type) changes.event_type_key = canonicalEventType(String(changes.event_type));
        await this.update(m, 'rules', { ...RULE_COLUMNS, event_type_key: 'event_type_key' }, changes, p.rule_id, p.at, p.by);
        return;
      }
      case RulesetEvents.RuleRemoved:
        await m.query(`DELETE FROM rules WHERE id = $1`, [e.payload.rule_id]);
        return;
      case RulesetEvents.RulesReordered: {
        const p = e.payload as RulesReorderedPayload;
        await m.query(
          `UPDATE rules SET priority = o.ord - 1, updated_at = $3 FROM unnest($2::text[]) WITH ORDINALITY AS o(id, ord) WHERE rules.id = o.id AND rules.ruleset_id = $1`,
          [e.streamId, p.rule_ids, p.at],
        );
        return;
      }
    }
  }

  private async update(
    m: EntityManager,
    table: string,
    columns: Record<string, string>,
    changes: Record<string, unknown>,
    id: string,
    at: string,
    by?: string,
  ): Promise<void> {
    const sets: string[] = [];
    const params: unknown[] = [id, at];
    for (const [field, value] of Object.entries(changes)) {
      const column = columns[field];
      if (!column) continue;
      params.push(value);
      sets.push(`${column} = $${params.length}${JSONB_COLUMNS.has(column) ? '::jsonb' : ''}`);
    }
    if (by !== undefined) {
      params.push(by);
      sets.push(`updated_by = $${params.length}`);
    }
    await m.query(`UPDATE ${table} SET ${[...sets, 'updated_at = $2'].join(', ')} WHERE id = $1`, params);
  }
}
