/**
 * The ingest workload the benches share: the event mix (types, metadata) over leads identified by alias, the
 * scoring setup (3 rulesets × 20 rules) and the seeding of a credential and the rulesets over HTTP.
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { pick } from './common';
import { json } from './http';
import { ADMIN } from './processes';

export const TYPES: [string, number][] = [
  ['Page View', 40],
  ['Email Open', 12],
  ['Email Click', 8],
  ['Form Submit', 5],
  ['Content Download', 6],
  ['Webinar Attended', 3],
  ['Pricing Page', 6],
  ['Ad Click', 7],
  ['Trial Signup', 2],
  ['Demo Request', 2],
  ['Unsubscribe', 1],
  ['Chat Started', 8], // scored by no rule
];
export const TYPE_TABLE = TYPES.flatMap(([t, w]) => Array<string>(w).fill(t));
export const PATHS = ['/pricing', '/product/scoring', '/blog/intent-signals', '/customers/acme', '/docs/getting-started', '/demo', '/careers'];
export const SOURCES = ['google', 'linkedin', 'newsletter', 'partner', 'direct'];
export const MEDIUMS = ['cpc', 'email', 'social', 'referral', 'organic'];

export const leadAlias = (i: number) => `bench-lead-${i}`;

export function event(lead: number, type = pick(TYPE_TABLE)): object {
  const aliases: object[] = [{ alias_kind: 'external_id', raw_value: leadAlias(lead) }];
  if (lead % 3 === 0) aliases.push({ alias_kind: 'email', raw_value: `person${lead}@example-customer.com` });
  return {
    aliases,
    event_type: type,
    metadata: {
      path: pick(PATHS),
      utm_source: pick(SOURCES),
      utm_medium: pick(MEDIUMS),
      campaign: pick(['q3-enterprise', 'webinar-followup', 'retargeting-eu', 'brand']),
      dwell_ms: Math.floor(Math.random() * 120_000),
      session_id: randomBytes(8).toString('hex'),
    },
  };
}

export interface RuleSpec {
  event_type: string;
  weight: number;
  half_life_days?: number;
  filters?: { key: string; operator: string; value?: string | number }[];
}

/** 20 rules per ruleset: filtered rules first (higher priority), then plain ones; some decay. */
export function rulesFor(r: number): RuleSpec[] {
  const hl = (d: number) => (r === 1 ? undefined : d * (r + 1));
  return [
    { event_type: 'Page View', weight: 8, filters: [{ key: 'path', operator: 'equals', value: '/pricing' }], half_life_days: hl(7) },
    { event_type: 'Page View', weight: 5, filters: [{ key: 'path', operator: 'starts_with', value: '/product' }] },
    { event_type: 'Page View', weight: 3, filters: [{ key: 'dwell_ms', operator: 'gt', value: 60_000 }], half_life_days: hl(14) },
    { event_type: 'Page View', weight: 1 + r, half_life_days: hl(30) },
    { event_type: 'Email Open', weight: 2, filters: [{ key: 'campaign', operator: 'contains', value: 'webinar' }] },
    { event_type: 'Email Open', weight: 1 },
    { event_type: 'Email Click', weight: 6, filters: [{ key: 'utm_source', operator: 'equals', value: 'newsletter' }], half_life_days: hl(10) },
    { event_type: 'Email Click', weight: 4 },
    { event_type: 'Form Submit', weight: 25, half_life_days: hl(60) },
    { event_type: 'Content Download', weight: 12, filters: [{ key: 'utm_medium', operator: 'not_equals', value: 'cpc' }] },
    { event_type: 'Content Download', weight: 8, half_life_days: hl(21) },
    { event_type: 'Webinar Attended', weight: 30 },
    { event_type: 'Pricing Page', weight: 15, filters: [{ key: 'dwell_ms', operator: 'gte', value: 30_000 }], half_life_days: hl(7) },
    { event_type: 'Pricing Page', weight: 10 },
    { event_type: 'Ad Click', weight: 3, filters: [{ key: 'utm_source', operator: 'equals', value: 'linkedin' }] },
    { event_type: 'Ad Click', weight: 1, half_life_days: hl(3) },
    { event_type: 'Trial Signup', weight: 40 },
    // the probe type of bench:ingest (c): no filters, no decay, so a probe's points show exactly
    { event_type: 'Demo Request', weight: 50 + 10 * r },
    { event_type: 'Unsubscribe', weight: -20 },
    { event_type: 'Form Submit', weight: 5, filters: [{ key: 'path', operator: 'ends_with', value: '/demo' }] },
  ];
}

/** The admin's bearer token (the built-in admin the api creates from KENBUN_ADMIN_*). */
export async function adminBearer(agent: http.Agent): Promise<string> {
  const login = await json(agent, 'POST', '/auth/login', '', ADMIN);
  return `Bearer ${login.access_token}`;
}

/** A service account (HTTP Basic) named `name` whose active OU is `unitId`; returns its Authorization header. */
export async function seedCredential(agent: http.Agent, admin: string, name: string, unitId = 'unit_default'): Promise<string> {
  const sa = await json(agent, 'POST', '/secrets', admin, { name });
  const auth = 'Basic ' + Buffer.from(`${sa.client_id}:${sa.client_secret}`).toString('base64');
  await json(agent, 'POST', '/org-units/active', auth, { ouId: unitId });
  return auth;
}

/** The 3 engagement rulesets × 20 rules of `rulesFor` in the credential's active OU (the first is its primary); their ids. */
export async function seedRulesets(agent: http.Agent, auth: string): Promise<string[]> {
  const rulesets: string[] = [];
  for (let r = 0; r < 3; r++) {
    const rs = await json(agent, 'POST', '/rulesets', auth, { name: `Bench ruleset ${r + 1}` });
    rulesets.push(rs.ruleset_id);
    for (const rule of rulesFor(r)) await json(agent, 'POST', '/rules', auth, { ruleset_id: rs.ruleset_id, ...rule });
  }
  return rulesets;
}
