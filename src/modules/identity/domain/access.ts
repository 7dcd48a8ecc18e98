import { OrgRole, OuRole } from '../../../platform/tenancy';

export const OU_ROLES: readonly OuRole[] = ['Owner', 'Operator', 'Viewer'];
export const ORG_ROLES: readonly OrgRole[] = ['admin', 'member'];

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export function isMutation(method: string): boolean {
  return MUTATING.has(method.toUpperCase());
}

/**
 * The permission matrix (behaviour OU-7): Viewer reads; Operator also changes configuration and data;
 * Owner also renames the OU; Owner or Operator manage memberships (002); org admins do everything;
 * service accounts act as Operators of every OU of their organization.
 */
export function mayWrite(role: OuRole | undefined): boolean {
  return role === 'Owner' || role === 'Operator';
}

export function hasOneOf(role: OuRole | undefined, allowed: readonly OuRole[]): boolean {
  return !!role && allowed.includes(role);
}
