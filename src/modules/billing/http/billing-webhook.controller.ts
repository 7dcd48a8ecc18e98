import { Body, Controller, HttpCode, Post, Req, UseGuards } from '@nestjs/common';
import { ApiHeader, ApiOkResponse, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { ApiErrors, KeepRawBody, Public } from '../../../platform/http';
import { RequestContext } from '../../../platform/tenancy';
import { BillingSignatureGuard, signatureHeaders } from '../webhook/billing-signature.guard';
import { BillingWebhookService } from '../webhook/billing-webhook.service';
import { BillingWebhookDto, WebhookReceivedDto } from './billing.dto';

const HEADER = (name: string, description: string) => ApiHeader({ name: `webhook-${name}`, required: false, description: `${description} (or svix-${name})` });

/** contracts §6: called by the billing provider, never by API clients; the signed payload is its credential. */
@ApiTags('Usage')
@ApiSecurity('webhookSignature')
@Controller('billing')
export class BillingWebhookController {
  constructor(private readonly webhooks: BillingWebhookService) {}

  @Post('webhook')
  @Public()
  @KeepRawBody()
  @UseGuards(BillingSignatureGuard)
  @HttpCode(200)
  @ApiOperation({
    operationId: 'billingWebhook',
    summary: 'Billing webhook receiver',
    description:
      "Receives subscription lifecycle events from kenbun's billing provider (Standard Webhooks signature over the raw body with BILLING_WEBHOOK_SECRET, " +
      'webhook-* or svix-* headers, timestamps within 5 minutes; anything else 401, nothing changed). subscription.created / subscription.updated set ' +
      'data.status and data.trial_ends_at; payment_attempt with data.status "failed" sets past_due; subscriptionItem.freeTrialEnding records ' +
      'data.trial_ends_at. data.org_id names the organization (an unknown one is logged and ignored). Unknown types are ignored. A replayed webhook id ' +
      'answers 200 and is applied once.',
  })
  @HEADER('id', 'Unique message id: a replay is applied once')
  @HEADER('timestamp', 'Unix seconds; refused when more than 5 minutes away')
  @ApiOkResponse({ type: WebhookReceivedDto })
  @ApiErrors(400, 401)
  async receive(@Body() body: BillingWebhookDto, @Req() req: FastifyRequest): Promise<WebhookReceivedDto> {
    await this.webhooks.receive({
      webhookId: signatureHeaders(req).id!,
      type: body.type,
      data: body.data,
      ip: req.ip ?? null,
      requestId: RequestContext.current()?.requestId ?? String(req.id),
    });
    return { received: true };
  }
}
