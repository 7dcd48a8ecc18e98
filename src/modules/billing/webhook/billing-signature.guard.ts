import { CanActivate, ExecutionContext, Injectable, Logger } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { Webhook } from 'standardwebhooks';
import { AppConfig } from '../../../config/app-config';
import { rawBodyOf } from '../../../platform/http';
import { BillingErrors } from '../billing.errors';

/** The three Standard Webhooks headers, under their `webhook-*` names or Svix's `svix-*` ones (contracts §6). */
export function signatureHeaders(req: FastifyRequest): { id?: string; timestamp?: string; signature?: string } {
  const h = (name: string) => {
    const v = req.headers[`webhook-${name}`] ?? req.headers[`svix-${name}`];
    return Array.isArray(v) ? v[0] : v;
  };
  return { id: h('id'), timestamp: h('timestamp'), signature: h('signature') };
}

/**
 * contracts §6: every billing webhook is verified before anything else reads it (body validation included) with
 * the Standard Webhooks reference verifier, over the exact bytes received (`@KeepRawBody()`), keyed with
 * BILLING_WEBHOOK_SECRET, timestamps within 5 minutes. Anything else is 401 and changes nothing.
 */
@Injectable()
export class BillingSignatureGuard implements CanActivate {
  private readonly log = new Logger('BillingWebhook');
  private readonly verifier: Webhook | null;

  constructor(config: AppConfig) {
    const secret = config.env.BILLING_WEBHOOK_SECRET;
    this.verifier = secret ? new Webhook(secret) : null;
  }

  canActivate(context: ExecutionContext): boolean {
    const req = context.switchToHttp().getRequest<FastifyRequest>();
    if (!this.verifier) throw BillingErrors.error('webhook_signature_invalid', 'no billing webhook secret is configured (BILLING_WEBHOOK_SECRET)');
    const { id, timestamp, signature } = signatureHeaders(req);
    if (!id || !timestamp || !signature) {
      throw BillingErrors.error('webhook_signature_invalid', 'missing webhook-id, webhook-timestamp or webhook-signature (or svix-*) header');
    }
    try {
      this.verifier.verify(rawBodyOf(req), { 'webhook-id': id, 'webhook-timestamp': timestamp, 'webhook-signature': signature }, { jsonParse: false });
    } catch (err) {
      this.log.warn({ msg: 'billing webhook refused', webhook_id: id, reason: (err as Error).message, ip: req.ip });
      throw BillingErrors.error('webhook_signature_invalid', `webhook signature not accepted: ${(err as Error).message}`);
    }
    return true;
  }
}
