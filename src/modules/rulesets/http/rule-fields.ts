import { RuleFields } from '../domain/ruleset-events';
import { CreateRuleDto, UpdateRuleDto } from './rulesets.dto';

/** The HTTP body of a rule as the aggregate's fields: trimmed event type, ISO instants, defaults filled in. */
export function ruleFields(body: CreateRuleDto): RuleFields {
  return {
    event_type: body.event_type.trim(),
    weight: body.weight,
    half_life_days: body.half_life_days ?? null,
    icon: body.icon ?? null,
    active: body.active ?? true,
    start_at: body.start_at ? new Date(body.start_at).toISOString() : null,
    end_at: body.end_at ? new Date(body.end_at).toISOString() : null,
    filters: (body.filters ?? []).map((f) => ({ key: f.key, operator: f.operator, ...(f.value !== undefined ? { value: f.value } : {}) })),
  };
}

export function ruleChanges(body: UpdateRuleDto): Partial<RuleFields> {
  const c: Partial<RuleFields> = {};
  if (body.event_type !== undefined) c.event_type = body.event_type.trim();
  if (body.weight !== undefined) c.weight = body.weight;
  if (body.half_life_days !== undefined) c.half_life_days = body.half_life_days;
  if (body.icon !== undefined) c.icon = body.icon;
  if (body.active !== undefined) c.active = body.active;
  if (body.start_at !== undefined) c.start_at = body.start_at ? new Date(body.start_at).toISOString() : null;
  if (body.end_at !== undefined) c.end_at = body.end_at ? new Date(body.end_at).toISOString() : null;
  if (body.filters !== undefined)
    c.filters = body.filters.map((f) => ({ key: f.key, operator: f.operator, ...(f.value !== undefined ? { value: f.value } : {}) }));
  return c;
}
