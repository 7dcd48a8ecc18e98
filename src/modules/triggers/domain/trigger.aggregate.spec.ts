import { TriggerEvents, TriggerFields } from './trigger-events';
import { Trigger } from './trigger.aggregate';

const AT = '2026-01-01T00:00:00.000Z';

/** A TriggerCreated as it was stored before `notify_owner` existed. */
const oldFields = {
  name: 'Hot lead',
  description: '',
  event_type: '',
  event_type_key: '',
  score_threshold: 50,
  fire_mode: 'once',
  cooldown_seconds: 0,
  config: {},
  active: true,
  notification_channel_id: null,
  webhook_url: null,
  teams_webhook_url: null,
  emails: [],
  email_subject: null,
  email_preheader: null,
  email_message: null,
  slack_target_kind: null,
  slack_target_id: null,
};

const replayed = () => {
  const t = new Trigger('trg_old');
  t.replay([{ type: TriggerEvents.Created, payload: { org_id: 'org_a', unit_id: 'unit_a', kind: 'milestone', fields: oldFields, by: 'a', at: AT } }]);
  return t;
};

describe('Trigger notify_owner (OWN-1)', () => {
  it('reads an old TriggerCreated without notify_owner as false, and an unchanged update records nothing', () => {
    const t = replayed();
    expect(t.fields.notify_owner).toBe(false);
    t.update({ ...t.fields }, 'a', AT);
    expect(t.uncommitted).toEqual([]);
  });

  it('records a change of notify_owner as a TriggerUpdated', () => {
    const t = replayed();
    t.update({ ...t.fields, notify_owner: true } as TriggerFields, 'a', AT);
    expect(t.uncommitted).toEqual([{ type: TriggerEvents.Updated, payload: { changes: { notify_owner: true }, by: 'a', at: AT } }]);
  });

  it('restores an old snapshot without notify_owner as false', () => {
    const t = new Trigger('trg_old');
    t.restore({
      created: { org_id: 'org_a', unit_id: 'unit_a', kind: 'milestone', by: 'a', at: AT },
      fields: oldFields as unknown as TriggerFields,
      deleted: false,
    });
    expect(t.fields.notify_owner).toBe(false);
  });
});
