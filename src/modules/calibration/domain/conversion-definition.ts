/** CAL-1: what counts as a conversion for an OU. */
export const CONVERSION_TYPES = ['closed_won', 'deal_stage_reached', 'event_type_match', 'engagement_persistence', 'manual_label'] as const;
export type ConversionType = (typeof CONVERSION_TYPES)[number];

export const DEFAULT_PERSISTENCE_DAYS = 14;
export const DEFAULT_LOOKBACK_DAYS = 90;

/**
 * manual_label: no API in the spec labels leads, so a lead is labelled converted through its own attributes (the
 * lead APIs and ingest already set them): metadata `converted` true, "true", "yes" or 1.
 */
export const MANUAL_LABEL_KEY = 'converted';

export interface ConversionDefinitionInput {
  conversion_type: string;
  deal_stages?: string[];
  event_type_id?: string;
  engagement_persistence_days?: number;
  lookback_days?: number;
}

export interface ConversionDefinition {
  conversion_type: ConversionType;
  deal_stages: string[];
  event_type_id: string | null;
  engagement_persistence_days: number;
  lookback_days: number;
}

export interface FieldProblem {
  field: string;
  reason: string;
}

export function isConversionType(v: string): v is ConversionType {
  return (CONVERSION_TYPES as readonly string[]).includes(v);
}

export const usesDealStages = (t: ConversionType): boolean => t === 'closed_won' || t === 'deal_stage_reached';

/**
 * CAL-1 checks that need no database: the type, `deal_stages` for the deal types, `event_type_id` for
 * event_type_match. The stage ids against the synced pipelines and the event type's existence are the service's.
 * Fields a type does not use are dropped (stored empty), so a definition never carries a stale stage list.
 */
export function normaliseDefinition(input: ConversionDefinitionInput): { definition?: ConversionDefinition; problems: FieldProblem[] } {
  const problems: FieldProblem[] = [];
  const type = input.conversion_type;
  if (type === 'sales_disposition') {
    problems.push({ field: 'conversion_type', reason: 'sales_disposition is not supported until closed-loop disposition feedback ships' });
  } else if (!isConversionType(type)) {
    problems.push({ field: 'conversion_type', reason: `must be one of: ${CONVERSION_TYPES.join(', ')}` });
  }
  if (problems.length) return { problems };
  const t = type as ConversionType;
  const stages = [...new Set((input.deal_stages ?? []).map((s) => s.trim()).filter(Boolean))];
  if (usesDealStages(t) && !stages.length) problems.push({ field: 'deal_stages', reason: `must list at least one deal stage for ${t}` });
  const eventType = input.event_type_id?.trim() || null;
  if (t === 'event_type_match' && !eventType) problems.push({ field: 'event_type_id', reason: 'is required for event_type_match' });
  if (problems.length) return { problems };
  return {
    problems,
    definition: {
      conversion_type: t,
      deal_stages: usesDealStages(t) ? stages : [],
      event_type_id: t === 'event_type_match' ? eventType : null,
      engagement_persistence_days: input.engagement_persistence_days ?? DEFAULT_PERSISTENCE_DAYS,
      lookback_days: input.lookback_days ?? DEFAULT_LOOKBACK_DAYS,
    },
  };
}

/** CAL-1: stage ids not among the synced pipelines' stages (none are checked while nothing is synced). */
export function unknownStages(stages: readonly string[], known: ReadonlySet<string> | null): string[] {
  if (!known || known.size === 0) return [];
  return stages.filter((s) => !known.has(s));
}

/** CAL-9 cold-start phase from what the window holds. */
export function coldStartPhase(leadsScored: number, conversions: number, leadsRequired: number, conversionsRequired: number): string {
  if (leadsScored < leadsRequired) return 'collecting_data';
  if (conversions < conversionsRequired) return 'warming_up';
  return 'warm';
}
