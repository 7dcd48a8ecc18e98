import { raw, Sql, sql } from '../database/sql';
import { RequestContext } from './request-context';

/** An organization and OU, as a job carries it (jobs have no request; HTTP handlers use the request's). */
export interface UnitScope {
  orgId: string;
  unitId: string;
}

/** The current request's (or `RequestContext.run` job's) organization and OU; 400 no_active_ou without one. */
export function currentUnit(): UnitScope {
  return { orgId: RequestContext.orgId(), unitId: RequestContext.unitId() };
}

const column = (alias: string | undefined, name: string): Sql => raw(alias ? `${alias}.${name}` : name);

/**
 * `org_id = … AND unit_id = …` for a table (optionally aliased), from the request context or an explicit
 * scope. The one way raw SQL in a module restricts itself to a tenant: nothing types the predicate by hand, so
 * a query cannot forget the organization half or read another OU.
 */
export function unitScope(alias?: string, scope: UnitScope = currentUnit()): Sql {
  return sql`${column(alias, 'org_id')} = ${scope.orgId} AND ${column(alias, 'unit_id')} = ${scope.unitId}`;
}

/** `unit_id = …` alone, for tables keyed by OU without an org column (OU ids are unique across organizations). */
export function unitOnly(alias?: string, unitId: string = RequestContext.unitId()): Sql {
  return sql`${column(alias, 'unit_id')} = ${unitId}`;
}

/** `org_id = …` for organization-wide tables. */
export function orgScope(alias?: string, orgId: string = RequestContext.orgId()): Sql {
  return sql`${column(alias, 'org_id')} = ${orgId}`;
}
