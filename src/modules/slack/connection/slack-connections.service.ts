import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppConfig } from '../../../config/app-config';
import { Clock } from '../../../platform/clock';
import { execute, selectOne, sql } from '../../../platform/database';
import { OAuthStates, ServerKeys, openSecret, sealSecret } from '../../../platform/security';
import { RequestContext, currentUnit, unitOnly } from '../../../platform/tenancy';
import { SlackAnswer, SlackCallResult, SlackWebApi } from '../client/slack-web-api';
import { classifySlackFailure } from '../domain/slack-error-class';
import { SlackApps } from '../settings/slack-apps.service';
import { SlackErrors } from '../slack.errors';

/** OAuth scopes the bot asks for: post (also to public channels it was not invited to), list channels and users, DM, match e-mails. */
export const SLACK_BOT_SCOPES = ['chat:write', 'chat:write.public', 'channels:read', 'groups:read', 'im:write', 'users:read', 'users:read.email'];

export type SlackTargetKind = 'channel' | 'user';

export interface ConnectionRow {
  unit_id: string;
  org_id: string;
  team_id: string;
  team_name: string | null;
  bot_user_id: string | null;
  bot_token_enc: string;
  default_target_kind: SlackTargetKind | null;
  default_target_id: string | null;
  publish_notifications: boolean;
  updated_at: Date;
}

export interface SlackStatusView {
  connected: boolean;
  team_name: string | null;
  team_id: string | null;
  bot_user_id: string | null;
  updated_at: string | null;
  default_target_kind: SlackTargetKind | null;
  default_target_id: string | null;
  authorize_url: string | null;
}

/**
 * The active OU's Slack connection (SL-2..5): install (single-use expiring state bound to the OU and the member),
 * OAuth callback (code exchanged with oauth.v2.access, bot token sealed), status, disconnect, channel and user lists
 * proxied with Slack's cursor, default target, test message, publish opt-in. Workers reach a connection by OU id.
 */
@Injectable()
export class SlackConnections {
  constructor(
    private readonly ds: DataSource,
    private readonly keys: ServerKeys,
    private readonly clock: Clock,
    private readonly config: AppConfig,
    private readonly api: SlackWebApi,
    private readonly apps: SlackApps,
    private readonly states: OAuthStates,
  ) {}

  private get redirectUri(): string {
    return `${this.config.env.KENBUN_PUBLIC_URL.replace(/\/+$/, '')}/slack/oauth/callback`;
  }

  private get appUrl(): string {
    return (this.config.env.KENBUN_APP_URL || this.config.env.KENBUN_PUBLIC_URL).replace(/\/+$/, '');
  }

  async status(): Promise<SlackStatusView> {
    const row = await this.find(RequestContext.unitId());
    const configured = await this.apps.configured();
    return {
      connected: Boolean(row),
      team_name: row?.team_name ?? null,
      team_id: row?.team_id ?? null,
      bot_user_id: row?.bot_user_id ?? null,
      updated_at: row ? new Date(row.updated_at).toISOString() : null,
      default_target_kind: row?.default_target_kind ?? null,
      default_target_id: row?.default_target_id ?? null,
      // where a browser starts (or redoes) the install; no state is spent until it is followed
      authorize_url: configured ? `${this.config.env.KENBUN_PUBLIC_URL.replace(/\/+$/, '')}/settings/ou/slack/install` : null,
    };
  }

  /** SL-2 initiate: a new single-use state for the active OU and the caller, and Slack's authorize URL carrying it. */
  async begin(): Promise<string> {
    const { orgId, unitId } = currentUnit();
    const app = await this.apps.credentials(orgId);
    if (!app) throw SlackErrors.error('slack_app_not_configured', 'the organization has no Slack app credentials: PUT /settings/slack first');
    const state = await this.states.issue('slack_oauth_states', orgId, unitId);
    RequestContext.describe({ verb: 'created', entityType: 'slack_connection', entityId: unitId, summary: 'started the Slack installation' });
    const url = new URL(this.config.env.SLACK_AUTHORIZE_URL);
    url.searchParams.set('client_id', app.clientId);
    url.searchParams.set('scope', SLACK_BOT_SCOPES.join(','));
    url.searchParams.set('redirect_uri', this.redirectUri);
    url.searchParams.set('state', state);
    return url.toString();
  }

