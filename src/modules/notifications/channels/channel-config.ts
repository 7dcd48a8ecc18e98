import { isEmail } from 'class-validator';
import { ErrorDetail, PlatformErrors } from '../../../platform/http';
import { ChannelType } from './channel-views';

/** NC-2: the keys each type takes, which are required, and which hold a URL (checked by the outbound guard). */
const SPEC: Record<ChannelType, { required: string[]; optional: string[]; urls: string[] }> = {
  slack: { required: ['channel_id'], optional: ['channel_name'], urls: [] },
  teams: { required: ['webhook_url'], optional: ['channel_name'], urls: ['webhook_url'] },
  webhook: { required: ['url'], optional: ['auth_header'], urls: ['url'] },
  email: { required: ['recipients'], optional: ['subject_prefix'], urls: [] },
};
const MAX_VALUE = 2000;
const MAX_RECIPIENTS = 50;

export interface CheckedConfig {
  /** what is stored and shown (auth_header replaced by its mask by the caller) */
  config: Record<string, string>;
  /** config keys holding destination URLs, for the outbound guard */
  urls: { field: string; url: string }[];
  /** the webhook Authorization header, when given */
  authHeader: string | null;
}

/**
 * NC-2 per-type validation: every required key present as a non-blank string, no unknown keys, Slack channel
 * ids as Slack writes them, e-mail recipients a comma-separated list of addresses. 400 `validation_failed`
 * naming each `config.<key>`.
 */
export function checkChannelConfig(type: ChannelType, raw: Record<string, unknown>): CheckedConfig {
  const spec = SPEC[type];
  const details: ErrorDetail[] = [];
  const config: Record<string, string> = {};
  for (const key of Object.keys(raw)) {
    if (![...spec.required, ...spec.optional].includes(key)) details.push({ field: `config.${key}`, reason: `is not a ${type} channel setting` });
  }
  for (const key of [...spec.required, ...spec.optional]) {
    const v = raw[key];
    if (v === undefined || v === null) {
      if (spec.required.includes(key)) details.push({ field: `config.${key}`, reason: `is required for a ${type} channel` });
      continue;
    }
    if (typeof v !== 'string') {
      details.push({ field: `config.${key}`, reason: 'must be a string' });
      continue;
    }
    const value = v.trim();
    if (!value) {
      if (spec.required.includes(key)) details.push({ field: `config.${key}`, reason: 'must not be blank' });
      continue;
    }
    if (value.length > MAX_VALUE) details.push({ field: `config.${key}`, reason: `must be at most ${MAX_VALUE} characters` });
    config[key] = value;
  }
  if (type === 'slack' && config.channel_id && !/^[CGDU][A-Z0-9]{6,20}$/.test(config.channel_id)) {
    details.push({ field: 'config.channel_id', reason: 'must be a Slack channel id such as C01ABCDEF' });
  }
  if (type === 'email' && config.recipients) {
    const list = config.recipients
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    const bad = list.filter((e) => !isEmail(e));
    if (!list.length) details.push({ field: 'config.recipients', reason: 'must list at least one e-mail address' });
    else if (bad.length) details.push({ field: 'config.recipients', reason: `not an e-mail address: ${bad.slice(0, 3).join(', ')}` });
    else if (list.length > MAX_RECIPIENTS) details.push({ field: 'config.recipients', reason: `at most ${MAX_RECIPIENTS} recipients` });
    config.recipients = list.join(', ');
  }
  if (details.length) throw PlatformErrors.error('validation_failed', `invalid ${type} channel config`, details);
  const authHeader = config.auth_header ?? null;
  delete config.auth_header;
  return { config, urls: spec.urls.filter((k) => config[k]).map((k) => ({ field: `config.${k}`, url: config[k] })), authHeader };
}
