import { PlatformErrors } from '../../../platform/http';
import { canonicalEventType } from '../../scoring/domain';
import { FireMode, SequenceWindowUnit, SlackTargetKind, TriggerFields, TriggerKind } from '../domain';
import { TriggerErrors } from '../triggers.errors';

/** What a create or update of any kind may carry (API field names): absent = unchanged / default, null = cleared. */
export interface TriggerInput {
  name?: string;
  description?: string;
  event_type?: string;
  score_threshold?: number;
  fire_mode?: FireMode;
  cooldown_seconds?: number;
  engagement_levels?: string[];
  event_types?: string[];
  window_seconds?: number;
  window_unit?: SequenceWindowUnit;
  ordered?: boolean;
  conditions?: { event_type: string; min_count: number }[];
  active?: boolean;
  notification_channel_id?: string | null;
  webhook_url?: string | null;
  teams_webhook_url?: string | null;
  emails?: string[];
  email_subject?: string | null;
  email_preheader?: string | null;
  email_message?: string | null;
  slack_target_kind?: SlackTargetKind | null;
  slack_target_id?: string | null;
  notify_owner?: boolean;
}

const EMPTY: TriggerFields = {
  name: '',
  description: '',
  event_type: '',
  event_type_key: '',
  score_threshold: null,
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
  notify_owner: false,
};

const invalid = (field: string, reason: string) => PlatformErrors.error('validation_failed', `${field}: ${reason}`, [{ field, reason }]);
const text = (v: string | null | undefined) => (v === undefined ? undefined : v?.trim() || null);

/** The trigger's settings after `input` (on `current`, or on the defaults for a new one); 400 naming the field when they do not hold together. */
export function triggerFieldsOf(kind: TriggerKind, input: TriggerInput, current?: TriggerFields): TriggerFields {
  const f: TriggerFields = structuredClone(current ?? EMPTY);
  const config = f.config;
  if (input.name !== undefined) f.name = input.name.trim();
  if (input.description !== undefined) f.description = input.description.trim();
  if (input.event_type !== undefined) {
    f.event_type = input.event_type.trim();
    f.event_type_key = canonicalEventType(f.event_type);
  }
  if (input.score_threshold !== undefined) f.score_threshold = input.score_threshold;
  if (input.fire_mode !== undefined) f.fire_mode = input.fire_mode;
  if (input.cooldown_seconds !== undefined) f.cooldown_seconds = input.cooldown_seconds;
  if (input.engagement_levels !== undefined) config.engagement_levels = [...new Set(input.engagement_levels.map((l) => l.trim()).filter(Boolean))];
  if (input.event_types !== undefined) {
    config.event_types = input.event_types.map((t) => t.trim());
    config.event_type_keys = config.event_types.map(canonicalEventType);
    config.event_types.forEach((t, i) => {
      if (!t) throw invalid(`event_types[${i}]`, 'must not be blank');
    });
  }
  if (input.window_seconds !== undefined) config.window_seconds = input.window_seconds;
  if (input.window_unit !== undefined) config.window_unit = input.window_unit;
  if (input.ordered !== undefined) config.ordered = input.ordered;
  if (input.conditions !== undefined) {
    config.conditions = input.conditions.map((c, i) => {
      const eventType = c.event_type.trim();
      if (!eventType) throw invalid(`conditions[${i}].event_type`, 'must not be blank');
      return { event_type: eventType, event_type_key: canonicalEventType(eventType), min_count: c.min_count };
    });
    const keys = config.conditions.map((c) => c.event_type_key);
    if (new Set(keys).size !== keys.length) throw invalid('conditions', 'each event type appears in one condition');
  }
  if (input.active !== undefined) f.active = input.active;
  if (input.notification_channel_id !== undefined) f.notification_channel_id = input.notification_channel_id;
  if (input.webhook_url !== undefined) f.webhook_url = text(input.webhook_url)!;
  if (input.teams_webhook_url !== undefined) f.teams_webhook_url = text(input.teams_webhook_url)!;
  if (input.emails !== undefined) f.emails = [...new Set(input.emails.map((e) => e.trim().toLowerCase()))];
  if (input.email_subject !== undefined) f.email_subject = text(input.email_subject)!;
  if (input.email_preheader !== undefined) f.email_preheader = text(input.email_preheader)!;
  if (input.email_message !== undefined) f.email_message = text(input.email_message)!;
  if (input.slack_target_id !== undefined) f.slack_target_id = text(input.slack_target_id)!;
  if (input.slack_target_kind !== undefined) f.slack_target_kind = input.slack_target_kind;
  if (f.slack_target_id && !f.slack_target_kind) f.slack_target_kind = 'channel';
  if (!f.slack_target_id) f.slack_target_kind = null;
  if (input.notify_owner !== undefined) f.notify_owner = input.notify_owner;

  if (kind === 'sequence') {
    if (config.ordered === undefined) config.ordered = false;
    if (!config.window_unit) config.window_unit = 'seconds';
    if (!config.ordered && new Set(config.event_type_keys).size !== config.event_type_keys?.length) {
      throw invalid('event_types', 'an unordered sequence lists each event type once');
    }
  }
  if (f.fire_mode === 'once' && input.cooldown_seconds === undefined) f.cooldown_seconds = 0;
  if (f.fire_mode === 'once' && f.cooldown_seconds > 0) throw invalid('cooldown_seconds', "applies to fire_mode 'always' only");
  if (!f.name) f.name = generatedName(kind, f);
  return f;
}

/** `Score ≥ 50 (Demo Request)`, `Sequence: A → B within 3600 s`, `Pattern: 3× A + 2× B within 600 s`. */
export function generatedName(kind: TriggerKind, f: TriggerFields): string {
  const c = f.config;
  switch (kind) {
    case 'milestone':
      return `Score ≥ ${f.score_threshold}${f.event_type ? ` (${f.event_type})` : ''}`;
    case 'sequence':
      return `Sequence: ${(c.event_types ?? []).join(c.ordered ? ' → ' : ' + ')} within ${c.window_seconds} s`;
    case 'pattern':
      return `Pattern: ${(c.conditions ?? []).map((x) => `${x.min_count}× ${x.event_type}`).join(' + ')} within ${c.window_seconds} s`;
  }
}

export const notFound = (kind: TriggerKind) =>
  kind === 'milestone'
    ? TriggerErrors.notFound('trigger_not_found', 'milestone trigger')
    : kind === 'sequence'
      ? TriggerErrors.notFound('sequence_not_found', 'sequence trigger')
      : TriggerErrors.notFound('pattern_trigger_not_found', 'pattern trigger');
