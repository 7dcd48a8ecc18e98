import { RequestContext } from './request-context';

/**
 * The one place tenant filters come from: reads of tenant data add these to their `where`, so a row of
 * another organization or OU is simply not found (and answers 404 upstream). Both throw when the context
 * has no organization or OU, so a forgotten scope fails loudly instead of reading across tenants.
 */
export function inOrg<W extends object>(where: W = {} as W): W & { orgId: string } {
  return { ...where, orgId: RequestContext.orgId() };
}

export function inUnit<W extends object>(where: W = {} as W): W & { orgId: string; unitId: string } {
  return { ...where, orgId: RequestContext.orgId(), unitId: RequestContext.unitId() };
}

/** `{org_id, unit_id}` of the current request, for inserts and raw SQL. */
export function tenantKey(): { org_id: string; unit_id: string } {
  return { org_id: RequestContext.orgId(), unit_id: RequestContext.unitId() };
}
