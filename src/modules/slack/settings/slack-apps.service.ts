import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock } from '../../../platform/clock';
import { execute, selectOne, sql } from '../../../platform/database';
import { ServerKeys, openSecret, sealSecret } from '../../../platform/security';
import { RequestContext, orgScope } from '../../../platform/tenancy';

export interface SlackAppCredentials {
  clientId: string;
  clientSecret: string;
}

/** The organization's Slack app credentials (SL-1): the client secret sealed with the server's field key, never returned. */
@Injectable()
export class SlackApps {
  constructor(
    private readonly ds: DataSource,
    private readonly keys: ServerKeys,
    private readonly clock: Clock,
  ) {}

  async configured(): Promise<boolean> {
    return Boolean(await selectOne(this.ds, sql`SELECT 1 FROM slack_apps WHERE ${orgScope()}`));
  }

  async put(clientId: string, clientSecret: string): Promise<void> {
    const orgId = RequestContext.orgId();
    await execute(
      this.ds,
      sql`INSERT INTO slack_apps (org_id, client_id, client_secret_enc, updated_by, updated_at)
          VALUES (${orgId}, ${clientId}, ${sealSecret(this.keys.fieldEncryptionKey, clientSecret)}, ${RequestContext.actor()}, ${this.clock.now()})
          ON CONFLICT (org_id) DO UPDATE SET client_id = excluded.client_id, client_secret_enc = excluded.client_secret_enc,
                 updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
    );
    RequestContext.describe({ entityType: 'slack_app', entityId: orgId, summary: `set the Slack app credentials (client id ${clientId})` });
  }

  /** The credentials of an organization, or null when none are saved. */
  async credentials(orgId: string): Promise<SlackAppCredentials | null> {
    const row = await selectOne<{ client_id: string; client_secret_enc: string }>(
      this.ds,
      sql`SELECT client_id, client_secret_enc FROM slack_apps WHERE ${orgScope(undefined, orgId)}`,
    );
    return row ? { clientId: row.client_id, clientSecret: openSecret(this.keys.fieldEncryptionKey, row.client_secret_enc) } : null;
  }
}
