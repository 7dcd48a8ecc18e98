import { Injectable } from '@nestjs/common';
import { createHash, randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { Clock } from '../clock';
import { execute, raw, selectRows, sql } from '../database';
import { Principal, RequestContext } from '../tenancy';

/** contracts §3/§4: an OAuth install state lives 10 minutes and is used once. */
export const OAUTH_STATE_TTL_MS = 10 * 60 * 1000;

/**
 * A table of OAuth states: `state_hash` (PK), `org_id`, `unit_id`, `principal` (jsonb), `created_at`, `expires_at`,
 * `used_at` (slack_oauth_states, hubspot_oauth_states). Named by the integration that owns it.
 */
export type OAuthStateTable = 'slack_oauth_states' | 'hubspot_oauth_states';

/** The OU and the member an OAuth state was issued to. */
export interface ClaimedOAuthState {
  org_id: string;
  unit_id: string;
  principal: Principal;
}

const hashState = (state: string) => createHash('sha256').update(state).digest('hex');

/**
 * OAuth install states shared by the integrations (Slack, HubSpot): a random value handed to the provider, stored
 * only as its SHA-256, bound to the OU and the member who started the install, expiring after 10 minutes and spent
 * by the first callback that presents it. `claim` also makes the callback's request context that member's, so the
 * install is audited as them.
 */
@Injectable()
export class OAuthStates {
  constructor(
    private readonly ds: DataSource,
    private readonly clock: Clock,
  ) {}

  /** A new state for the active OU and the caller (spent and expired states of the table are dropped on the way). */
  async issue(table: OAuthStateTable, orgId: string, unitId: string): Promise<string> {
    const state = randomBytes(32).toString('base64url');
    const now = this.clock.now();
    const p = RequestContext.principal();
    const principal: Principal = {
      type: p.type,
      id: p.id,
      orgId: p.orgId,
      memberId: p.memberId,
      email: p.email,
      orgRole: p.orgRole,
      activeOuKey: p.activeOuKey,
    };
    await execute(
      this.ds,
      sql`INSERT INTO ${raw(table)} (state_hash, org_id, unit_id, principal, created_at, expires_at)
          VALUES (${hashState(state)}, ${orgId}, ${unitId}, ${JSON.stringify(principal)}::jsonb, ${now}, ${new Date(now.getTime() + OAUTH_STATE_TTL_MS)})`,
    );
    await execute(this.ds, sql`DELETE FROM ${raw(table)} WHERE expires_at < ${new Date(now.getTime() - OAUTH_STATE_TTL_MS)}`);
    return state;
  }

  /**
   * Spends a state: the OU and member it was issued to, or null when it is unknown, used or expired. The request
   * context becomes that member's in that OU.
   */
  async claim(table: OAuthStateTable, state: string): Promise<ClaimedOAuthState | null> {
    const now = this.clock.now();
    // an UPDATE … RETURNING through TypeORM answers [rows, affected]
    const [rows] = await selectRows<ClaimedOAuthState[]>(
      this.ds,
      sql`UPDATE ${raw(table)} SET used_at = ${now}
           WHERE state_hash = ${hashState(state)} AND used_at IS NULL AND expires_at > ${now}
       RETURNING org_id, unit_id, principal`,
    );
    const claimed = rows?.[0];
    if (!claimed) return null;
    const ctx = RequestContext.current();
    if (ctx) {
      ctx.principal = claimed.principal;
      ctx.orgId = claimed.org_id;
      ctx.unitId = claimed.unit_id;
    }
    return claimed;
  }
}
