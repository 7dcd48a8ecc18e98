import { ApiProperty } from '@nestjs/swagger';
import { IsNotEmpty, IsObject, IsString, MaxLength } from 'class-validator';
import { REPORTED_STATUSES, SubscriptionStatus } from '../domain';

/** USE-1 */
export class UsageDto {
  @ApiProperty({
    description: 'Accepted ingested and imported events this billing cycle, all OUs of the organization (suppressed included, duplicates and decay not)',
  })
  monthly_events: number;

  @ApiProperty({ example: 500000, description: 'Events included per month' })
  free_tier_limit: number;

  @ApiProperty({ example: 50, description: 'Cents charged per overage_unit events beyond the limit' })
  overage_rate_cents: number;

  @ApiProperty({ example: 10000 })
  overage_unit: number;

  @ApiProperty({ description: 'monthly_events > free_tier_limit' })
  overage: boolean;

  @ApiProperty({ format: 'date-time', description: 'Start of the cycle (the calendar month, UTC), inclusive' })
  billing_cycle_start: string;

  @ApiProperty({ format: 'date-time', description: 'End of the cycle, exclusive' })
  billing_cycle_end: string;

  @ApiProperty()
  org_id: string;

  @ApiProperty()
  org_name: string;

  @ApiProperty({ enum: REPORTED_STATUSES, description: '`none`: no billing record (self-hosted), never gated' })
  subscription_status: SubscriptionStatus;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  trial_ends_at: string | null;
}

/** contracts §6 */
export class BillingWebhookDto {
  @ApiProperty({
    example: 'subscription.updated',
    description: 'subscription.created, subscription.updated, subscriptionItem.freeTrialEnding, payment_attempt; others are ignored',
  })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  type: string;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    example: { org_id: 'org_123', status: 'active', trial_ends_at: null },
    description: 'org_id (the kenbun organization), status, trial_ends_at (RFC 3339 or null); varies by type',
  })
  @IsObject()
  data: Record<string, unknown>;
}

export class WebhookReceivedDto {
  @ApiProperty({ example: true })
  received: boolean;
}
