import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppConfig } from '../../../config/app-config';
import { Clock } from '../../../platform/clock';
import { execute, selectOne, sql } from '../../../platform/database';
import { OAuthStates, ServerKeys, openSecret, sealSecret } from '../../../platform/security';
import { RequestContext, currentUnit } from '../../../platform/tenancy';
import { HubSpotApi, HubSpotHttpError, HubSpotTokens } from '../client/hubspot-api';
import { EngagementType } from '../domain';
import { HubSpotErrors } from '../hubspot.errors';

/** OAuth scopes asked for: read contacts, companies and deals (engagements are read through the same CRM scopes). */
export const HUBSPOT_SCOPES = ['oauth', 'crm.objects.contacts.read', 'crm.objects.companies.read', 'crm.objects.deals.read'];
/** An access token is refreshed when it has less than this left. */
const REFRESH_MARGIN_MS = 5 * 60 * 1000;

export type AppMode = 'shared' | 'byo' | 'unconfigured';

export interface HubSpotConnectionRow {
  unit_id: string;
  org_id: string;
  status: 'connected' | 'broken' | 'disconnected';
  client_id: string | null;
  client_secret_enc: string | null;
  hub_id: string | null;
  access_token_enc: string | null;
  refresh_token_enc: string | null;
  token_expires_at: Date | null;
  engagement_types: EngagementType[];
  include_engagement_history: boolean;
  engagement_history_synced: boolean;
  engagement_history_synced_at: Date | null;
  last_sync_at: Date | null;
  last_error: string | null;
}

interface OAuthApp {
  mode: 'shared' | 'byo';
  clientId: string;
  clientSecret: string;
}

/**
 * The active OU's HubSpot connection (HS-3..6, contracts §4): BYO app credentials (secret sealed), the OAuth connect
 * (single-use expiring state bound to the OU and the member, the shared OAuthStates store) and its callback (code
 * exchanged at `/oauth/v1/token`, tokens sealed), the engagement preferences, and for the sync an access token that
 * is refreshed before it expires. HubSpot refusing a refresh (revoked app) marks the connection `broken`.
 */
@Injectable()
export class HubSpotConnections {
  private readonly log = new Logger('HubSpot');

  constructor(
    private readonly ds: DataSource,
    private readonly keys: ServerKeys,
    private readonly clock: Clock,
    private readonly config: AppConfig,
    private readonly api: HubSpotApi,
    private readonly states: OAuthStates,
  ) {}

  private get redirectUri(): string {
    return `${this.config.env.KENBUN_PUBLIC_URL.replace(/\/+$/, '')}/hubspot/oauth/callback`;
  }

  private get appUrl(): string {
    return (this.config.env.KENBUN_APP_URL || this.config.env.KENBUN_PUBLIC_URL).replace(/\/+$/, '');
  }

  async find(unitId: string): Promise<HubSpotConnectionRow | undefined> {
    return selectOne<HubSpotConnectionRow>(this.ds, sql`SELECT * FROM hubspot_connections WHERE unit_id = ${unitId}`);
  }

  private sharedApp(): OAuthApp | null {
    const { HUBSPOT_CLIENT_ID: id, HUBSPOT_CLIENT_SECRET: secret } = this.config.env;
    return id && secret ? { mode: 'shared', clientId: id, clientSecret: secret } : null;
  }

  /** HS-4: BYO credentials when saved, else the shared app, else none. */
  appOf(row: Pick<HubSpotConnectionRow, 'client_id' | 'client_secret_enc'> | undefined): OAuthApp | null {
    if (row?.client_id && row.client_secret_enc) {
      return { mode: 'byo', clientId: row.client_id, clientSecret: openSecret(this.keys.fieldEncryptionKey, row.client_secret_enc) };
    }
    return this.sharedApp();
  }

  appMode(row: HubSpotConnectionRow | undefined): AppMode {
    if (row?.client_id && row.client_secret_enc) return 'byo';
    return this.sharedApp() ? 'shared' : 'unconfigured';
  }