  /**
   * SL-2 callback (no credential): spends the state (unknown, used or expired → 400), exchanges the code, stores
   * the connection with its sealed bot token, and answers where to send the browser. The install is audited as the
   * member who started it.
   */
  async complete(q: { state: string; code?: string; error?: string }): Promise<string> {
    const claimed = await this.states.claim('slack_oauth_states', q.state);
    if (!claimed) throw SlackErrors.error('slack_oauth_state_invalid', 'unknown, used or expired OAuth state: start the installation again');
    const now = this.clock.now();
    const back = `${this.appUrl}/settings/integrations`;
    if (q.error || !q.code) {
      RequestContext.describe({
        verb: 'updated',
        entityType: 'slack_connection',
        entityId: claimed.unit_id,
        summary: `cancelled the Slack installation (${q.error ?? 'no code'})`,
      });
      return `${back}?slack_error=${encodeURIComponent(q.error ?? 'missing_code')}`;
    }
    const app = await this.apps.credentials(claimed.org_id);
    if (!app) throw SlackErrors.error('slack_app_not_configured', 'the organization has no Slack app credentials: PUT /settings/slack first');
    const { answer } = await this.api.call('oauth.v2.access', {
      client_id: app.clientId,
      client_secret: app.clientSecret,
      code: q.code,
      redirect_uri: this.redirectUri,
    });
    const token = typeof answer.access_token === 'string' ? answer.access_token : null;
    const team = (answer.team ?? {}) as { id?: string; name?: string };
    if (!answer.ok || !token || !team.id) {
      throw SlackErrors.error('slack_oauth_failed', `Slack refused the installation: ${answer.error ?? 'no bot token in the answer'}`, [
        { field: 'code', reason: String(answer.error ?? 'no_bot_token') },
      ]);
    }
    await execute(
      this.ds,
      sql`INSERT INTO slack_connections (unit_id, org_id, team_id, team_name, bot_user_id, app_id, scope, bot_token_enc, installed_by, created_at, updated_at)
          VALUES (${claimed.unit_id}, ${claimed.org_id}, ${team.id}, ${team.name ?? null}, ${str(answer.bot_user_id)}, ${str(answer.app_id)}, ${str(answer.scope)},
                  ${sealSecret(this.keys.fieldEncryptionKey, token)}, ${claimed.principal.email ?? claimed.principal.id}, ${now}, ${now})
          ON CONFLICT (unit_id) DO UPDATE SET team_id = excluded.team_id, team_name = excluded.team_name, bot_user_id = excluded.bot_user_id,
                 app_id = excluded.app_id, scope = excluded.scope, bot_token_enc = excluded.bot_token_enc, installed_by = excluded.installed_by,
                 updated_at = excluded.updated_at,
                 -- another workspace: the old default target means nothing there
                 default_target_kind = CASE WHEN slack_connections.team_id = excluded.team_id THEN slack_connections.default_target_kind END,
                 default_target_id = CASE WHEN slack_connections.team_id = excluded.team_id THEN slack_connections.default_target_id END`,
    );
    RequestContext.describe({
      verb: 'created',
      entityType: 'slack_connection',
      entityId: claimed.unit_id,
      summary: `connected the Slack workspace '${team.name ?? team.id}'`,
    });
    return back;
  }

  /** SL-2 disconnect: the connection and its token are deleted (404 when there is none). */
  async disconnect(): Promise<void> {
    const unitId = RequestContext.unitId();
    const row = await this.require();
    await execute(this.ds, sql`DELETE FROM slack_connections WHERE ${unitOnly(undefined, unitId)}`);
    RequestContext.describe({
      entityType: 'slack_connection',
      entityId: unitId,
      summary: `disconnected the Slack workspace '${row.team_name ?? row.team_id}'`,
    });
  }

  /** SL-3: conversations.list as Slack answers it (cursor and limit passed through). */
  async channels(q: { types?: string; cursor?: string; limit?: number; exclude_archived?: boolean }): Promise<SlackAnswer> {
    const row = await this.require();
    return this.answerOf(
      await this.api.call(
        'conversations.list',
        { types: q.types ?? 'public_channel,private_channel', cursor: q.cursor, limit: q.limit ?? 200, exclude_archived: q.exclude_archived ?? true },
        this.token(row),
      ),
    );
  }

  /** SL-3: users.list as Slack answers it (cursor and limit passed through). */
  async users(q: { cursor?: string; limit?: number }): Promise<SlackAnswer> {
    const row = await this.require();
    return this.answerOf(await this.api.call('users.list', { cursor: q.cursor, limit: q.limit ?? 200 }, this.token(row)));
  }

