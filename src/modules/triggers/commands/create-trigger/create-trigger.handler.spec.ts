import { Clock } from '../../../../platform/clock';
import { AggregateRepository, EventSourcedAggregate } from '../../../../platform/event-store';
import { RequestContext } from '../../../../platform/tenancy';
import { NotificationDestinations } from '../../../notifications';
import { Trigger } from '../../domain';
import { UpdateTriggerCommand } from '../update-trigger/update-trigger.command';
import { UpdateTriggerHandler } from '../update-trigger/update-trigger.handler';
import { CreateTriggerCommand } from './create-trigger.command';
import { CreateTriggerHandler } from './create-trigger.handler';

const AT = '2026-01-01T00:00:00.000Z';
const clock = { now: () => new Date(AT) } as Clock;
const inUnit = <T>(fn: () => T, unitId = 'unit_a'): T =>
  RequestContext.run({ orgId: 'org_a', unitId, principal: { type: 'member', id: 'mb_1', orgId: 'org_a', email: 'a@example.com', activeOuKey: 'k' } }, fn);

/** Triggers kept in memory: `save` and `execute` keep the raised events as committed. */
function setUp(refuse?: string) {
  const stored = new Map<string, Trigger>();
  const saved: string[][] = [];
  const keep = (t: EventSourcedAggregate) => {
    saved.push(t.uncommitted.map((e) => e.type));
    t.markCommitted(t.version + t.uncommitted.length);
    stored.set(t.id, t as Trigger);
  };
  const repo = {
    save: async (t: Trigger) => keep(t),
    load: async (_type: unknown, id: string) => stored.get(id) ?? new Trigger(id),
    execute: async (_type: unknown, id: string, _m: unknown, decide: (t: Trigger) => unknown) => {
      const t = stored.get(id) ?? new Trigger(id);
      const result = await decide(t);
      keep(t);
      return result;
    },
  } as unknown as AggregateRepository;
  const destinations = {
    check: jest.fn(async (c: Record<string, unknown>) => {
      if (refuse && c[refuse]) throw Object.assign(new Error('refused'), { code: 'destination_not_allowed', status: 400 });
    }),
  } as unknown as NotificationDestinations;
  return { create: new CreateTriggerHandler(repo, clock, destinations), update: new UpdateTriggerHandler(repo, clock, destinations), stored, saved };
}

describe('Trigger commands', () => {
  it('creates a milestone trigger in the active OU with defaults and a generated name, and describes it for the audit log', async () => {
    const { create, stored } = setUp();
    const ctx = {
      orgId: 'org_a',
      unitId: 'unit_a',
      principal: { type: 'member' as const, id: 'mb_1', orgId: 'org_a', email: 'a@example.com', activeOuKey: 'k' },
    };
    const { triggerId } = await RequestContext.run(ctx, () =>
      create.execute(new CreateTriggerCommand('milestone', { score_threshold: 50, event_type: ' Demo Request ' })),
    );
    const t = stored.get(triggerId)!;
    expect(triggerId).toMatch(/^trg_/);
    expect(t.info).toMatchObject({ org_id: 'org_a', unit_id: 'unit_a', kind: 'milestone', at: AT });
    expect(t.fields).toMatchObject({
      name: 'Score ≥ 50 (Demo Request)',
      event_type: 'Demo Request',
      event_type_key: 'demo_request',
      fire_mode: 'once',
      active: true,
    });
    expect((ctx as { audit?: unknown }).audit).toMatchObject({ entityType: 'milestone_trigger', entityId: triggerId });
  });

  it('refuses a destination the check refuses and stores nothing', async () => {
    const { create, stored } = setUp('webhook_url');
    await expect(
      inUnit(() => create.execute(new CreateTriggerCommand('milestone', { score_threshold: 5, webhook_url: 'https://10.0.0.1/x' }))),
    ).rejects.toMatchObject({
      code: 'destination_not_allowed',
    });
    expect(stored.size).toBe(0);
  });

  it('updates only what changed, pausing as an event of its own; another OU or kind answers 404', async () => {
    const { create, update, saved } = setUp();
    const { triggerId } = await inUnit(() => create.execute(new CreateTriggerCommand('milestone', { score_threshold: 50 })));
    await inUnit(() => update.execute(new UpdateTriggerCommand('milestone', triggerId, { score_threshold: 50, active: false, fire_mode: 'always' })));
    expect(saved.at(-1)).toEqual(['TriggerUpdated', 'TriggerPaused']);
    await expect(inUnit(() => update.execute(new UpdateTriggerCommand('milestone', triggerId, { active: true })), 'unit_b')).rejects.toMatchObject({
      code: 'trigger_not_found',
      status: 404,
    });
    await expect(inUnit(() => update.execute(new UpdateTriggerCommand('sequence', triggerId, { active: true })))).rejects.toMatchObject({
      code: 'sequence_not_found',
    });
    await expect(
      inUnit(() => update.execute(new UpdateTriggerCommand('milestone', triggerId, { cooldown_seconds: 60, fire_mode: 'once' }))),
    ).rejects.toMatchObject({
      code: 'validation_failed',
      details: [{ field: 'cooldown_seconds' }],
    });
  });
});
