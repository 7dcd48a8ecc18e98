import { Metadata, readMetadataValue } from './metadata-path';

/** EVT-6 / ACT-3: the closed set an activity stream can be filtered by. */
export const CHANNELS = ['web', 'email', 'slack', 'webinar', 'crm', 'system'] as const;
export type Channel = (typeof CHANNELS)[number];

// A Map, not an object literal: a source named "constructor" must not find Object.prototype.
const SOURCE_CHANNELS: ReadonlyMap<string, Channel> = new Map(
  Object.entries({
    hubspot: 'crm',
    salesforce: 'crm',
    pipedrive: 'crm',
    dynamics: 'crm',
    zoho: 'crm',
    email: 'email',
    mailchimp: 'email',
    sendgrid: 'email',
    marketo: 'email',
    mailgun: 'email',
    postmark: 'email',
    slack: 'slack',
    zoom: 'webinar',
    webinar: 'webinar',
    on24: 'webinar',
    gotowebinar: 'webinar',
    webex: 'webinar',
    web: 'web',
    crm: 'crm',
    system: 'system',
  } satisfies Record<string, Channel>),
);

function isChannel(value: string): value is Channel {
  return (CHANNELS as readonly string[]).includes(value);
}

function normalised(value: unknown): string {
  return typeof value === 'string' ? value.trim().toLowerCase() : '';
}

/**
 * EVT-6 suggested default: an explicit `metadata.channel`, else a mapping of `metadata.source`, else `web`.
 * A channel outside the closed set is treated as absent (and the source consulted) rather than stored, so
 * the channel filter's enum stays exhaustive.
 */
export function deriveChannel(metadata: Metadata | null | undefined): Channel {
  const explicit = normalised(readMetadataValue(metadata, 'channel'));
  if (isChannel(explicit)) return explicit;
  return SOURCE_CHANNELS.get(normalised(readMetadataValue(metadata, 'source'))) ?? 'web';
}