  /** HS-3. */
  async status(): Promise<{
    connected: boolean;
    status: string;
    app_mode: AppMode;
    has_credentials: boolean;
    portal_id: string | null;
    last_synced_at: string | null;
    last_error: string | null;
  }> {
    const row = await this.find(RequestContext.unitId());
    return {
      connected: row?.status === 'connected',
      status: row?.status ?? 'disconnected',
      app_mode: this.appMode(row),
      has_credentials: Boolean(row?.client_id && row.client_secret_enc),
      portal_id: row?.hub_id ?? null,
      last_synced_at: row?.last_sync_at ? new Date(row.last_sync_at).toISOString() : null,
      last_error: row?.last_error ?? null,
    };
  }

  /** A row for the active OU (preferences and credentials may be saved before connecting). */
  private async ensureRow(orgId: string, unitId: string): Promise<void> {
    const now = this.clock.now();
    await execute(
      this.ds,
      sql`INSERT INTO hubspot_connections (unit_id, org_id, created_at, updated_at) VALUES (${unitId}, ${orgId}, ${now}, ${now}) ON CONFLICT (unit_id) DO NOTHING`,
    );
  }

  /** HS-5: BYO credentials (secret sealed); the connection now uses them (`byo`). */
  async saveCredentials(clientId: string, clientSecret: string): Promise<{ status: 'saved'; app_mode: 'byo' }> {
    const { orgId, unitId } = currentUnit();
    await this.ensureRow(orgId, unitId);
    await execute(
      this.ds,
      sql`UPDATE hubspot_connections SET client_id = ${clientId}, client_secret_enc = ${sealSecret(this.keys.fieldEncryptionKey, clientSecret)},
             updated_at = ${this.clock.now()} WHERE unit_id = ${unitId}`,
    );
    RequestContext.describe({
      verb: 'update',
      entityType: 'hubspot_connection',
      entityId: unitId,
      summary: `saved BYO HubSpot app credentials (client id ${clientId})`,
    });
    return { status: 'saved', app_mode: 'byo' };
  }

  /**
   * HS-5: the BYO credentials are removed, and with them the tokens HubSpot issued to that app (the OU re-authorises
   * through the shared app). Synced contacts, deals, events and scores stay.
   */
  async clearCredentials(): Promise<{ status: 'cleared'; app_mode: AppMode }> {
    const { unitId } = currentUnit();
    const row = await this.find(unitId);
    if (row?.client_id) {
      await execute(
        this.ds,
        sql`UPDATE hubspot_connections SET client_id = NULL, client_secret_enc = NULL, access_token_enc = NULL, refresh_token_enc = NULL,
               token_expires_at = NULL, status = 'disconnected', updated_at = ${this.clock.now()} WHERE unit_id = ${unitId}`,
      );
    }
    RequestContext.describe({ verb: 'delete', entityType: 'hubspot_connection', entityId: unitId, summary: 'cleared the BYO HubSpot app credentials' });
    // the spec's answer names `shared`; without a shared app the OU is in fact unconfigured, and says so
    return { status: 'cleared', app_mode: this.sharedApp() ? 'shared' : 'unconfigured' };
  }

  /** HS-4: the authorize URL with a single-use state for the active OU and the caller; 412 when no app is available. */
  async initiate(): Promise<{ authorize_url: string; url: string; app_mode: 'shared' | 'byo' }> {
    const { orgId, unitId } = currentUnit();
    const app = this.appOf(await this.find(unitId));
    if (!app) {
      throw HubSpotErrors.error(
        'hubspot_app_not_configured',
        'no HubSpot OAuth app is available: save BYO credentials with POST /settings/ou/hubspot/credentials (or configure the shared app)',
      );
    }
    const state = await this.states.issue('hubspot_oauth_states', orgId, unitId);
    RequestContext.describe({
      verb: 'create',
      entityType: 'hubspot_connection',
      entityId: unitId,
      summary: `started the HubSpot connection (${app.mode} app)`,
    });
    const url = new URL(this.config.env.HUBSPOT_AUTHORIZE_URL);
    url.searchParams.set('client_id', app.clientId);
    url.searchParams.set('scope', HUBSPOT_SCOPES.join(' '));
    url.searchParams.set('redirect_uri', this.redirectUri);
    url.searchParams.set('state', state);
    return { authorize_url: url.toString(), url: url.toString(), app_mode: app.mode };
  }

