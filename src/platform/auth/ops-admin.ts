import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createHash, timingSafeEqual } from 'node:crypto';
import { AppConfig } from '../../config/app-config';
import { PlatformErrors } from '../http/platform.errors';

/**
 * Operations-admin credential (QUEUE_DASHBOARD_USER / QUEUE_DASHBOARD_PASSWORD, HTTP Basic) for the queue
 * dashboard and queue re-drive. With no password configured these routes are closed to everyone.
 */
export function checkOpsAdmin(config: AppConfig, authorization: string | undefined): boolean {
  const password = config.env.QUEUE_DASHBOARD_PASSWORD;
  if (!password || !authorization?.startsWith('Basic ')) return false;
  const decoded = Buffer.from(authorization.slice(6), 'base64').toString('utf8');
  const sep = decoded.indexOf(':');
  if (sep < 0) return false;
  const digest = (s: string) => createHash('sha256').update(s).digest();
  const userOk = timingSafeEqual(digest(decoded.slice(0, sep)), digest(config.env.QUEUE_DASHBOARD_USER));
  const passOk = timingSafeEqual(digest(decoded.slice(sep + 1)), digest(password));
  return userOk && passOk;
}

@Injectable()
export class OpsAdminGuard implements CanActivate {
  constructor(private readonly config: AppConfig) {}

  canActivate(ctx: ExecutionContext): boolean {
    const req = ctx.switchToHttp().getRequest<FastifyRequest>();
    if (checkOpsAdmin(this.config, req.headers.authorization)) return true;
    void ctx.switchToHttp().getResponse<FastifyReply>().header('WWW-Authenticate', 'Basic realm="kenbun-ops"');
    throw PlatformErrors.error('unauthorized', 'operations admin credentials required');
  }
}

/** Middleware form (Node request and response), for the Bull Board UI (a Fastify plugin, outside Nest's guards). */
export function opsAdminMiddleware(config: AppConfig) {
  return (req: IncomingMessage, res: ServerResponse, next: () => void) => {
    if (checkOpsAdmin(config, req.headers.authorization)) return next();
    res.statusCode = 401;
    res.setHeader('WWW-Authenticate', 'Basic realm="kenbun-ops"');
    res.setHeader('Content-Type', 'application/json; charset=utf-8');
    res.end(JSON.stringify({ error: 'unauthorized', message: 'operations admin credentials required' }));
  };
}
