import { Ruleset, STANDARD_SURGE_POLICY } from '../../scoring/domain';
import { LeadEvent } from './lead-events';
import { adoptedEvent, leadHistory, planTruncation } from './lead-history';
import { IncomingEvent, Lead } from './lead.aggregate';

const T0 = Date.parse('2026-06-15T12:00:00Z');
const id = (i: number) => `00000000-0000-7000-8000-${String(i).padStart(12, '0')}`;
const incoming = (i: number, type: string, atMs: number): IncomingEvent => ({
  event_id: id(i),
  client_event_id: null,
  event_type: type,
  event_type_key: type.toLowerCase().replace(/\s+/g, '_'),
  occurred_at: new Date(T0 + atMs),
  received_at: new Date(T0 + atMs),
  metadata: {},
  channel: 'web',
  source: 'api',
  skip_triggers: false,
});
const rs = (weight: number): Ruleset => ({
  id: 'rs',
  active: true,
  rules: [{ id: 'r', event_type: 'Page View', weight, half_life_days: null, active: true, priority: 0, filters: [] }],
});
const setup = (weight: number) => ({
  rulesets: [rs(weight)],
  velocityFilters: [],
  hiddenEventTypes: new Set<string>(),
  scopes: new Map(),
  surgePolicy: { ...STANDARD_SURGE_POLICY, mode: 'off' as const },
});

function leadWithEvents(ref: string, leadId: string, n: number, offset = 0): Lead {
  const lead = new Lead(ref);
  lead.create({ lead_id: leadId, metadata: {}, account_id: null, source: 'ingest' }, new Date(T0));
  for (let i = 1; i <= n; i++) lead.record(incoming(offset + i, 'Page View', i * 1000), setup(10));
  return lead;
}

describe('lead history and merge planning', () => {
  it('folds a stream into its live events: regroups, rescorings and deletions applied', () => {
    const lead = leadWithEvents('a', 'ld_a', 3);
    lead.rescore(
      {
        ruleset_id: 'rs',
        job_id: 'j',
        changes: [{ event_id: id(1), contribution: { ruleset_id: 'rs', rule_id: 'r', base_points: 99, multiplier: 1, half_life_days: null } }],
      },
      new Date(T0),
    );
    lead.deleteEvents([id(2)], 'test', new Date(T0));
    const live = leadHistory(lead.uncommitted.map((e) => ({ type: e.type, payload: e.payload })));
    expect([...live.keys()]).toEqual([id(1), id(3)]);
    expect(live.get(id(1))!.contributions).toEqual([{ ruleset_id: 'rs', rule_id: 'r', base_points: 99, multiplier: 1, half_life_days: null }]);
  });

  it('keeps the newest events under max_events and all under none', () => {
    const events = [1, 2, 3, 4].map((i) => ({ event_id: id(i), occurred_at: new Date(T0 + i * 1000).toISOString() }));
    expect(planTruncation(events, { policy: 'max_events', max_events: 2 }).moved.map((e) => e.event_id)).toEqual([id(4), id(3)]);
    expect(planTruncation(events, { policy: 'none' }).dropped).toEqual([]);
  });

  it('rescores adopted events under the current rules, except those before the source’s reset', () => {
    const lead = leadWithEvents('s', 'ld_s', 2);
    const [first, second] = [...leadHistory(lead.uncommitted.map((e) => ({ type: e.type, payload: e.payload }))).values()];
    const resetAt = new Date(T0 + 1500);
    const a = adoptedEvent(first, 's', 'ld_s', resetAt, 'ld_t', setup(25));
    const b = adoptedEvent(second, 's', 'ld_s', resetAt, 'ld_t', setup(25));
    expect(a).toMatchObject({ lead_id: 'ld_t', original_lead_id: 'ld_s', reset_excluded: true, contributions: [] });
    expect(b).toMatchObject({ reset_excluded: false, contributions: [{ ruleset_id: 'rs', rule_id: 'r', base_points: 25, multiplier: 1 }] });
  });

  it('the aggregate adopts once and a merged source refuses a second merge', () => {
    const target = leadWithEvents('t', 'ld_t', 1, 10);
    const source = leadWithEvents('s', 'ld_s', 1, 20);
    source.mergeInto({ merge_id: 'm', target_ref: 't', target_lead_id: 'ld_t', moved_events: 1 }, id(99), new Date(T0));
    expect(source.mergedInto).toBe('t');
    expect(source.mergedBy).toBe('m');
    expect(() => source.mergeInto({ merge_id: 'm2', target_ref: 't', target_lead_id: 'ld_t', moved_events: 0 }, id(98), new Date(T0))).toThrow();
    target.adopt(
      {
        merge_id: id(97),
        source_refs: ['s'],
        source_lead_ids: ['ld_s'],
        events: [],
        truncated_events: 0,
        truncate: { policy: 'none' },
        aliases: [],
        merged_by: null,
        previous_scores: {},
        scores: {},
      },
      [{ kind: 'email', value: 'x@example.com' }],
      new Date(T0),
    );
    const adopted = target.uncommitted.find((e) => e.type === LeadEvent.EventsAdopted)!;
    expect(adopted.eventId).toBe(id(97));
    expect(target.hasAlias({ kind: 'email', value: 'x@example.com' })).toBe(true);
  });
});
