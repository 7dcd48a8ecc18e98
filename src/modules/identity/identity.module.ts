import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { PassportModule } from '@nestjs/passport';
import { AccessGuard } from './auth/access.guard';
import { BasicStrategy } from './auth/basic.strategy';
import { JwtStrategy } from './auth/jwt.strategy';
import { PatStrategy } from './auth/pat.strategy';
import { AuthController } from './http/auth.controller';
import { MeController } from './http/me.controller';
import { MembersController } from './http/members.controller';
import { OrgUnitsController } from './http/org-units.controller';
import { OuMembershipsController } from './http/ou-memberships.controller';
import { SecretsController } from './http/secrets.controller';
import { TokensController } from './http/tokens.controller';
import { ActiveOuService } from './services/active-ou.service';
import { AuthService } from './services/auth.service';
import { CredentialCache } from './services/credential-cache.service';
import { CredentialVerifier } from './services/credential-verifier.service';
import { FirstRunService } from './services/first-run.service';
import { MembersService } from './services/members.service';
import { MembershipsService } from './services/memberships.service';
import { NotificationPrefsService } from './services/notification-prefs.service';
import { OrgUnitsService } from './services/org-units.service';
import { OuAccessService } from './services/ou-access.service';
import { PersonalTokensService } from './services/personal-tokens.service';
import { RateLimitPolicyService } from './services/rate-limit-policy.service';
import { ServiceAccountsService } from './services/service-accounts.service';

/**
 * Identity, tenancy and access: organizations, OUs, members, memberships, the three credential types,
 * the global AccessGuard (authentication, rate limit, OU and role checks) and first-run setup.
 */
@Module({
  imports: [PassportModule, JwtModule.register({})],
  controllers: [AuthController, OrgUnitsController, MembersController, OuMembershipsController, SecretsController, TokensController, MeController],
  providers: [
    CredentialCache,
    CredentialVerifier,
    OuAccessService,
    ActiveOuService,
    RateLimitPolicyService,
    MembersService,
    OrgUnitsService,
    MembershipsService,
    ServiceAccountsService,
    PersonalTokensService,
    NotificationPrefsService,
    AuthService,
    FirstRunService,
    PatStrategy,
    JwtStrategy,
    BasicStrategy,
    { provide: APP_GUARD, useClass: AccessGuard },
  ],
  exports: [OuAccessService, MembersService, ServiceAccountsService, FirstRunService, OrgUnitsService, CredentialCache],
})
export class IdentityModule {}
