import { AsyncLocalStorage } from 'node:async_hooks';
import type { EventMetadata } from '../event-store/event-store.types';
import { PlatformErrors } from '../http/platform.errors';

export type PrincipalType = 'member' | 'service_account' | 'pat';
export type OrgRole = 'admin' | 'member';
export type OuRole = 'Owner' | 'Operator' | 'Viewer';

/** Who is calling. A PAT acts as its member (memberId set); a service account has no member. */
export interface Principal {
  type: PrincipalType;
  /** id of the credential: member id for a JWT, service account id, or PAT id */
  id: string;
  orgId: string;
  memberId?: string;
  email?: string;
  orgRole?: OrgRole;
  /** key under which the credential's active OU is remembered */
  activeOuKey: string;
}

export interface TenantContext {
  requestId?: string;
  principal?: Principal;
  orgId?: string;
  unitId?: string;
  ouRole?: OuRole;
  /** what an audited request did, filled by handlers (see Audit) */
  audit?: { verb?: string; entityType?: string; entityId?: string; summary?: string };
  /** further entries a request writes besides its own, one per entity it changed (see `RequestContext.auditAlso`) */
  auditAlso?: { verb: string; entityType: string; entityId: string; summary: string }[];
}

const storage = new AsyncLocalStorage<TenantContext>();

/** How a principal is named in audit entries, event metadata and created_by columns. */
export function actorLabel(p: Principal): string {
  return p.email ?? `${p.type}:${p.id}`;
}

/**
 * The tenant and caller of the current request or job, reachable from handlers, queries and jobs without
 * threading it through every call. HTTP requests get one from middleware; jobs use `RequestContext.run`.
 */
export const RequestContext = {
  run<T>(ctx: TenantContext, fn: () => T): T {
    return storage.run(ctx, fn);
  },

  current(): TenantContext | undefined {
    return storage.getStore();
  },

  principal(): Principal {
    const p = storage.getStore()?.principal;
    if (!p) throw PlatformErrors.error('unauthorized', 'missing or invalid credentials');
    return p;
  },

  /** The caller's label (see actorLabel). */
  actor(): string {
    return actorLabel(RequestContext.principal());
  },

  orgId(): string {
    const org = storage.getStore()?.orgId;
    if (!org) throw PlatformErrors.error('unauthorized', 'missing or invalid credentials');
    return org;
  },

  /** The active OU; a route that needs one and has none answers 400 no_active_ou. */
  unitId(): string {
    const unit = storage.getStore()?.unitId;
    if (!unit) throw PlatformErrors.error('no_active_ou', 'no active organizational unit: call POST /org-units/active first');
    return unit;
  },

  /** Event metadata of the current request or job: tenant, actor, and the request id as correlation id. */
  eventMetadata(): EventMetadata {
    const ctx = storage.getStore();
    const p = ctx?.principal;
    return { org_id: ctx?.orgId ?? null, unit_id: ctx?.unitId ?? null, actor: p ? actorLabel(p) : null, correlation_id: ctx?.requestId ?? null };
  },

  /**
   * A granular audit entry of its own for one entity a bulk request changed (written with the request's actor,
   * path and status next to the request's summary entry), e.g. each rule of a bulk apply.
   */
  auditAlso(entry: { verb: string; entityType: string; entityId: string; summary: string }): void {
    const ctx = storage.getStore();
    if (ctx) (ctx.auditAlso ??= []).push(entry);
  },

  /** Describes the entity an audited mutation touched, for the audit log's readable summary. */
  describe(audit: TenantContext['audit']): void {
    const ctx = storage.getStore();
    if (ctx) ctx.audit = { ...ctx.audit, ...audit };
  },
};
