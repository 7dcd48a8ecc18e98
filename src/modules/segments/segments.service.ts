import { InjectQueue } from '@nestjs/bull';
import { Injectable, Logger } from '@nestjs/common';
import type { Queue } from 'bull';
import { DataSource, EntityManager } from 'typeorm';
import { execute, newId, selectOne, selectRows, sql } from '../../platform/database';
import { isoOrNull, PageRequest, PlatformErrors } from '../../platform/http';
import { QueueName } from '../../platform/queues';
import { currentUnit, RequestContext, unitScope } from '../../platform/tenancy';
import { roundScore } from '../scoring/domain';
import { type LogicOp, ruleProblems, type RuleType } from './domain/segment-rules';
import { SegmentCountDto, SegmentDto, SegmentLeadDto, SegmentOverlapDto, SegmentRuleDto } from './http/segments.dto';
import { RECOMPUTE_SEGMENT, RecomputeSegmentJobData } from './membership/recompute.processor';
import { SegmentErrors } from './segments.errors';

/** A segment as created or updated (SEG-1). */
export interface SegmentInput {
  name: string;
  description?: string | null;
  active?: boolean;
}

/** A rule as created (SEG-2); an update sends any subset. */
export interface SegmentRuleInput {
  rule_name?: string | null;
  rule_type: string;
  field_name: string;
  operator: string;
  value?: string | null;
  event_type?: string | null;
  logic_group?: number;
  logic_op?: LogicOp;
  order_index?: number;
  active?: boolean;
}

interface SegmentRow {
  id: string;
  name: string;
  description: string | null;
  active: boolean;
  created_by: string | null;
  updated_by: string | null;
  created_at: Date;
  updated_at: Date;
}

interface RuleRow {
  id: string;
  segment_id: string;
  org_id: string;
  rule_name: string | null;
  rule_type: RuleType;
  field_name: string;
  operator: string;
  value: string | null;
  event_type: string | null;
  logic_group: number;
  logic_op: LogicOp;
  order_index: number;
  active: boolean;
  created_by: string | null;
  updated_by: string | null;
  created_at: Date;
  updated_at: Date;
}

const toSegmentView = (r: SegmentRow): SegmentDto => ({
  segment_id: r.id,
  name: r.name,
  description: r.description,
  active: r.active,
  created_by: r.created_by,
  updated_by: r.updated_by,
  created_at: isoOrNull(r.created_at)!,
  updated_at: isoOrNull(r.updated_at)!,
});

const toRuleView = (r: RuleRow): SegmentRuleDto => ({
  rule_id: r.id,
  segment_id: r.segment_id,
  org_id: r.org_id,
  rule_name: r.rule_name,
  rule_type: r.rule_type,
  field_name: r.field_name,
  operator: r.operator,
  value: r.value,
  event_type: r.event_type,
  logic_group: r.logic_group,
  logic_op: r.logic_op,
  order_index: r.order_index,
  active: r.active,
  created_at: isoOrNull(r.created_at)!,
  updated_at: isoOrNull(r.updated_at)!,
  created_by: r.created_by,
  updated_by: r.updated_by,
});

/** `round(100 × part / whole, 1)`, 0 for an empty whole (SEG-9). */
export function overlapPct(part: number, whole: number): number {
  return whole === 0 ? 0 : Math.round((1000 * part) / whole) / 10;
}

/** The caller's label, or `system` for a programmatic call without a principal. */
const actor = (): string => (RequestContext.current()?.principal ? RequestContext.actor() : 'system');

/**
 * Segments of the active OU and their rules (SEG-1..10): configuration writes (each one audited, and followed by a
 * background recompute of the segment's members), and the reads of `segment_members`. Another OU's segment does
 * not exist for the caller (404).
 */
@Injectable()
export class SegmentsService {
  private readonly log = new Logger('Segments');

  constructor(
    private readonly ds: DataSource,
    @InjectQueue(QueueName.Segments) private readonly queue: Queue<RecomputeSegmentJobData>,
  ) {}

  async list(): Promise<SegmentDto[]> {
    return (await selectRows<SegmentRow>(this.ds, sql`SELECT * FROM segments WHERE ${unitScope()} ORDER BY created_at, id`)).map(toSegmentView);
  }

  async view(id: string): Promise<SegmentDto> {
    return toSegmentView(await this.segment(this.ds.manager, id));
  }

