import { DataSource, EntityManager } from 'typeorm';
import { RequestContext, TenantContext } from '../../../../platform/tenancy';
import { SurgeTrigger } from '../../entities/surge-trigger.entity';
import { SurgeTriggersReader } from '../../queries/surge-triggers.reader';
import { DeleteSurgeTriggerCommand } from './delete-surge-trigger.command';
import { DeleteSurgeTriggerHandler } from './delete-surge-trigger.handler';

describe('DeleteSurgeTriggerHandler', () => {
  it('deletes the trigger and its detection state in one transaction, and describes it for the audit log', async () => {
    const statements: { text: string; values: unknown[] }[] = [];
    const manager = { query: async (text: string, values: unknown[]) => (statements.push({ text, values }), [[], 1]) } as unknown as EntityManager;
    const ds = { transaction: async (work: (m: EntityManager) => Promise<void>) => work(manager) } as unknown as DataSource;
    const trigger = Object.assign(new SurgeTrigger(), { id: 'srg_1', name: 'Pricing' });
    const reader = { get: async () => trigger } as unknown as SurgeTriggersReader;
    const ctx: TenantContext = { orgId: 'org_1', unitId: 'ou_1' };

    await RequestContext.run(ctx, () => new DeleteSurgeTriggerHandler(ds, reader).execute(new DeleteSurgeTriggerCommand('srg_1')));

    expect(statements.map((s) => s.text)).toEqual([
      'DELETE FROM surge_triggers WHERE id = $1',
      'DELETE FROM surge_recent_events WHERE trigger_id = $1',
      'DELETE FROM surge_lead_state WHERE trigger_id = $1',
    ]);
    expect(statements.every((s) => s.values[0] === 'srg_1')).toBe(true);
    expect(ctx.audit).toMatchObject({ entityType: 'surge_trigger', entityId: 'srg_1', summary: "deleted surge trigger 'Pricing'" });
  });
});
