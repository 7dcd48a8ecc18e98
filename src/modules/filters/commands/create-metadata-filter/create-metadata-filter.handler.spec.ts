import { DataSource } from 'typeorm';
import { RequestContext, TenantContext } from '../../../../platform/tenancy';
import { MetadataFilter } from '../../entities/metadata-filter.entity';
import { CreateMetadataFilterCommand } from './create-metadata-filter.command';
import { CreateMetadataFilterHandler } from './create-metadata-filter.handler';

describe('CreateMetadataFilterHandler', () => {
  it('saves an enabled filter for every event type when none is given', async () => {
    const saved: MetadataFilter[] = [];
    const repo = { create: (f: Partial<MetadataFilter>) => Object.assign(new MetadataFilter(), f), save: async (f: MetadataFilter) => saved.push(f) };
    const handler = new CreateMetadataFilterHandler({ getRepository: () => repo } as unknown as DataSource);
    const ctx: TenantContext = {
      orgId: 'org_1',
      unitId: 'ou_1',
      principal: { type: 'member', id: 'm', orgId: 'org_1', email: 'd@example.com', activeOuKey: 'k' },
    };
    const conditions = [{ key: 'path', operator: 'contains' as const, value: '/careers' }];

    const { filterId } = await RequestContext.run(ctx, () => handler.execute(new CreateMetadataFilterCommand({ name: ' Careers ', conditions })));

    expect(filterId).toMatch(/^mf_/);
    expect(saved[0]).toMatchObject({ orgId: 'org_1', unitId: 'ou_1', name: 'Careers', eventType: '', conditions, enabled: true, suppressedCount: 0 });
    expect(ctx.audit).toMatchObject({ entityType: 'metadata_filter', summary: "created attribute filter 'Careers'" });
  });
});
