import { DataSource } from 'typeorm';
import { RequestContext, TenantContext } from '../../../../platform/tenancy';
import { VelocityFilter } from '../../entities/velocity-filter.entity';
import { CreateVelocityFilterCommand } from './create-velocity-filter.command';
import { CreateVelocityFilterHandler } from './create-velocity-filter.handler';

describe('CreateVelocityFilterHandler', () => {
  it('saves a filter of the active OU keyed by the canonical event type, grouping off by default', async () => {
    const saved: VelocityFilter[] = [];
    const repo = { create: (f: Partial<VelocityFilter>) => Object.assign(new VelocityFilter(), f), save: async (f: VelocityFilter) => saved.push(f) };
    const handler = new CreateVelocityFilterHandler({ getRepository: () => repo } as unknown as DataSource);
    const ctx: TenantContext = {
      orgId: 'org_1',
      unitId: 'ou_1',
      principal: { type: 'member', id: 'm', orgId: 'org_1', email: 'c@example.com', activeOuKey: 'k' },
    };

    const { filterId } = await RequestContext.run(ctx, () =>
      handler.execute(new CreateVelocityFilterCommand({ event_type: ' Page View ', count_threshold: 5, time_window_ms: 1000 })),
    );

    expect(filterId).toMatch(/^vf_/);
    expect(saved[0]).toMatchObject({
      orgId: 'org_1',
      unitId: 'ou_1',
      eventType: 'Page View',
      countThreshold: 5,
      timeWindowMs: 1000,
      groupEvents: false,
      createdBy: 'c@example.com',
    });
    expect(ctx.audit).toMatchObject({ entityType: 'inorganic_filter', entityId: filterId, summary: "created inorganic filter on 'Page View' (5 per 1000 ms)" });
  });
});
