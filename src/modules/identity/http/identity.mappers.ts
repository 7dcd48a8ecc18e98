import { OuRole } from '../../../platform/tenancy';
import { maskSlackId } from '../domain/credentials';
import { OrgMember } from '../entities/org-member.entity';
import { OrgUnit } from '../entities/org-unit.entity';
import { PersonalAccessToken } from '../entities/personal-access-token.entity';
import { ServiceAccount } from '../entities/service-account.entity';
import { MemberDto, MemberListItemDto } from './members.dto';
import { UnitDto } from './org-units.dto';
import { SecretDto } from './secrets.dto';
import { TokenDto } from './tokens.dto';

import { isoOrNull as iso } from '../../../platform/http';

export const toUnit = (u: OrgUnit): UnitDto => ({ unit_id: u.id, name: u.name, slug: u.slug });

export const toMember = (m: OrgMember): MemberDto => ({
  org_member_id: m.id,
  first_name: m.firstName,
  last_name: m.lastName,
  email: m.email,
  role: m.role,
});

export const toMemberListItem = (m: OrgMember): MemberListItemDto => ({
  ...toMember(m),
  verified: m.verified,
  slack_user_id: maskSlackId(m.slackUserId),
  created_at: iso(m.createdAt)!,
});

export const toSecret = (s: ServiceAccount): SecretDto => ({
  secret_id: s.id,
  client_id: s.clientId,
  name: s.name,
  created_at: iso(s.createdAt)!,
  last_used_at: iso(s.lastUsedAt),
});

export const toToken = (t: PersonalAccessToken): TokenDto => ({
  id: t.id,
  name: t.name,
  token_prefix: t.tokenPrefix,
  created_at: iso(t.createdAt)!,
  expires_at: iso(t.expiresAt),
  last_used_at: iso(t.lastUsedAt),
});

/** An `ou_memberships` row joined with its member. */
export interface MembershipRow {
  unit_id: string;
  org_member_id: string;
  role: OuRole;
  first_name: string;
  last_name: string;
  email: string;
  created_at: Date | string;
  updated_at: Date | string;
}

export interface MembershipView {
  unit_id: string;
  org_member_id: string;
  role: OuRole;
  first_name: string;
  last_name: string;
  email: string;
  created_at: string;
  updated_at: string;
}

export const toMembershipView = (r: MembershipRow): MembershipView => ({
  unit_id: r.unit_id,
  org_member_id: r.org_member_id,
  role: r.role,
  first_name: r.first_name,
  last_name: r.last_name,
  email: r.email,
  created_at: iso(r.created_at)!,
  updated_at: iso(r.updated_at)!,
});
