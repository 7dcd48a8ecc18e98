import { isoOrNull } from '../../../platform/http';
import { LevelKind } from '../domain/level-range';
import { EngagementLevelDto, EngagementLevelHistoryDto, LevelDto, LevelHistoryDto } from '../http/levels.dto';

/** A `levels` row, and the shape a history snapshot stores each level in. */
export interface LevelRow {
  id: string;
  org_id: string;
  unit_id: string;
  kind: LevelKind;
  ruleset_id: string | null;
  name: string;
  min_score: number;
  max_score: number | null;
  color: string | null;
  position: number;
  created_by: string | null;
  updated_by: string | null;
  created_at: Date | string;
  updated_at: Date | string;
}

export interface LevelHistoryRow {
  id: string;
  kind: LevelKind;
  ruleset_id: string | null;
  action: string;
  levels: LevelRow[];
  reverted_to: string | null;
  actor: string | null;
  created_at: Date;
}

export type LevelView = EngagementLevelDto | LevelDto;

/** The seed names the id `stage_id` for engagement levels and `level_id` for the other kinds. */
export function toLevelView(r: LevelRow): LevelView {
  const common = {
    name: r.name,
    min_score: r.min_score,
    max_score: r.max_score,
    color: r.color,
    order: r.position,
    ruleset_id: r.ruleset_id,
    org_id: r.org_id,
    unit_id: r.unit_id,
    created_by: r.created_by,
    updated_by: r.updated_by,
    created_at: isoOrNull(new Date(r.created_at))!,
    updated_at: isoOrNull(new Date(r.updated_at))!,
  };
  return r.kind === 'engagement' ? { stage_id: r.id, ...common } : { level_id: r.id, ...common };
}

export type LevelHistoryView = EngagementLevelHistoryDto | LevelHistoryDto;

export function toLevelHistoryView(h: LevelHistoryRow): LevelHistoryView {
  return {
    history_id: h.id,
    kind: h.kind,
    ruleset_id: h.ruleset_id,
    action: h.action,
    reverted_to: h.reverted_to,
    actor: h.actor,
    created_at: isoOrNull(h.created_at)!,
    levels: h.levels.map(toLevelView),
  } as LevelHistoryView;
}
