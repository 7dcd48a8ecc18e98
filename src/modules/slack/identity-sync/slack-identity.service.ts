import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { selectOne, selectRows, sql } from '../../../platform/database';
import { RequestContext, currentUnit } from '../../../platform/tenancy';
import { MembersService } from '../../identity';
import { SlackWebApi } from '../client/slack-web-api';
import { SlackConnections } from '../connection/slack-connections.service';

/** users.list pages read at most (200 users each): 50,000 users. */
const MAX_PAGES = 250;

interface SlackMember {
  id: string;
  deleted?: boolean;
  is_bot?: boolean;
  profile?: { email?: string };
}

/**
 * SL-6: Slack identities of the active OU's members. "Confirmed members" are the organization members with a
 * membership in the OU; a member is mapped when it has a Slack user id (set here or by PUT /members/{id}/slack).
 */
@Injectable()
export class SlackIdentities {
  constructor(
    private readonly ds: DataSource,
    private readonly api: SlackWebApi,
    private readonly connections: SlackConnections,
    private readonly members: MembersService,
  ) {}

  async status(): Promise<{ total: number; mapped: number }> {
    const { orgId, unitId } = currentUnit();
    const row = await selectOne<{ total: number; mapped: number }>(
      this.ds,
      sql`SELECT count(*)::int AS total, count(m.slack_user_id)::int AS mapped
            FROM ou_memberships om JOIN org_members m ON m.id = om.org_member_id
           WHERE om.unit_id = ${unitId} AND m.org_id = ${orgId}`,
    );
    return row ?? { total: 0, mapped: 0 };
  }

  /**
   * Reads the workspace's users (users.list, every page; deleted users and bots left out) and maps each unmapped
   * member whose e-mail matches a Slack profile's e-mail (case-insensitive). Members already mapped are skipped
   * (not counted in matched or no_match). A Slack error while listing counts every unmapped member as an error.
   */
  async sync(): Promise<{ members_total: number; matched: number; no_match: number; errors: number }> {
    const { orgId, unitId } = currentUnit();
    const conn = await this.connections.require();
    const members = await selectRows<{ id: string; email: string; slack_user_id: string | null }>(
      this.ds,
      sql`SELECT m.id, m.email, m.slack_user_id
            FROM ou_memberships om JOIN org_members m ON m.id = om.org_member_id
           WHERE om.unit_id = ${unitId} AND m.org_id = ${orgId} ORDER BY m.created_at, m.id`,
    );
    const unmapped = members.filter((m) => !m.slack_user_id);
    const result = { members_total: members.length, matched: 0, no_match: 0, errors: 0 };
    if (!unmapped.length) return result;

    const byEmail = new Map<string, string>();
    const token = this.connections.token(conn);
    let cursor: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      const r = await this.api.call('users.list', { cursor, limit: 200 }, token);
      if (!r.answer.ok) {
        result.errors = unmapped.length;
        return result;
      }
      for (const u of (r.answer.members ?? []) as SlackMember[]) {
        const email = u.profile?.email?.trim().toLowerCase();
        if (email && !u.deleted && !u.is_bot && !byEmail.has(email)) byEmail.set(email, u.id);
      }
      cursor = ((r.answer.response_metadata ?? {}) as { next_cursor?: string }).next_cursor || undefined;
      if (!cursor) break;
    }

    for (const m of unmapped) {
      const slackId = byEmail.get(m.email.trim().toLowerCase());
      if (!slackId) {
        result.no_match++;
        continue;
      }
      try {
        await this.members.setSlackUserId(m.id, slackId);
        result.matched++;
      } catch {
        result.errors++;
      }
    }
    RequestContext.describe({
      verb: 'updated',
      entityType: 'slack_identities',
      entityId: unitId,
      summary: `synced Slack identities: ${result.matched} matched, ${result.no_match} without a match, ${result.errors} errors`,
    });
    return result;
  }
}
