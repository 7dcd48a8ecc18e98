import { Lead } from '../../domain/lead.aggregate';
import { AssignLeadOwnerCommand } from './assign-lead-owner.command';
import { AssignLeadOwnerHandler } from './assign-lead-owner.handler';

jest.mock('../../../../platform/tenancy/request-context', () => ({ RequestContext: { eventMetadata: () => ({}) } }));

function handlerWith(live: string[]) {
  const leads = new Map(
    live.map((ref) => {
      const l = new Lead(ref);
      l.create({ lead_id: ref, metadata: {}, account_id: null, source: 'api' }, new Date(0));
      l.markCommitted(1);
      return [ref, l] as const;
    }),
  );
  const repo = {
    transaction: (w: (m: unknown) => Promise<unknown>) => w({ query: async () => live.map((id) => ({ id })) }),
    loadMany: async () => leads,
    saveMany: async () => [],
  };
  return { handler: new AssignLeadOwnerHandler(repo as never, { now: () => new Date(0) } as never), leads };
}

const owner = { owner_id: 'u1', owner_name: 'Ada' };

describe('AssignLeadOwner', () => {
  it('assigns the live leads and answers how many', async () => {
    const { handler, leads } = handlerWith(['a', 'b']);
    expect(await handler.execute(new AssignLeadOwnerCommand(['a', 'b', 'gone'], owner as never))).toBe(2);
    expect([...leads.values()].every((l) => l.uncommitted.length === 1)).toBe(true);
  });

  it('answers 0 for no leads, and 404 when the one lead named is gone', async () => {
    expect(await handlerWith([]).handler.execute(new AssignLeadOwnerCommand([], owner as never))).toBe(0);
    await expect(handlerWith([]).handler.execute(new AssignLeadOwnerCommand(['gone'], owner as never))).rejects.toMatchObject({ code: 'lead_not_found' });
  });
});
