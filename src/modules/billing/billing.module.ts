import { Module } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { IdentityModule } from '../identity';
import { SubscriptionStatusService } from './gating/subscription-status.service';
import { WriteGateInterceptor } from './gating/write-gate.interceptor';
import { BillingWebhookController } from './http/billing-webhook.controller';
import { UsageController } from './http/usage.controller';
import { UsageReader } from './usage/usage.reader';
import { BillingSignatureGuard } from './webhook/billing-signature.guard';
import { BillingWebhookService } from './webhook/billing-webhook.service';

/**
 * Usage and billing (§17, G-11, contracts §6): usage counting (recordUsage, called by the ingest pipeline's batch
 * transaction), GET /usage, the billing webhook, and write gating by subscription status (a global interceptor).
 */
@Module({
  imports: [IdentityModule],
  controllers: [UsageController, BillingWebhookController],
  providers: [
    SubscriptionStatusService,
    UsageReader,
    BillingWebhookService,
    BillingSignatureGuard,
    { provide: APP_INTERCEPTOR, useClass: WriteGateInterceptor },
  ],
})
export class BillingModule {}
