import { DataSource } from 'typeorm';
import { ServerKeys } from '../../../../platform/security';
import { RequestContext, TenantContext } from '../../../../platform/tenancy';
import { SurgeTrigger } from '../../entities/surge-trigger.entity';
import { SurgeDestinations } from '../surge-destinations';
import { CreateSurgeTriggerCommand } from './create-surge-trigger.command';
import { CreateSurgeTriggerHandler } from './create-surge-trigger.handler';

const context = (): TenantContext => ({
  orgId: 'org_1',
  unitId: 'ou_1',
  principal: { type: 'member', id: 'mem_1', orgId: 'org_1', email: 'a@example.com', activeOuKey: 'k' },
});

function setUp() {
  const saved: SurgeTrigger[] = [];
  const repo = {
    create: (fields: Partial<SurgeTrigger>) => Object.assign(new SurgeTrigger(), fields),
    save: jest.fn(async (t: SurgeTrigger) => saved.push(t)),
  };
  const ds = { getRepository: () => repo } as unknown as DataSource;
  const keys = { fieldEncryptionKey: Buffer.alloc(32, 7) } as ServerKeys;
  const destinations = { check: jest.fn(async () => undefined) } as unknown as SurgeDestinations;
  return { handler: new CreateSurgeTriggerHandler(ds, keys, destinations), saved };
}

describe('CreateSurgeTriggerHandler', () => {
  it('saves the trigger in the active OU with a name generated from the rule and describes it for the audit log', async () => {
    const { handler, saved } = setUp();
    const ctx = context();
    const { triggerId } = await RequestContext.run(ctx, () =>
      handler.execute(
        new CreateSurgeTriggerCommand({ window_seconds: 60, threshold_count: 3, event_type: ' Page View ', emails: ['A@Example.com ', 'a@example.com'] }),
      ),
    );
    expect(triggerId).toMatch(/^srg_/);
    expect(saved[0]).toMatchObject({
      orgId: 'org_1',
      unitId: 'ou_1',
      name: 'Surge: 3+ Page View within 60 s',
      eventType: 'Page View',
      emails: ['a@example.com'],
      createdBy: 'a@example.com',
    });
    expect(ctx.audit).toMatchObject({ entityType: 'surge_trigger', entityId: triggerId });
  });

  it('refuses an active trigger without a destination (400 destination_required) and saves nothing', async () => {
    const { handler, saved } = setUp();
    const attempt = RequestContext.run(context(), () => handler.execute(new CreateSurgeTriggerCommand({ window_seconds: 60, threshold_count: 3 })));
    await expect(attempt).rejects.toMatchObject({ code: 'destination_required', status: 400 });
    expect(saved).toHaveLength(0);
  });

  it('seals the webhook Authorization header and keeps only its mask readable', async () => {
    const { handler, saved } = setUp();
    await RequestContext.run(context(), () =>
      handler.execute(new CreateSurgeTriggerCommand({ window_seconds: 60, threshold_count: 3, active: false, webhook_auth_header: 'Bearer secret-value' })),
    );
    expect(saved[0].webhookAuthHeaderEnc).not.toContain('secret-value');
    expect(saved[0].webhookAuthHeaderMask).not.toContain('secret-value');
  });
});