  async create(input: SegmentInput): Promise<SegmentDto> {
    return this.createWithRules(input, []);
  }

  /**
   * Creates a segment with its rules in the current tenancy (request or `RequestContext.run` job), in one
   * transaction; its members are derived in the background. For other modules (sample data) as for the API.
   */
  async createWithRules(input: SegmentInput, rules: SegmentRuleInput[]): Promise<SegmentDto> {
    const { orgId, unitId } = currentUnit();
    const by = actor();
    rules.forEach((r, i) => this.validateRule(r, rules.length > 1 ? `rules[${i}].` : ''));
    const id = newId('sg');
    const row = await this.ds.transaction(async (m) => {
      const [created] = await selectRows<SegmentRow>(
        m,
        sql`INSERT INTO segments (id, org_id, unit_id, name, description, active, created_by, updated_by)
            VALUES (${id}, ${orgId}, ${unitId}, ${input.name.trim()}, ${input.description ?? null}, ${input.active ?? true}, ${by}, ${by}) RETURNING *`,
      );
      for (const r of rules) await this.insertRule(m, id, r, by);
      return created;
    });
    RequestContext.describe({
      entityType: 'segment',
      entityId: id,
      summary: `created segment ${row.name}${rules.length ? ` with ${rules.length} rule(s)` : ''}`,
    });
    await this.recomputeLater(id);
    return toSegmentView(row);
  }

  async update(id: string, input: SegmentInput): Promise<SegmentDto> {
    const current = await this.segment(this.ds.manager, id);
    const [row] = await selectRows<SegmentRow>(
      this.ds,
      sql`WITH u AS (UPDATE segments SET name = ${input.name.trim()}, description = ${input.description === undefined ? current.description : input.description},
                 active = ${input.active ?? current.active}, updated_by = ${actor()}, updated_at = now()
           WHERE id = ${current.id} AND ${unitScope()} RETURNING *) SELECT * FROM u`,
    );
    if (!row) throw SegmentErrors.notFound('segment_not_found', 'segment');
    RequestContext.describe({ entityType: 'segment', entityId: id, summary: `updated segment ${row.name}${row.active ? '' : ' (inactive)'}` });
    if (row.active !== current.active) await this.recomputeLater(id);
    return toSegmentView(row);
  }

  /** SEG-7: the segment, its rules and its members go; the leads stay. */
  async remove(id: string): Promise<void> {
    const seg = await this.segment(this.ds.manager, id);
    await execute(this.ds, sql`DELETE FROM segments WHERE id = ${seg.id} AND ${unitScope()}`);
    RequestContext.describe({ entityType: 'segment', entityId: id, summary: `deleted segment ${seg.name}` });
  }

  async rules(segmentId: string): Promise<SegmentRuleDto[]> {
    const seg = await this.segment(this.ds.manager, segmentId);
    return (
      await selectRows<RuleRow>(this.ds, sql`SELECT * FROM segment_rules WHERE segment_id = ${seg.id} ORDER BY logic_group, order_index, created_at, id`)
    ).map(toRuleView);
  }

  async addRule(segmentId: string, input: SegmentRuleInput): Promise<SegmentRuleDto> {
    const seg = await this.segment(this.ds.manager, segmentId);
    this.validateRule(input);
    const row = await this.insertRule(this.ds.manager, seg.id, input, actor());
    RequestContext.describe({ entityType: 'segment_rule', entityId: row.id, summary: `added rule to segment ${seg.name}: ${describeRule(row)}` });
    await this.recomputeLater(seg.id);
    return toRuleView(row);
  }

