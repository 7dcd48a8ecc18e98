import { Lead } from '../../domain/lead.aggregate';
import { CreateLeadCommand } from './create-lead.command';
import { CreateLeadHandler } from './create-lead.handler';

jest.mock('../../../../platform/tenancy/request-context', () => ({ RequestContext: { eventMetadata: () => ({}), orgId: () => 'org', unitId: () => 'ou' } }));

function handlerWith(taken: { status: string } | undefined, saveError?: Error) {
  const saved: Lead[] = [];
  const ds = { query: async (text: string) => (text.includes('SELECT status') ? (taken ? [taken] : []) : [{ id: 'ref', lead_id: 'ld_new' }]) };
  const repo = {
    save: async (l: Lead) => {
      if (saveError) throw saveError;
      saved.push(l);
    },
  };
  return { handler: new CreateLeadHandler(ds as never, repo as never, { now: () => new Date(0) } as never), saved };
}

describe('CreateLead', () => {
  it('creates the lead with source api', async () => {
    const { handler, saved } = handlerWith(undefined);
    await handler.execute(new CreateLeadCommand({ id: 'ld_new', metadata: { a: 1 }, account_id: null }));
    expect(saved[0].uncommitted[0].payload).toMatchObject({ lead_id: 'ld_new', source: 'api', metadata: { a: 1 } });
  });

  it('refuses an id already used in the OU (409 lead_exists), worded for a lead being deleted', async () => {
    await expect(handlerWith({ status: 'active' }).handler.execute(new CreateLeadCommand({ id: 'x', metadata: {}, account_id: null }))).rejects.toMatchObject({
      code: 'lead_exists',
      message: 'a lead with id x already exists in the active OU',
    });
    await expect(handlerWith({ status: 'deleting' }).handler.execute(new CreateLeadCommand({ id: 'x', metadata: {}, account_id: null }))).rejects.toMatchObject(
      {
        code: 'lead_exists',
        message: expect.stringContaining('is being deleted'),
      },
    );
  });

  it('turns losing a race for the same id (unique violation) into 409', async () => {
    const race = Object.assign(new Error('duplicate key'), { code: '23505' });
    await expect(handlerWith(undefined, race).handler.execute(new CreateLeadCommand({ id: 'x', metadata: {}, account_id: null }))).rejects.toMatchObject({
      code: 'lead_exists',
    });
  });
});
