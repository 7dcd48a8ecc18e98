import { canonicalEventType } from './event-type';
import { Dimension } from './dimension';

/**
 * HL-4: research half-life defaults in days ("paper §3 B2B SaaS practitioner table"), keyed by canonical event
 * type. Only page_view 14, demo_request 90, email_click 28 (docs) and pricing-page view 14, whitepaper download 60
 * (glossary) are published; the rest is the behaviour notes' suggested table.
 */
export const HALF_LIFE_RESEARCH_DEFAULTS: Readonly<Record<string, number>> = Object.freeze({
  page_view: 14,
  pricing_page_view: 14,
  email_open: 7,
  email_click: 28,
  form_submit: 30,
  content_download: 60,
  whitepaper_download: 60,
  webinar_registration: 30,
  webinar_attended: 45,
  event_attended: 45,
  trial_signup: 60,
  product_signup: 60,
  demo_request: 90,
  contact_sales: 90,
  meeting_booked: 90,
});

export const HALF_LIFE_SOURCE = 'paper-section-3';

export const HALF_LIFE_SKIP_REASONS = [
  'already_configured',
  'no_research_default',
  'dimension_not_event_sourced',
  'not_found',
  'lookup_error',
  'update_error',
] as const;
export type HalfLifeSkipReason = (typeof HALF_LIFE_SKIP_REASONS)[number];

/** What the table says for an event type (any spelling); null for none, and for rules without a type (session-based). */
export function researchHalfLife(eventType: string | null | undefined): number | null {
  if (!eventType || !eventType.trim()) return null;
  return HALF_LIFE_RESEARCH_DEFAULTS[canonicalEventType(eventType)] ?? null;
}

/**
 * HL-1/HL-3: whether a rule may take its research default, or why not. Only engagement rules decay by half-life
 * (SC-5: profile, account and deal rules are current-state).
 */
export function halfLifeEligibility(rule: {
  dimension: Dimension | string;
  event_type: string | null;
  half_life_days: number | null;
}): { eligible: true; half_life_days: number } | { eligible: false; reason: HalfLifeSkipReason } {
  if (rule.dimension !== 'engagement') return { eligible: false, reason: 'dimension_not_event_sourced' };
  if (rule.half_life_days !== null) return { eligible: false, reason: 'already_configured' };
  const days = researchHalfLife(rule.event_type);
  return days === null ? { eligible: false, reason: 'no_research_default' } : { eligible: true, half_life_days: days };
}
