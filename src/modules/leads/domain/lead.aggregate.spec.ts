import { Ruleset, STANDARD_SURGE_POLICY } from '../../scoring/domain';
import { IncomingEvent, Lead, ScoringSetup } from './lead.aggregate';

const T0 = Date.parse('2026-06-15T12:00:00Z');
let n = 0;
const event = (type: string, atMs: number, metadata: Record<string, unknown> = {}): IncomingEvent => ({
  event_id: `00000000-0000-7000-8000-${String(++n).padStart(12, '0')}`,
  client_event_id: null,
  event_type: type,
  event_type_key: type.toLowerCase().replace(/\s+/g, '_'),
  occurred_at: new Date(T0 + atMs),
  received_at: new Date(T0 + atMs),
  metadata,
  channel: 'web',
  source: 'api',
  skip_triggers: false,
});
const ruleset: Ruleset = {
  id: 'rs_1',
  active: true,
  rules: [{ id: 'rl_pv', event_type: 'Page View', weight: 10, half_life_days: null, active: true, priority: 0, filters: [] }],
};
const setup = (over: Partial<ScoringSetup> = {}): ScoringSetup => ({
  rulesets: [ruleset],
  velocityFilters: [],
  hiddenEventTypes: new Set(),
  scopes: new Map(),
  surgePolicy: { ...STANDARD_SURGE_POLICY, mode: 'off' },
  ...over,
});

function newLead(): Lead {
  const lead = new Lead('lead-1');
  lead.create({ lead_id: 'ld_1', metadata: {}, account_id: null, source: 'ingest' }, new Date(T0));
  return lead;
}