  /**
   * The OAuth callback (no credential): spends the state (unknown, used or expired → 400), exchanges the code with the
   * app the OU uses now, stores the tokens sealed and the portal, and answers where to send the browser.
   */
  async complete(q: { state: string; code?: string; error?: string }): Promise<string> {
    const claimed = await this.states.claim('hubspot_oauth_states', q.state);
    if (!claimed) throw HubSpotErrors.error('hubspot_oauth_state_invalid', 'unknown, used or expired OAuth state: start the HubSpot connection again');
    const back = `${this.appUrl}/settings/integrations`;
    if (q.error || !q.code) {
      RequestContext.describe({
        verb: 'update',
        entityType: 'hubspot_connection',
        entityId: claimed.unit_id,
        summary: `cancelled the HubSpot connection (${q.error ?? 'no code'})`,
      });
      return `${back}?hubspot_error=${encodeURIComponent(q.error ?? 'missing_code')}`;
    }
    await this.ensureRow(claimed.org_id, claimed.unit_id);
    const app = this.appOf(await this.find(claimed.unit_id));
    if (!app) throw HubSpotErrors.error('hubspot_app_not_configured', 'no HubSpot OAuth app is available any more: save BYO credentials again');
    let tokens: HubSpotTokens;
    try {
      tokens = await this.api.token({
        grant_type: 'authorization_code',
        client_id: app.clientId,
        client_secret: app.clientSecret,
        redirect_uri: this.redirectUri,
        code: q.code,
      });
    } catch (err) {
      const e = err as HubSpotHttpError;
      if (e.status !== null && e.status !== undefined && e.status < 500) {
        throw HubSpotErrors.error('hubspot_oauth_failed', `HubSpot refused the authorization code: ${e.code}`, [{ field: 'code', reason: e.code }]);
      }
      throw HubSpotErrors.error('hubspot_unavailable', `HubSpot did not answer the token exchange: ${e.message}`);
    }
    await this.storeTokens(claimed.unit_id, tokens);
    RequestContext.describe({
      verb: 'create',
      entityType: 'hubspot_connection',
      entityId: claimed.unit_id,
      summary: `connected HubSpot portal ${tokens.hub_id ?? 'unknown'} (${app.mode} app)`,
    });
    return back;
  }

  private async storeTokens(unitId: string, t: HubSpotTokens): Promise<void> {
    const now = this.clock.now();
    const key = this.keys.fieldEncryptionKey;
    await execute(
      this.ds,
      sql`UPDATE hubspot_connections SET status = 'connected', access_token_enc = ${sealSecret(key, t.access_token)},
             refresh_token_enc = ${sealSecret(key, t.refresh_token)}, token_expires_at = ${new Date(now.getTime() + t.expires_in * 1000)},
             hub_id = coalesce(${t.hub_id !== undefined ? String(t.hub_id) : null}, hub_id), scopes = ${HUBSPOT_SCOPES}::text[], last_error = NULL,
             updated_at = ${now}
           WHERE unit_id = ${unitId}`,
    );
  }

