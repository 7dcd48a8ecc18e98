/**
 * The identity module's public surface: what other modules, the bootstrap, the CLI and the test setup may use.
 * Everything else under identity/ is internal.
 */
export { IdentityModule } from './identity.module';
export { ACTIVE_OU_COOKIE } from './auth/active-ou-cookie';
export { OuAccessService } from './services/ou-access.service';
export { CredentialCache } from './services/credential-cache.service';
export { MembersService } from './services/members.service';
export type { OuAccess } from './services/ou-access.service';
export { FirstRunService } from './services/first-run.service';
export { RateLimitPolicyService } from './services/rate-limit-policy.service';
export { CreateAdminCommand, CreateOrganizationCommand, CreateServiceAccountCommand, SetRateLimitCommand } from './cli/identity.commands';
