import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiExtension } from '@nestjs/swagger';
import { OuRole } from './request-context';

export const OU_SCOPED = 'kenbun:ou-scoped';
export const OU_ROLES = 'kenbun:ou-roles';
export const ORG_ADMIN = 'kenbun:org-admin';
export const USER_ONLY = 'kenbun:user-only';
export const VIEWER_MAY_WRITE = 'kenbun:viewer-may-write';
export const BILLING_EXEMPT = 'kenbun:billing-exempt';
/** OpenAPI extension marking a write the billing gate lets through (read and removed when the document is built). */
export const BILLING_EXEMPT_EXTENSION = 'x-kenbun-billing-exempt';

/** The route acts in the caller's active OU (400 no_active_ou without one). Viewers may only read. */
export const OuScoped = () => SetMetadata(OU_SCOPED, true);

/** The route needs one of these OU roles in the OU it acts on (org admins always pass). */
export const RequireOuRole = (...roles: OuRole[]) => SetMetadata(OU_ROLES, roles);

/** The route needs the organization `admin` role. */
export const RequireOrgAdmin = () => SetMetadata(ORG_ADMIN, true);

/** The route is about the calling person (JWT or PAT); service accounts get 403. */
export const UserOnly = () => SetMetadata(USER_ONLY, true);

/** A mutation a Viewer may still make (e.g. their own preferences). */
export const ViewerMayWrite = () => applyDecorators(SetMetadata(VIEWER_MAY_WRITE, true), ApiExtension(BILLING_EXEMPT_EXTENSION, true));

/**
 * A write that stays open while the organization's subscription is past due or canceled (G-11): one that does not
 * change the organization's data, such as choosing the active OU or revoking a credential. (Public routes and the
 * routes a Viewer may use are exempt already.)
 */
export const BillingExempt = () => applyDecorators(SetMetadata(BILLING_EXEMPT, true), ApiExtension(BILLING_EXEMPT_EXTENSION, true));
