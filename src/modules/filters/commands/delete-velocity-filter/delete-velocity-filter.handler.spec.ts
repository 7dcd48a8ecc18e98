import { DataSource } from 'typeorm';
import { RequestContext, TenantContext } from '../../../../platform/tenancy';
import { VelocityFilter } from '../../entities/velocity-filter.entity';
import { FiltersReader } from '../../queries/filters.reader';
import { DeleteVelocityFilterCommand } from './delete-velocity-filter.command';
import { DeleteVelocityFilterHandler } from './delete-velocity-filter.handler';

describe('DeleteVelocityFilterHandler', () => {
  it('deletes the filter found in the active OU by its id', async () => {
    const remove = jest.fn(async () => undefined);
    const filter = Object.assign(new VelocityFilter(), { id: 'vf_1', eventType: 'Click' });
    const reader = { velocityFilter: async () => filter } as unknown as FiltersReader;
    const ctx: TenantContext = { orgId: 'org_1', unitId: 'ou_1' };
    await RequestContext.run(ctx, () =>
      new DeleteVelocityFilterHandler({ getRepository: () => ({ delete: remove }) } as unknown as DataSource, reader).execute(
        new DeleteVelocityFilterCommand('vf_1'),
      ),
    );
    expect(remove).toHaveBeenCalledWith({ id: 'vf_1' });
    expect(ctx.audit).toMatchObject({ entityId: 'vf_1', summary: "deleted inorganic filter on 'Click'" });
  });
});