describe('Lead aggregate', () => {
  it('records the contribution of each matching ruleset with the event', () => {
    const p = newLead().record(event('Page View', 0), setup());
    expect(p.contributions).toEqual([{ ruleset_id: 'rs_1', rule_id: 'rl_pv', base_points: 10, multiplier: 1, half_life_days: null }]);
    expect(p.suppression).toBeNull();
  });

  it('marks the first event of a lead it creates, and no other (created_lead)', () => {
    const lead = newLead();
    expect(lead.record(event('Page View', 0), setup()).created_lead).toBe(true);
    expect(lead.record(event('Page View', 1000), setup()).created_lead).toBeUndefined();
    const stored = newLead();
    stored.markCommitted(1);
    expect(stored.record(event('Page View', 0), setup()).created_lead).toBeUndefined();
  });

  it('stores but does not score an observe-only or hidden type', () => {
    expect(newLead().record(event('Page View', 0), setup({ scopes: new Map([['page_view', 'observe']]) })).contributions).toEqual([]);
    expect(newLead().record(event('Page View', 0), setup({ hiddenEventTypes: new Set(['page_view']) })).contributions).toEqual([]);
  });

  it('collapses fan-out only for types a velocity filter watches', () => {
    const plain = newLead();
    plain.record(event('Page View', 0), setup());
    expect(plain.record(event('Page View', 1000), setup()).suppression).toBeNull();
    const watched = setup({ velocityFilters: [{ event_type: 'Page View', count_threshold: 100, time_window_ms: 60_000, group_events: false }] });
    const lead = newLead();
    lead.record(event('Page View', 0), watched);
    const dup = lead.record(event('Page View', 1000), watched);
    expect(dup).toMatchObject({ suppression: 'fan_out', contributions: [] });
  });

  it('regroups the kept members of a grouped burst, never the first', () => {
    const s = setup({ velocityFilters: [{ event_type: 'Page View', count_threshold: 2, time_window_ms: 60_000, group_events: true }] });
    const lead = newLead();
    const first = lead.record(event('Page View', 0), s);
    const second = lead.record(event('Page View', 10_000), s);
    const third = lead.record(event('Page View', 20_000), s);
    expect([first.suppression, second.suppression, third.suppression]).toEqual([null, null, 'inorganic_grouped']);
    const regrouped = lead.uncommitted.filter((e) => e.type === 'LeadEventRegrouped').map((e) => e.payload.event_id);
    expect(regrouped).toEqual([second.event_id]);
  });

  it('survives a snapshot round trip with the same decisions', () => {
    const s = setup({ velocityFilters: [{ event_type: 'Page View', count_threshold: 1, time_window_ms: 60_000, group_events: false }] });
    const lead = newLead();
    lead.record(event('Page View', 0), s);
    const copy = new Lead('lead-1');
    copy.restore(JSON.parse(JSON.stringify(lead.snapshot())));
    expect(copy.record(event('Page View', 10_000), s).suppression).toBe('inorganic');
    expect(copy.hasAlias({ kind: 'email', value: 'x' })).toBe(false);
  });

  it('forgets deleted events for later velocity decisions', () => {
    const s = setup({ velocityFilters: [{ event_type: 'Page View', count_threshold: 1, time_window_ms: 60_000, group_events: false }] });
    const lead = newLead();
    const first = lead.record(event('Page View', 0), s);
    lead.deleteEvents([first.event_id], 'test', new Date(T0));
    expect(lead.record(event('Page View', 10_000), s).suppression).toBeNull();
  });

  it('multiplies by the surge session position (SUR-S3) and carries the session across a snapshot', () => {
    const s = setup({ surgePolicy: STANDARD_SURGE_POLICY });
    const lead = newLead();
    const points = [0, 60_000, 120_000].map((at) => lead.record(event('Page View', at), s).contributions[0]);
    expect(points.map((c) => c.multiplier)).toEqual([1, 1, 1.25]);
    const copy = new Lead('lead-1');
    copy.restore(JSON.parse(JSON.stringify(lead.snapshot())));
    const fourth = copy.record(event('Page View', 180_000), s);
    expect(fourth.surge).toEqual({ position: 4, multiplier: 1.25, session: { started_at: T0, last_at: T0 + 180_000, events: 4 } });
    expect(fourth.contributions[0]).toMatchObject({ base_points: 10, multiplier: 1.25 });
    // more than 30 idle minutes later: a new session
    expect(copy.record(event('Page View', 180_000 + 1_800_001), s).surge?.position).toBe(1);
  });

  it('does not count suppressed or observe-only events in the session', () => {
    const s = setup({
      surgePolicy: STANDARD_SURGE_POLICY,
      scopes: new Map([['form_submit', 'observe' as const]]),
      velocityFilters: [{ event_type: 'Email Open', count_threshold: 1, time_window_ms: 60_000, group_events: false }],
    });
    const lead = newLead();
    lead.record(event('Page View', 0), s);
    expect(lead.record(event('Form Submit', 1_000), s).surge).toBeUndefined();
    lead.record(event('Email Open', 2_000), s);
    const suppressed = lead.record(event('Email Open', 3_000), s);
    expect(suppressed.suppression).not.toBeNull();
    expect(suppressed.surge).toBeUndefined();
    expect(lead.record(event('Page View', 4_000), s).surge?.position).toBe(3);
  });

  it('takes a regrouped (now suppressed) event out of the session count', () => {
    const s = setup({
      surgePolicy: STANDARD_SURGE_POLICY,
      velocityFilters: [{ event_type: 'Form View', count_threshold: 2, time_window_ms: 60_000, group_events: true }],
    });
    const lead = newLead();
    lead.record(event('Form View', 0), s);
    lead.record(event('Form View', 10_000), s);
    expect(lead.record(event('Form View', 20_000), s).suppression).toBe('inorganic_grouped');
    // the second was regrouped: only the first still counts, so the next event is the 2nd of the session
    expect(lead.record(event('Page View', 300_000), s).surge?.position).toBe(2);
    const copy = new Lead('lead-1');
    copy.restore(JSON.parse(JSON.stringify(lead.snapshot())));
    expect(copy.record(event('Page View', 310_000), s).surge?.position).toBe(3);
  });

  it('takes deleted events out of the session count', () => {
    const s = setup({ surgePolicy: STANDARD_SURGE_POLICY });
    const lead = newLead();
    const first = lead.record(event('Page View', 0), s);
    const second = lead.record(event('Page View', 60_000), s);
    lead.deleteEvents([first.event_id], 'test', new Date(T0));
    expect(lead.record(event('Page View', 120_000), s).surge?.position).toBe(2);
    lead.deleteEvents([second.event_id], 'test', new Date(T0));
    expect(lead.record(event('Page View', 180_000), s).surge?.position).toBe(2);
  });
});
