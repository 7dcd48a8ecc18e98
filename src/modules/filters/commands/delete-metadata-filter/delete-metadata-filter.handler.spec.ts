import { DataSource } from 'typeorm';
import { RequestContext, TenantContext } from '../../../../platform/tenancy';
import { FilterErrors } from '../../filters.errors';
import { FiltersReader } from '../../queries/filters.reader';
import { DeleteMetadataFilterCommand } from './delete-metadata-filter.command';
import { DeleteMetadataFilterHandler } from './delete-metadata-filter.handler';

describe('DeleteMetadataFilterHandler', () => {
  it('answers 404 filter_not_found and deletes nothing for a filter outside the active OU', async () => {
    const remove = jest.fn();
    const reader = {
      metadataFilter: async () => {
        throw FilterErrors.notFound('filter_not_found', 'filter');
      },
    } as unknown as FiltersReader;
    const handler = new DeleteMetadataFilterHandler({ getRepository: () => ({ delete: remove }) } as unknown as DataSource, reader);
    const ctx: TenantContext = { orgId: 'org_1', unitId: 'ou_1' };
    await expect(RequestContext.run(ctx, () => handler.execute(new DeleteMetadataFilterCommand('mf_x')))).rejects.toMatchObject({
      code: 'filter_not_found',
      status: 404,
    });
    expect(remove).not.toHaveBeenCalled();
  });
});