  /** SL-4: the default target of the active OU's notifications. */
  async setDefaultTarget(kind: SlackTargetKind, id: string): Promise<SlackStatusView> {
    const unitId = RequestContext.unitId();
    await this.require();
    await execute(
      this.ds,
      sql`UPDATE slack_connections SET default_target_kind = ${kind}, default_target_id = ${id}, updated_at = ${this.clock.now()} WHERE ${unitOnly(undefined, unitId)}`,
    );
    RequestContext.describe({ entityType: 'slack_connection', entityId: unitId, summary: `set the default Slack target to ${kind} ${id}` });
    return this.status();
  }

  /** SL-4: a test message to a channel, or to a user (a DM is opened first). */
  async test(kind: SlackTargetKind, id: string, text?: string): Promise<{ message: string }> {
    const unitId = RequestContext.unitId();
    const row = await this.require();
    const body = text?.trim() ? text : 'Test message from kenbun: Slack notifications of this organizational unit arrive here.';
    this.answerOf(await this.post(this.token(row), kind, id, body));
    RequestContext.describe({ verb: 'created', entityType: 'slack_test_message', entityId: unitId, summary: `sent a Slack test message to ${kind} ${id}` });
    return { message: `Test message sent to ${kind} ${id}` };
  }

  /** SL-5: false when not connected. */
  async publishNotifications(): Promise<{ enabled: boolean }> {
    return { enabled: (await this.find(RequestContext.unitId()))?.publish_notifications ?? false };
  }

  async setPublishNotifications(enabled: boolean): Promise<{ enabled: boolean }> {
    const unitId = RequestContext.unitId();
    await this.require();
    await execute(
      this.ds,
      sql`UPDATE slack_connections SET publish_notifications = ${enabled}, updated_at = ${this.clock.now()} WHERE ${unitOnly(undefined, unitId)}`,
    );
    RequestContext.describe({
      entityType: 'slack_connection',
      entityId: unitId,
      summary: `${enabled ? 'turned on' : 'turned off'} Slack posts on ruleset publish`,
    });
    return { enabled };
  }

  // ——— for the delivery sender, the identity sync and owner DMs ———

  async find(unitId: string): Promise<ConnectionRow | undefined> {
    return selectOne<ConnectionRow>(this.ds, sql`SELECT * FROM slack_connections WHERE ${unitOnly(undefined, unitId)}`);
  }

  /** The active OU's connection, or 404 slack_connection_not_found. */
  async require(): Promise<ConnectionRow> {
    const row = await this.find(RequestContext.unitId());
    if (!row) throw SlackErrors.error('slack_connection_not_found', 'this organizational unit is not connected to Slack: install the Slack app first');
    return row;
  }

  token(row: ConnectionRow): string {
    return openSecret(this.keys.fieldEncryptionKey, row.bot_token_enc);
  }

  /** chat.postMessage to a channel id, or to a user after conversations.open (their DM with the bot). */
  async post(token: string, kind: SlackTargetKind, id: string, text: string): Promise<SlackCallResult> {
    let channel = id;
    if (kind === 'user') {
      const opened = await this.api.call('conversations.open', { users: id }, token);
      const ch = (opened.answer.channel ?? {}) as { id?: string };
      if (!opened.answer.ok || !ch.id) return opened.answer.ok ? { ...opened, answer: { ok: false, error: 'no_dm_channel' } } : opened;
      channel = ch.id;
    }
    return this.api.call('chat.postMessage', { channel, text, unfurl_links: false, unfurl_media: false }, token);
  }

  /** A Slack answer for an HTTP caller: ok → as is; Slack trouble → 502 slack_unavailable; refused → 400 slack_rejected. */
  answerOf(r: SlackCallResult): SlackAnswer {
    if (r.answer.ok) return r.answer;
    const error = String(r.answer.error ?? 'unknown_error');
    const details = [{ field: 'slack', reason: error }];
    if (classifySlackFailure(r.httpStatus, error) === 'retry')
      throw SlackErrors.error('slack_unavailable', `Slack did not answer the request: ${error}`, details);
    throw SlackErrors.error('slack_rejected', `Slack refused the request: ${error}`, details);
  }
}

function str(v: unknown): string | null {
  return typeof v === 'string' && v ? v : null;
}
