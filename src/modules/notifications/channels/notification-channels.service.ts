import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { selectOne, selectRows, sql } from '../../../platform/database';
import { uuidv7 } from '../../../platform/event-store';
import { OutboundClient } from '../../../platform/outbound';
import { ServerKeys, maskSecret, sealSecret } from '../../../platform/security';
import { RequestContext, currentUnit, unitScope } from '../../../platform/tenancy';
import { NotificationErrors } from '../notifications.errors';
import { checkChannelConfig } from './channel-config';
import { ChannelRow, ChannelType, ChannelView, toChannelView } from './channel-views';

export interface ChannelInput {
  name?: string;
  type?: ChannelType;
  config?: Record<string, unknown>;
}

const isUuid = (id: string) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id);

/**
 * Notification channels of the active OU (NC-1..3): reusable destinations. Config is checked per type (NC-2),
 * destination URLs by the outbound guard (contracts §2); a webhook's auth_header is sealed and shown masked.
 */
@Injectable()
export class NotificationChannels {
  constructor(
    private readonly ds: DataSource,
    private readonly outbound: OutboundClient,
    private readonly keys: ServerKeys,
  ) {}

  /** Newest first. */
  async list(): Promise<ChannelView[]> {
    const rows = await selectRows<ChannelRow>(this.ds, sql`SELECT * FROM notification_channels WHERE ${unitScope()} ORDER BY created_at DESC, id DESC`);
    return rows.map(toChannelView);
  }

  /** The channel of the active OU, or 404 (another OU's channel does not exist for the caller). */
  async get(id: string, m: EntityManager = this.ds.manager): Promise<ChannelRow> {
    const row = isUuid(id) ? await selectOne<ChannelRow>(m, sql`SELECT * FROM notification_channels WHERE id = ${id} AND ${unitScope()}`) : null;
    if (!row) throw NotificationErrors.notFound('notification_channel_not_found', 'notification channel');
    return row;
  }

  /** Whether `id` names a channel of the active OU (surge and milestone triggers route to it, NC-3). */
  async existsInActiveUnit(id: string): Promise<boolean> {
    return isUuid(id) && Boolean(await selectOne(this.ds, sql`SELECT 1 FROM notification_channels WHERE id = ${id} AND ${unitScope()}`));
  }

  async create(input: Required<ChannelInput>): Promise<ChannelView> {
    const { config, secretEnc } = await this.checked(input.type, input.config, null);
    const { orgId, unitId } = currentUnit();
    const actor = RequestContext.actor();
    const id = uuidv7();
    const [row] = await selectRows<ChannelRow>(
      this.ds,
      sql`INSERT INTO notification_channels (id, org_id, unit_id, name, type, config, secret_enc, created_by, updated_by, created_at, updated_at)
          VALUES (${id}, ${orgId}, ${unitId}, ${input.name.trim()}, ${input.type}, ${JSON.stringify(config)}, ${secretEnc}, ${actor}, ${actor}, clock_timestamp(), clock_timestamp())
          RETURNING *`,
    );
    RequestContext.describe({ entityType: 'notification_channel', entityId: id, summary: `created ${input.type} notification channel '${row.name}'` });
    return toChannelView(row);
  }

  /** Given fields replace; a new type needs its config; a webhook config whose auth_header is the shown mask keeps the stored secret. */
  async update(id: string, input: ChannelInput): Promise<ChannelView> {
    return this.ds.transaction(async (m) => {
      const current = await this.get(id, m);
      const type = input.type ?? current.type;
      if (type !== current.type && !input.config) {
        throw this.configRequired(type);
      }
      let config = current.config;
      let secretEnc = current.secret_enc;
      if (input.config) ({ config, secretEnc } = await this.checked(type, input.config, current));
      const [[row]] = await selectRows<ChannelRow[]>(
        m,
        sql`UPDATE notification_channels SET name = ${input.name?.trim() ?? current.name}, type = ${type}, config = ${JSON.stringify(config)}, secret_enc = ${secretEnc},
                   updated_by = ${RequestContext.actor()}, updated_at = clock_timestamp()
             WHERE id = ${id} RETURNING *`,
      );
      RequestContext.describe({ entityType: 'notification_channel', entityId: id, summary: `updated ${type} notification channel '${row.name}'` });
      return toChannelView(row);
    });
  }

  /** Deliveries already queued keep their snapshot of the channel; triggers still naming it deliver nothing to it. */
  async remove(id: string): Promise<void> {
    const current = await this.get(id);
    await this.ds.query(`DELETE FROM notification_channels WHERE id = $1`, [id]);
    RequestContext.describe({ entityType: 'notification_channel', entityId: id, summary: `deleted ${current.type} notification channel '${current.name}'` });
  }

  private configRequired(type: string) {
    return checkChannelConfig(type as ChannelType, {}) as never;
  }

  private async checked(
    type: ChannelType,
    raw: Record<string, unknown>,
    current: ChannelRow | null,
  ): Promise<{ config: Record<string, string>; secretEnc: string | null }> {
    const checked = checkChannelConfig(type, raw);
    for (const u of checked.urls) await this.outbound.assertAllowed(u.url, u.field);
    const config = { ...checked.config };
    let secretEnc: string | null = null;
    if (checked.authHeader) {
      const keepsStored = current?.type === 'webhook' && current.secret_enc && current.config.auth_header === checked.authHeader;
      secretEnc = keepsStored ? current.secret_enc : sealSecret(this.keys.fieldEncryptionKey, checked.authHeader);
      config.auth_header = keepsStored ? checked.authHeader : maskSecret(checked.authHeader);
    }
    return { config, secretEnc };
  }
}
