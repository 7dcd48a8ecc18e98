import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import type { FastifyReply as Response, FastifyRequest as Request } from 'fastify';
import { IS_PUBLIC, PlatformErrors } from '../../../platform/http';
import { RateLimiter } from '../../../platform/rate-limit';
import { OuRole, Principal, RequestContext, ORG_ADMIN, OU_ROLES, OU_SCOPED, USER_ONLY, VIEWER_MAY_WRITE } from '../../../platform/tenancy';
import { isMutation, mayWrite } from '../domain/access';
import { OuAccessService } from '../services/ou-access.service';
import { ACTIVE_OU_COOKIE } from './active-ou-cookie';
import { RateLimitPolicyService } from '../services/rate-limit-policy.service';
import { IdentityErrors } from '../identity.errors';
import { PAT_PREFIX } from '../domain/credentials';

const unauthorized = () => PlatformErrors.error('unauthorized', 'missing, wrong, expired or revoked credential');

/** Passport with one strategy, answering this API's 401 when it does not authenticate. */
function strategyGuard(strategy: 'pat' | 'jwt' | 'basic'): CanActivate {
  class StrategyGuard extends AuthGuard(strategy) {
    handleRequest<T>(err: unknown, user: T): T {
      if (err || !user) throw unauthorized();
      return user;
    }
  }
  return new StrategyGuard();
}

/**
 * The global gate of every non-public route, in order: authenticate (personal access token, user JWT or
 * service-account Basic), fill the request context, apply the caller's rate limit, then the route's access
 * rules (user-only, org admin, active OU and OU role). Viewers may not mutate OU-scoped data.
 *
 * The Authorization header's scheme picks the one passport strategy that can accept it (`Bearer kbn_pat_…` a personal
 * access token, another `Bearer` a user JWT, `Basic` a service account) instead of trying the three in turn: every
 * Basic request used to fail the PAT and JWT strategies first (passport-jwt builds an Error with a stack trace for it).
 */
@Injectable()
export class AccessGuard implements CanActivate {
  private readonly strategies = { pat: strategyGuard('pat'), jwt: strategyGuard('jwt'), basic: strategyGuard('basic') };

  constructor(
    private readonly reflector: Reflector,
    private readonly ouAccess: OuAccessService,
    private readonly limiter: RateLimiter,
    private readonly policies: RateLimitPolicyService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    const authenticate = this.strategyFor(context.switchToHttp().getRequest<Request>().headers.authorization);
    if (!authenticate) throw unauthorized();
    await authenticate.canActivate(context);
    const req = context.switchToHttp().getRequest<Request & { user: Principal }>();
    const res = context.switchToHttp().getResponse<Response>();
    const principal = req.user;
    const ctx = RequestContext.current();
    if (ctx) {
      ctx.principal = principal;
      ctx.orgId = principal.orgId;
    }
    await this.rateLimit(principal, req, res);

    if (this.reflector.getAllAndOverride<boolean>(USER_ONLY, targets) && !principal.memberId) {
      throw IdentityErrors.error('user_only', 'this operation is for users (JWT or personal access token), not service accounts');
    }
    if (this.reflector.getAllAndOverride<boolean>(ORG_ADMIN, targets) && principal.orgRole !== 'admin') {
      throw PlatformErrors.error('admin_required', 'this operation needs the organization admin role');
    }
    if (this.reflector.getAllAndOverride<boolean>(OU_SCOPED, targets)) {
      const cookie = req.cookies?.[ACTIVE_OU_COOKIE];
      const access = await this.ouAccess.resolveActive(principal, cookie);
      if (!access) throw PlatformErrors.error('no_active_ou', 'no active organizational unit: call POST /org-units/active first');
      if (ctx) {
        ctx.unitId = access.unitId;
        ctx.ouRole = access.role;
      }
      if (isMutation(req.method) && !mayWrite(access.role) && !this.reflector.getAllAndOverride<boolean>(VIEWER_MAY_WRITE, targets)) {
        throw PlatformErrors.error('forbidden', 'the Viewer role may read but not change data in this organizational unit');
      }
      const needed = this.reflector.getAllAndOverride<OuRole[] | undefined>(OU_ROLES, targets);
      if (needed && !needed.includes(access.role)) {
        throw PlatformErrors.error('forbidden', `this operation needs the ${needed.join(' or ')} role`);
      }
    }
    return true;
  }

  /** The strategy for the header's scheme, or null (no header, another scheme): 401 either way. */
  private strategyFor(header: string | undefined): CanActivate | null {
    const m = header ? /^\s*(\S+)\s+(\S+)/.exec(header) : null;
    if (!m) return null;
    const scheme = m[1].toLowerCase();
    if (scheme === 'bearer') return m[2].startsWith(PAT_PREFIX) ? this.strategies.pat : this.strategies.jwt;
    return scheme === 'basic' ? this.strategies.basic : null;
  }

  private async rateLimit(p: Principal, req: Request, res: Response): Promise<void> {
    const policy = await this.policies.forOrg(p.orgId);
    if (!policy.enabled) return;
    const d = await this.limiter.consume(this.policies.key(policy, p, req.ip), policy);
    res.header('X-RateLimit-Limit', String(d.limit));
    res.header('X-RateLimit-Remaining', String(d.remaining));
    res.header('X-RateLimit-Reset', String(d.reset));
    if (!d.allowed && policy.mode === 'enforce') {
      res.header('Retry-After', String(d.retryAfter));
      throw PlatformErrors.error(
        'rate_limited',
        `rate limit of ${policy.perMinute} requests per minute (burst ${policy.burst}) exceeded; retry in ${d.retryAfter} s`,
      );
    }
  }
}
