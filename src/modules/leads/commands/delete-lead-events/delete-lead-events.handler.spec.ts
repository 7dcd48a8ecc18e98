import { Lead } from '../../domain/lead.aggregate';
import { DeleteLeadEventsCommand } from './delete-lead-events.command';
import { DeleteLeadEventsHandler, groupByStream } from './delete-lead-events.handler';

jest.mock('../../../../platform/tenancy/request-context', () => ({ RequestContext: { eventMetadata: () => ({ actor: 'tester' }) } }));

describe('DeleteLeadEvents', () => {
  it('deletes a lead event on its lead stream, a suppressed or lead-less one on its own stream', () => {
    const { byLead, orphans } = groupByStream([
      { event_id: 'e1', lead_ref: 'l1', suppression: null },
      { event_id: 'e2', lead_ref: 'l1', suppression: 'velocity' },
      { event_id: 'e3', lead_ref: 'l2', suppression: 'metadata_filter' },
      { event_id: 'e4', lead_ref: null, suppression: 'metadata_filter' },
    ]);
    expect([...byLead]).toEqual([['l1', ['e1', 'e2']]]);
    expect(orphans).toEqual(['e3', 'e4']);
  });

  it('leaves a lead that is no longer live alone and appends to live ones only', async () => {
    const live = new Lead('l1');
    live.create({ lead_id: 'ld_1', metadata: {}, account_id: null, source: 'api' }, new Date(0));
    live.markCommitted(1);
    const saved: { leads: Lead[]; extra: unknown[] }[] = [];
    const repo = {
      transaction: (work: (m: unknown) => Promise<unknown>) => work({ query: async () => [{ id: 'l1' }] }),
      loadMany: async () => new Map([['l1', live]]),
      saveMany: async (leads: Lead[], _meta: unknown, _m: unknown, extra: unknown[]) => saved.push({ leads, extra }),
    };
    const handler = new DeleteLeadEventsHandler(repo as never, { now: () => new Date(5) } as never);
    await handler.execute(
      new DeleteLeadEventsCommand(
        [
          { event_id: 'e1', lead_ref: 'l1', suppression: null },
          { event_id: 'e9', lead_ref: 'gone', suppression: null },
          { event_id: 's1', lead_ref: null, suppression: 'metadata_filter' },
        ],
        'batch_delete',
      ),
    );
    expect(saved).toHaveLength(1);
    expect(live.uncommitted.map((e) => e.payload)).toEqual([expect.objectContaining({ event_ids: ['e1'], reason: 'batch_delete' })]);
    expect(saved[0].extra).toEqual([expect.objectContaining({ streamId: 'suppressed-s1', expectedVersion: 'any' })]);
  });
});