  async updateRule(segmentId: string, ruleId: string, input: Partial<SegmentRuleInput>): Promise<SegmentRuleDto> {
    const seg = await this.segment(this.ds.manager, segmentId);
    const current = await this.rule(seg.id, ruleId);
    const next = {
      rule_name: input.rule_name === undefined ? current.rule_name : input.rule_name,
      rule_type: input.rule_type ?? current.rule_type,
      field_name: input.field_name ?? current.field_name,
      operator: input.operator ?? current.operator,
      value: input.value === undefined ? current.value : input.value,
      event_type: input.event_type === undefined ? current.event_type : input.event_type,
      logic_group: input.logic_group ?? current.logic_group,
      logic_op: input.logic_op ?? current.logic_op,
      order_index: input.order_index ?? current.order_index,
      active: input.active ?? current.active,
    };
    this.validateRule(next);
    const [row] = await selectRows<RuleRow>(
      this.ds,
      sql`WITH u AS (UPDATE segment_rules SET rule_name = ${next.rule_name}, rule_type = ${next.rule_type}, field_name = ${next.field_name}, operator = ${next.operator},
                 value = ${next.value}, event_type = ${next.event_type}, logic_group = ${next.logic_group}, logic_op = ${next.logic_op},
                 order_index = ${next.order_index}, active = ${next.active}, updated_by = ${actor()}, updated_at = now()
           WHERE id = ${current.id} AND segment_id = ${seg.id} RETURNING *) SELECT * FROM u`,
    );
    if (!row) throw SegmentErrors.notFound('segment_rule_not_found', 'segment rule');
    RequestContext.describe({ entityType: 'segment_rule', entityId: row.id, summary: `updated rule of segment ${seg.name}: ${describeRule(row)}` });
    await this.recomputeLater(seg.id);
    return toRuleView(row);
  }

  async removeRule(segmentId: string, ruleId: string): Promise<void> {
    const seg = await this.segment(this.ds.manager, segmentId);
    const rule = await this.rule(seg.id, ruleId);
    await execute(this.ds, sql`DELETE FROM segment_rules WHERE id = ${rule.id} AND segment_id = ${seg.id}`);
    RequestContext.describe({ entityType: 'segment_rule', entityId: rule.id, summary: `removed rule from segment ${seg.name}: ${describeRule(rule)}` });
    await this.recomputeLater(seg.id);
  }

  /** SEG-6, SEG-8: an inactive segment counts 0; disqualified (and no longer live) leads only when asked. */
  async count(segmentId: string, includeDisqualified: boolean): Promise<SegmentCountDto> {
    const seg = await this.segment(this.ds.manager, segmentId);
    return { count: seg.active ? await this.memberCount(seg.id, includeDisqualified) : 0 };
  }

  /** Members, most recently joined first (then by lead), as a plain array page. */
  async members(segmentId: string, page: PageRequest, includeDisqualified: boolean): Promise<SegmentLeadDto[]> {
    const seg = await this.segment(this.ds.manager, segmentId);
    if (!seg.active) return [];
    const rows = await selectRows<{
      lead_id: string;
      metadata: Record<string, unknown>;
      score: number;
      engagement_level: string | null;
      profile_score: number;
      profile_level: string | null;
      account_id: string | null;
      owner_id: string | null;
      owner_name: string | null;
      last_event_at: Date | null;
      last_event_type: string | null;
      event_count: number;
      disqualified: boolean;
      joined_at: Date;
      created_at: Date;
      updated_at: Date;
    }>(
      this.ds,
      sql`SELECT l.lead_id, l.metadata, l.score, l.engagement_level, l.profile_score, l.profile_level, l.account_id, l.owner_id, l.owner_name,
                 l.last_event_at, l.last_event_type, l.event_count, l.disqualified, sm.joined_at, l.created_at, l.updated_at
            FROM segment_members sm JOIN leads l ON l.id = sm.lead_ref
           WHERE sm.segment_id = ${seg.id} AND l.status = 'active'${includeDisqualified ? sql`` : sql` AND NOT l.disqualified`}
           ORDER BY sm.joined_at DESC, sm.lead_ref DESC LIMIT ${page.limit} OFFSET ${page.offset}`,
    );
    return rows.map((r) => ({
      lead_id: r.lead_id,
      metadata: r.metadata,
      score: roundScore(r.score),
      engagement_level: r.engagement_level,
      profile_score: roundScore(r.profile_score),
      profile_level: r.profile_level,
      account_id: r.account_id,
      owner_id: r.owner_id,
      owner_name: r.owner_name,
      last_event_at: isoOrNull(r.last_event_at),
      last_event_type: r.last_event_type,
      event_count: r.event_count,
      disqualified: r.disqualified,
      joined_at: isoOrNull(r.joined_at)!,
      created_at: isoOrNull(r.created_at)!,
      updated_at: isoOrNull(r.updated_at)!,
    }));
  }

