import { DataSource } from 'typeorm';
import { RequestContext, TenantContext } from '../../../../platform/tenancy';
import { MetadataFilter } from '../../entities/metadata-filter.entity';
import { FiltersReader } from '../../queries/filters.reader';
import { UpdateMetadataFilterCommand } from './update-metadata-filter.command';
import { UpdateMetadataFilterHandler } from './update-metadata-filter.handler';

describe('UpdateMetadataFilterHandler', () => {
  it('renames the filter and keeps the fields that were not given', async () => {
    const conditions = [{ key: 'path', operator: 'exists' as const }];
    const filter = Object.assign(new MetadataFilter(), { id: 'mf_1', name: 'Old', eventType: 'Click', conditions, enabled: true });
    const save = jest.fn(async (f: MetadataFilter) => f);
    const reader = { metadataFilter: async () => filter } as unknown as FiltersReader;
    const ctx: TenantContext = {
      orgId: 'org_1',
      unitId: 'ou_1',
      principal: { type: 'member', id: 'm', orgId: 'org_1', email: 'e@example.com', activeOuKey: 'k' },
    };

    await RequestContext.run(ctx, () =>
      new UpdateMetadataFilterHandler({ getRepository: () => ({ save }) } as unknown as DataSource, reader).execute(
        new UpdateMetadataFilterCommand('mf_1', { name: ' New ', enabled: false }),
      ),
    );

    expect(save).toHaveBeenCalledWith(expect.objectContaining({ name: 'New', eventType: 'Click', conditions, enabled: false, updatedBy: 'e@example.com' }));
  });
});
