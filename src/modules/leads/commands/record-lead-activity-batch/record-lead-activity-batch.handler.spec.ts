import { STANDARD_SURGE_POLICY } from '../../../scoring/domain';
import { Lead } from '../../domain/lead.aggregate';
import { LeadActivity, RecordLeadActivityBatchCommand } from './record-lead-activity-batch.command';
import { RecordLeadActivityBatchHandler } from './record-lead-activity-batch.handler';

let n = 0;
const activity = (over: Partial<LeadActivity> = {}): LeadActivity => ({
  event_id: `00000000-0000-7000-8000-${String(++n).padStart(12, '0')}`,
  client_event_id: null,
  org_id: 'org',
  unit_id: 'ou',
  actor: 'tester',
  lead_id: null,
  aliases: [{ kind: 'email', value: 'a@x.io' }],
  event_type: 'Page View',
  occurred_at: '2026-06-15T12:00:00.000Z',
  received_at: '2026-06-15T12:00:01.000Z',
  metadata: {},
  source: 'api',
  skip_triggers: false,
  ...over,
});

/** A transaction whose reads answer what the test says the database holds; saves are captured. */
function setup(db: { storedIds?: string[]; leads?: { id: string; lead_id: string; status: string }[] } = {}) {
  const saved: { leads: Lead[]; extra: unknown[] }[] = [];
  const existing = new Map((db.leads ?? []).map((l) => [l.id, l]));
  const m = {
    query: async (text: string) => {
      if (text.includes('FROM event_store_events')) return (db.storedIds ?? []).map((event_id) => ({ event_id }));
      if (text.includes('FROM leads')) return db.leads ?? [];
      return [];
    },
  };
  const repo = {
    transaction: (work: (m: unknown) => Promise<unknown>) => work(m),
    loadMany: async (_t: unknown, refs: string[]) =>
      new Map(
        refs.map((ref) => {
          const l = new Lead(ref);
          l.create({ lead_id: existing.get(ref)!.lead_id, metadata: {}, account_id: null, source: 'api' }, new Date(0));
          l.markCommitted(1);
          return [ref, l];
        }),
      ),
    saveMany: async (leads: Lead[], _meta: unknown, _m: unknown, extra: unknown[]) => saved.push({ leads, extra }),
  };
  const setups = {
    load: async () => ({
      rulesets: [],
      rulesetNames: new Map(),
      velocityFilters: [],
      metadataFilters: [],
      hiddenEventTypes: new Set(),
      scopes: new Map(),
      allowNegative: false,
      surgePolicy: STANDARD_SURGE_POLICY,
    }),
  };
  return { handler: new RecordLeadActivityBatchHandler(repo as never, setups as never), saved };
}

describe('RecordLeadActivityBatch', () => {
  it('creates one lead for events sharing a new alias, records both, and appends once', async () => {
    const { handler, saved } = setup();
    const outcome = await handler.execute(new RecordLeadActivityBatchCommand([activity(), activity()], 'c1'));
    expect(outcome).toEqual({ recorded: 2, suppressed: 0, duplicates: 0, leadsCreated: 1 });
    expect(saved).toHaveLength(1);
    expect(saved[0].leads).toHaveLength(1);
  });

  it('records an event already stored (a redelivered job) and a repeat within the batch once', async () => {
    const a = activity();
    const b = activity();
    const { handler, saved } = setup({ storedIds: [a.event_id] });
    const outcome = await handler.execute(new RecordLeadActivityBatchCommand([a, b, b], 'c1'));
    expect(outcome).toMatchObject({ recorded: 1, duplicates: 2 });
    expect(saved).toHaveLength(1);
  });

  it('records nothing when every event was recorded already', async () => {
    const a = activity();
    const { handler, saved } = setup({ storedIds: [a.event_id] });
    expect(await handler.execute(new RecordLeadActivityBatchCommand([a], 'c1'))).toEqual({ recorded: 0, suppressed: 0, duplicates: 1, leadsCreated: 0 });
    expect(saved).toHaveLength(0);
  });

  it('drops the events of a lead being deleted (LEAD-18) instead of recording or re-creating it', async () => {
    const { handler } = setup({ leads: [{ id: 'ref-1', lead_id: 'ld_1', status: 'deleting' }] });
    const outcome = await handler.execute(new RecordLeadActivityBatchCommand([activity({ lead_id: 'ld_1', aliases: [] })], 'c1'));
    expect(outcome).toMatchObject({ recorded: 0, leadsCreated: 0, dropped: 1 });
  });

  it('records on the existing lead named by public id', async () => {
    const { handler, saved } = setup({ leads: [{ id: 'ref-1', lead_id: 'ld_1', status: 'active' }] });
    const outcome = await handler.execute(new RecordLeadActivityBatchCommand([activity({ lead_id: 'ld_1' })], 'c1'));
    expect(outcome).toMatchObject({ recorded: 1, leadsCreated: 0 });
    expect(saved[0].leads.map((l) => l.id)).toEqual(['ref-1']);
  });
});