  /** SEG-9, on qualified live members (as the counts default to); inactive segments count 0. */
  async overlap(a: string, b: string): Promise<SegmentOverlapDto> {
    const [sa, sb] = [await this.segment(this.ds.manager, a, 'a'), await this.segment(this.ds.manager, b, 'b')];
    const aCount = sa.active ? await this.memberCount(sa.id, false) : 0;
    const bCount = sb.active ? await this.memberCount(sb.id, false) : 0;
    let both = 0;
    if (aCount && bCount) {
      const row = await selectOne<{ n: number }>(
        this.ds,
        sql`SELECT count(*)::int AS n FROM segment_members x JOIN segment_members y ON y.segment_id = ${sb.id} AND y.lead_ref = x.lead_ref
             WHERE x.segment_id = ${sa.id}
               AND NOT EXISTS (SELECT 1 FROM leads l WHERE l.id = x.lead_ref AND (l.status <> 'active' OR l.disqualified))`,
      );
      both = row?.n ?? 0;
    }
    return { a_count: aCount, b_count: bCount, overlap_count: both, overlap_pct_a: overlapPct(both, aCount), overlap_pct_b: overlapPct(both, bCount) };
  }

  /**
   * Members minus those not to count: an index-only count of the segment, less the members whose lead is
   * disqualified or no longer live (few: found through the partial index `leads_segment_uncounted_idx`, never by
   * reading each member's lead row).
   */
  private async memberCount(segmentId: string, includeDisqualified: boolean): Promise<number> {
    const row = await selectOne<{ n: number }>(
      this.ds,
      sql`SELECT (SELECT count(*) FROM segment_members WHERE segment_id = ${segmentId})
               - (SELECT count(*) FROM segment_members sm
                   WHERE sm.segment_id = ${segmentId}
                     AND EXISTS (SELECT 1 FROM leads l WHERE l.id = sm.lead_ref AND (l.status <> 'active'${includeDisqualified ? sql`` : sql` OR l.disqualified`})))::int AS n`,
    );
    return Number(row?.n ?? 0);
  }

  private async segment(m: EntityManager, id: string, field?: string): Promise<SegmentRow> {
    const row = await selectOne<SegmentRow>(m, sql`SELECT * FROM segments WHERE id = ${id} AND ${unitScope()}`);
    if (!row) {
      const err = SegmentErrors.notFound('segment_not_found', field ? `segment ${field}` : 'segment');
      throw err;
    }
    return row;
  }

  private async rule(segmentId: string, ruleId: string): Promise<RuleRow> {
    const row = await selectOne<RuleRow>(this.ds, sql`SELECT * FROM segment_rules WHERE id = ${ruleId} AND segment_id = ${segmentId}`);
    if (!row) throw SegmentErrors.notFound('segment_rule_not_found', 'segment rule');
    return row;
  }

  private validateRule(r: { rule_type: string; field_name?: string | null; operator: string; value?: string | null }, prefix = ''): void {
    const problems = ruleProblems(r).map((p) => ({ field: `${prefix}${p.field}`, reason: p.reason }));
    if (problems.length) throw PlatformErrors.error('validation_failed', problems.map((p) => `${p.field}: ${p.reason}`).join('; '), problems);
  }

  private async insertRule(m: EntityManager, segmentId: string, r: SegmentRuleInput, by: string): Promise<RuleRow> {
    const { orgId, unitId } = currentUnit();
    const [row] = await selectRows<RuleRow>(
      m,
      sql`INSERT INTO segment_rules (id, segment_id, org_id, unit_id, rule_name, rule_type, field_name, operator, value, event_type,
                                     logic_group, logic_op, order_index, active, created_by, updated_by)
          VALUES (${newId('sgr')}, ${segmentId}, ${orgId}, ${unitId}, ${r.rule_name ?? null}, ${r.rule_type}, ${r.field_name.trim()}, ${r.operator},
                  ${r.value ?? null}, ${r.event_type ?? null}, ${r.logic_group ?? 0}, ${r.logic_op ?? 'AND'}, ${r.order_index ?? 0}, ${r.active ?? true}, ${by}, ${by})
          RETURNING *`,
    );
    return row;
  }

  /** SEG-5: after the change committed; a lost enqueue leaves the segment to the projection's next batches, so it is logged loudly. */
  private async recomputeLater(segmentId: string): Promise<void> {
    await this.queue.add(RECOMPUTE_SEGMENT, { segment_id: segmentId }).catch((err: Error) => {
      this.log.error({ msg: 'could not queue segment recompute', segment_id: segmentId, err: err.message });
    });
  }
}

function describeRule(r: { rule_type: string; field_name: string; operator: string; value: string | null }): string {
  return `${r.rule_type} ${r.field_name} ${r.operator}${r.value === null ? '' : ` ${r.value}`}`;
}
