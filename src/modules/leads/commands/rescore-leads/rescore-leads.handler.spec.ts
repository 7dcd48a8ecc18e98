import { Lead } from '../../domain/lead.aggregate';
import { RescoreLeadsCommand } from './rescore-leads.command';
import { RescoreLeadsHandler } from './rescore-leads.handler';

describe('RescoreLeads', () => {
  it('records the changes on each live lead, leaving a lead deleted meanwhile alone', async () => {
    const live = new Lead('l1');
    live.create({ lead_id: 'ld_1', metadata: {}, account_id: null, source: 'api' }, new Date(0));
    live.markCommitted(1);
    const locked: unknown[] = [];
    const repo = {
      transaction: (w: (m: unknown) => Promise<unknown>) => w({ query: async (_t: string, p: unknown[]) => (locked.push(p[0]), [{ id: 'l1' }]) }),
      loadMany: async () => new Map([['l1', live]]),
      saveMany: async () => [],
    };
    const handler = new RescoreLeadsHandler(repo as never, { now: () => new Date(5) } as never);
    const contribution = { ruleset_id: 'rs', rule_id: 'r', base_points: 5, multiplier: 1, half_life_days: null };
    await handler.execute(
      new RescoreLeadsCommand(
        new Map([
          ['l1', [{ event_id: 'e1', contribution }]],
          ['gone', [{ event_id: 'e2', contribution: null }]],
        ]),
        'rs',
        'job',
        {},
      ),
    );
    expect(locked).toEqual([['l1', 'gone']]);
    expect(live.uncommitted.map((e) => e.payload)).toEqual([{ ruleset_id: 'rs', job_id: 'job', changes: [{ event_id: 'e1', contribution }] }]);
  });

  it('opens no transaction for no changes', async () => {
    const handler = new RescoreLeadsHandler({ transaction: () => Promise.reject(new Error('no')) } as never, { now: () => new Date() } as never);
    await expect(handler.execute(new RescoreLeadsCommand(new Map(), 'rs', 'job', {}))).resolves.toBeUndefined();
  });
});
