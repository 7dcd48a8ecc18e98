import { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { RequestContext } from './request-context';

/**
 * The one place tenant filters are added to queries: every read of tenant data goes through these helpers,
 * so a row of another organization or OU is simply not found (and answers 404 upstream).
 */
export function inOrg<T extends ObjectLiteral>(qb: SelectQueryBuilder<T>, alias = qb.alias): SelectQueryBuilder<T> {
  return qb.andWhere(`${alias}.org_id = :__org`, { __org: RequestContext.orgId() });
}

export function inUnit<T extends ObjectLiteral>(qb: SelectQueryBuilder<T>, alias = qb.alias): SelectQueryBuilder<T> {
  return qb.andWhere(`${alias}.org_id = :__org AND ${alias}.unit_id = :__unit`, { __org: RequestContext.orgId(), __unit: RequestContext.unitId() });
}

/** `{org_id, unit_id}` of the current request, for inserts and raw SQL. */
export function tenantKey(): { org_id: string; unit_id: string } {
  return { org_id: RequestContext.orgId(), unit_id: RequestContext.unitId() };
}
