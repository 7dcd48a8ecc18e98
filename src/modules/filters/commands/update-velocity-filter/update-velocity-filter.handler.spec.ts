import { DataSource } from 'typeorm';
import { RequestContext, TenantContext } from '../../../../platform/tenancy';
import { VelocityFilter } from '../../entities/velocity-filter.entity';
import { FilterErrors } from '../../filters.errors';
import { FiltersReader } from '../../queries/filters.reader';
import { UpdateVelocityFilterCommand } from './update-velocity-filter.command';
import { UpdateVelocityFilterHandler } from './update-velocity-filter.handler';

const ctx = (): TenantContext => ({ orgId: 'org_1', unitId: 'ou_1', principal: { type: 'service_account', id: 'sa_1', orgId: 'org_1', activeOuKey: 'k' } });

function setUp(existing: VelocityFilter | null) {
  const save = jest.fn(async (f: VelocityFilter) => f);
  const reader = {
    velocityFilter: async () => {
      if (!existing) throw FilterErrors.notFound('filter_not_found', 'filter');
      return existing;
    },
  } as unknown as FiltersReader;
  return { handler: new UpdateVelocityFilterHandler({ getRepository: () => ({ save }) } as unknown as DataSource, reader), save };
}

describe('UpdateVelocityFilterHandler', () => {
  it('changes only the given fields and records who changed them', async () => {
    const filter = Object.assign(new VelocityFilter(), {
      id: 'vf_1',
      eventType: 'Click',
      eventTypeKey: 'click',
      countThreshold: 5,
      timeWindowMs: 1000,
      groupEvents: false,
    });
    const { handler, save } = setUp(filter);
    await RequestContext.run(ctx(), () => handler.execute(new UpdateVelocityFilterCommand('vf_1', { count_threshold: 9 })));
    expect(save).toHaveBeenCalledWith(
      expect.objectContaining({ eventType: 'Click', countThreshold: 9, timeWindowMs: 1000, updatedBy: 'service_account:sa_1' }),
    );
  });

  it('answers 404 filter_not_found for a filter outside the active OU', async () => {
    const { handler, save } = setUp(null);
    await expect(RequestContext.run(ctx(), () => handler.execute(new UpdateVelocityFilterCommand('vf_x', {})))).rejects.toMatchObject({
      code: 'filter_not_found',
      status: 404,
    });
    expect(save).not.toHaveBeenCalled();
  });
});
