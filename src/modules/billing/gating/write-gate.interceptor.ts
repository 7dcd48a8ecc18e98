import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import type { Observable } from 'rxjs';
import { BILLING_EXEMPT, RequestContext, VIEWER_MAY_WRITE } from '../../../platform/tenancy';
import { BillingErrors } from '../billing.errors';
import { writeGate } from '../domain';
import { SubscriptionStatusService } from './subscription-status.service';

const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * G-11, the one place writes are gated by billing state: a global interceptor, so it runs after the access guard
 * has authenticated the caller and before any pipe or handler (nothing is half-written: the 402 comes first).
 * Past due → 402 subscription_past_due; canceled, ended, expired → 402 subscription_canceled; reads always pass.
 *
 * Not gated: reads; requests with no authenticated caller (public routes: sign-in and sign-out, the billing webhook,
 * operations routes under /admin with their own credential, Slack's OAuth callback, health, metrics); routes a
 * Viewer may use (dry runs, previews, batch reads sent as POST, one's own preferences), which change no data; and
 * routes marked @BillingExempt() (choosing the active OU, revoking a credential).
 * On the ingest path this costs a method check and a map lookup: the status is cached in process.
 */
@Injectable()
export class WriteGateInterceptor implements NestInterceptor {
  constructor(
    private readonly reflector: Reflector,
    private readonly subscriptions: SubscriptionStatusService,
  ) {}

  async intercept(context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    if (context.getType() !== 'http' || !WRITES.has(context.switchToHttp().getRequest<FastifyRequest>().method)) return next.handle();
    const orgId = RequestContext.current()?.principal?.orgId;
    if (!orgId) return next.handle();
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(BILLING_EXEMPT, targets) || this.reflector.getAllAndOverride<boolean>(VIEWER_MAY_WRITE, targets)) {
      return next.handle();
    }
    const gate = writeGate(await this.subscriptions.statusOf(orgId));
    if (!gate.allowed) {
      throw gate.code === 'subscription_past_due'
        ? BillingErrors.error('subscription_past_due', 'the subscription is past due: data stays readable, changes are paused until payment')
        : BillingErrors.error('subscription_canceled', 'the subscription has ended: data is read-only (exports still work)');
    }
    return next.handle();
  }
}
