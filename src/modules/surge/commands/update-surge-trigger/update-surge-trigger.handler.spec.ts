import { DataSource } from 'typeorm';
import { ServerKeys } from '../../../../platform/security';
import { RequestContext, TenantContext } from '../../../../platform/tenancy';
import { SurgeTrigger } from '../../entities/surge-trigger.entity';
import { SurgeTriggersReader } from '../../queries/surge-triggers.reader';
import { SurgeErrors } from '../../surge.errors';
import { SurgeDestinations } from '../surge-destinations';
import { UpdateSurgeTriggerCommand } from './update-surge-trigger.command';
import { UpdateSurgeTriggerHandler } from './update-surge-trigger.handler';

const context = (): TenantContext => ({
  orgId: 'org_1',
  unitId: 'ou_1',
  principal: { type: 'member', id: 'mem_1', orgId: 'org_1', email: 'b@example.com', activeOuKey: 'k' },
});

const draft = () =>
  Object.assign(new SurgeTrigger(), {
    id: 'srg_1',
    name: 'Draft',
    eventType: '',
    eventTypeKey: '',
    windowSeconds: 60,
    thresholdCount: 2,
    active: false,
    emails: [],
    webhookUrl: null,
    notificationChannelId: null,
    teamsWebhookUrl: null,
    notifyOwner: false,
    slackTargetId: null,
    slackTargetKind: null,
  });

function setUp(existing: SurgeTrigger | null, knownChannels: string[] = []) {
  const save = jest.fn(async (t: SurgeTrigger) => t);
  const ds = { getRepository: () => ({ save }) } as unknown as DataSource;
  const reader = {
    get: async () => {
      if (!existing) throw SurgeErrors.notFound('surge_trigger_not_found', 'surge trigger');
      return existing;
    },
  } as unknown as SurgeTriggersReader;
  const destinations = {
    check: async (c: { notification_channel_id?: string | null }) => {
      if (c.notification_channel_id && !knownChannels.includes(c.notification_channel_id))
        throw SurgeErrors.error('unknown_notification_channel', 'unknown', [{ field: 'notification_channel_id', reason: 'unknown notification channel' }]);
    },
  } as unknown as SurgeDestinations;
  return { handler: new UpdateSurgeTriggerHandler(ds, { fieldEncryptionKey: Buffer.alloc(32) } as ServerKeys, destinations, reader), save };
}

describe('UpdateSurgeTriggerHandler', () => {
  it('applies only the given fields and reports the deprecated webhook_url', async () => {
    const trigger = draft();
    const { handler, save } = setUp(trigger);
    const result = await RequestContext.run(context(), () =>
      handler.execute(new UpdateSurgeTriggerCommand('srg_1', { active: true, webhook_url: 'https://hooks.example.com/x' })),
    );
    expect(result).toEqual({ usesWebhookUrl: true });
    expect(save).toHaveBeenCalledWith(expect.objectContaining({ name: 'Draft', active: true, windowSeconds: 60, updatedBy: 'b@example.com' }));
  });

  it('answers 404 surge_trigger_not_found for a trigger outside the active OU', async () => {
    const { handler, save } = setUp(null);
    await expect(RequestContext.run(context(), () => handler.execute(new UpdateSurgeTriggerCommand('srg_x', { name: 'x' })))).rejects.toMatchObject({
      code: 'surge_trigger_not_found',
      status: 404,
    });
    expect(save).not.toHaveBeenCalled();
  });

  it('refuses a notification channel id the destination check does not know, and saves nothing', async () => {
    const { handler, save } = setUp(draft());
    await expect(
      RequestContext.run(context(), () =>
        handler.execute(new UpdateSurgeTriggerCommand('srg_1', { notification_channel_id: '7a1f4c1e-0000-4000-8000-000000000000' })),
      ),
    ).rejects.toMatchObject({ code: 'unknown_notification_channel', status: 400 });
    expect(save).not.toHaveBeenCalled();
  });

  it('routes an active trigger to a known channel as its only destination', async () => {
    const channel = '7a1f4c1e-0000-4000-8000-000000000001';
    const { handler, save } = setUp(draft(), [channel]);
    await RequestContext.run(context(), () => handler.execute(new UpdateSurgeTriggerCommand('srg_1', { active: true, notification_channel_id: channel })));
    expect(save).toHaveBeenCalledWith(expect.objectContaining({ active: true, notificationChannelId: channel }));
  });
});