  /**
   * For the sync: a valid access token of a connected OU, refreshed first when it expires within 5 minutes (or
   * `force`, after HubSpot answered 401). A refused refresh (invalid_grant, 401) marks the connection broken and throws.
   */
  async accessToken(unitId: string, force = false): Promise<string> {
    const row = await this.find(unitId);
    if (!row || row.status !== 'connected' || !row.refresh_token_enc) {
      throw HubSpotErrors.error('hubspot_connection_not_found', 'this organizational unit is not connected to HubSpot');
    }
    const expires = row.token_expires_at ? new Date(row.token_expires_at).getTime() : 0;
    if (!force && row.access_token_enc && expires - this.clock.now().getTime() > REFRESH_MARGIN_MS) {
      return openSecret(this.keys.fieldEncryptionKey, row.access_token_enc);
    }
    const app = this.appOf(row);
    if (!app) {
      await this.markBroken(unitId, 'no HubSpot OAuth app is available to refresh the token');
      throw HubSpotErrors.error('hubspot_connection_not_found', 'no HubSpot OAuth app is available to refresh the token');
    }
    try {
      const tokens = await this.api.token({
        grant_type: 'refresh_token',
        client_id: app.clientId,
        client_secret: app.clientSecret,
        redirect_uri: this.redirectUri,
        refresh_token: openSecret(this.keys.fieldEncryptionKey, row.refresh_token_enc),
      });
      await this.storeTokens(unitId, tokens);
      return tokens.access_token;
    } catch (err) {
      if (err instanceof HubSpotHttpError && (err.revoked || (err.status !== null && err.status >= 400 && err.status < 500))) {
        await this.markBroken(unitId, `HubSpot refused the token refresh (${err.code}): re-connect HubSpot`);
      }
      throw err;
    }
  }

  /** HubSpot revoked the app or its tokens: the connection is `broken` (shown by the status) until re-authorised. */
  async markBroken(unitId: string, reason: string): Promise<void> {
    this.log.warn({ msg: 'HubSpot connection broken', unit_id: unitId, reason });
    await execute(
      this.ds,
      sql`UPDATE hubspot_connections SET status = 'broken', last_error = ${reason.slice(0, 500)}, updated_at = ${this.clock.now()} WHERE unit_id = ${unitId}`,
    );
  }

  /** HS-1: preferences for future syncs (stored before connecting too). */
  async setEngagementTypes(
    types: EngagementType[],
    includeHistory: boolean | undefined,
  ): Promise<{ engagement_types: EngagementType[]; include_engagement_history: boolean }> {
    const { orgId, unitId } = currentUnit();
    await this.ensureRow(orgId, unitId);
    const unique = [...new Set(types)];
    const [rows] = await this.ds.query(
      `UPDATE hubspot_connections SET engagement_types = $2::text[], include_engagement_history = coalesce($3, include_engagement_history), updated_at = $4
        WHERE unit_id = $1 RETURNING engagement_types, include_engagement_history`,
      [unitId, unique, includeHistory ?? null, this.clock.now().toISOString()],
    );
    const row = rows[0] as { engagement_types: EngagementType[]; include_engagement_history: boolean };
    RequestContext.describe({
      verb: 'update',
      entityType: 'hubspot_connection',
      entityId: unitId,
      summary: `set the HubSpot engagement types to [${unique.join(', ')}]${includeHistory !== undefined ? `, engagement history ${includeHistory ? 'on' : 'off'}` : ''}`,
    });
    return { engagement_types: row.engagement_types, include_engagement_history: row.include_engagement_history };
  }

  /** HS-6. */
  async engagementStatus(): Promise<{
    engagement_types: EngagementType[];
    include_engagement_history: boolean;
    engagement_history_synced: boolean;
    engagement_history_synced_at: string | null;
  }> {
    const row = await this.find(RequestContext.unitId());
    return {
      engagement_types: row?.engagement_types ?? [],
      include_engagement_history: row?.include_engagement_history ?? false,
      engagement_history_synced: row?.engagement_history_synced ?? false,
      engagement_history_synced_at: row?.engagement_history_synced_at ? new Date(row.engagement_history_synced_at).toISOString() : null,
    };
  }
}
