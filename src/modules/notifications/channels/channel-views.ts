import { isoOrNull } from '../../../platform/http';

export const CHANNEL_TYPES = ['slack', 'teams', 'webhook', 'email'] as const;
export type ChannelType = (typeof CHANNEL_TYPES)[number];

/** A `notification_channels` row. */
export interface ChannelRow {
  id: string;
  org_id: string;
  unit_id: string;
  name: string;
  type: ChannelType;
  config: Record<string, unknown>;
  secret_enc: string | null;
  created_by: string | null;
  updated_by: string | null;
  created_at: Date | string;
  updated_at: Date | string;
}

export interface ChannelView {
  id: string;
  unit_id: string;
  name: string;
  type: ChannelType;
  config: Record<string, unknown>;
  created_at: string;
  updated_at: string;
}

/** NC-1. A webhook's auth_header is shown masked (`config.auth_header` holds the mask; the secret is sealed apart). */
export const toChannelView = (r: ChannelRow): ChannelView => ({
  id: r.id,
  unit_id: r.unit_id,
  name: r.name,
  type: r.type,
  config: r.config,
  created_at: isoOrNull(r.created_at)!,
  updated_at: isoOrNull(r.updated_at)!,
});
