import { Injectable, NestMiddleware } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Clock } from '../clock/clock';
import { actorLabel, RequestContext, TenantContext } from '../tenancy/request-context';
import { AuditWriter } from './audit-writer.service';

const VERBS: Record<string, string> = { POST: 'created', PUT: 'updated', PATCH: 'updated', DELETE: 'deleted' };

/**
 * Opens the request's tenant context and, when the response is finished, writes one audit entry for every
 * mutating request of an identified caller (and for reads a handler marks, such as exports). No bodies,
 * headers or query strings are stored: secrets never reach the audit log.
 */
@Injectable()
export class AuditMiddleware implements NestMiddleware {
  constructor(
    private readonly writer: AuditWriter,
    private readonly clock: Clock,
  ) {}

  /** Node request and response, as middie hands them to middleware (with `originalUrl`, `ip` and `id` set). */
  use(req: IncomingMessage & { originalUrl?: string; ip?: string; id?: string }, res: ServerResponse, next: () => void): void {
    const ctx: TenantContext = {};
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const verb = ctx.audit?.verb ?? VERBS[req.method!];
      const p = ctx.principal;
      if (!verb || !p) return;
      const path = (req.originalUrl ?? req.url ?? '').split('?')[0];
      // the request id is assigned by the logging middleware, which may run after this one
      ctx.requestId ??= (res.getHeader('X-Request-Id') as string | undefined) ?? req.id;
      const actor = actorLabel(p);
      const entry = (e: { verb: string; entityType?: string; entityId?: string; summary: string }) =>
        this.writer.record({
          org_id: p.orgId,
          unit_id: ctx.unitId ?? null,
          actor_type: p.type,
          actor_id: p.id,
          user_email: p.email ?? null,
          method: req.method!,
          path,
          status: res.statusCode,
          ip: req.ip ?? null,
          latency_ms: Number((process.hrtime.bigint() - started) / 1_000_000n),
          verb: e.verb,
          entity_type: e.entityType ?? null,
          entity_id: e.entityId ?? null,
          summary: e.summary,
          request_id: ctx.requestId ?? null,
          created_at: this.clock.now().toISOString(),
        });
      // the granular entries first: the request's summary entry is the newest of its group
      for (const also of ctx.auditAlso ?? []) entry({ ...also, summary: `${actor} ${also.summary}` });
      entry({
        verb,
        entityType: ctx.audit?.entityType,
        entityId: ctx.audit?.entityId,
        summary: ctx.audit?.summary ? `${actor} ${ctx.audit.summary}` : `${actor} ${req.method} ${path} → ${res.statusCode}`,
      });
    });
    RequestContext.run(ctx, next);
  }
}
