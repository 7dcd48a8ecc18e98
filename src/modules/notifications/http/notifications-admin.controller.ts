import { Body, Controller, HttpCode, Post, UseGuards } from '@nestjs/common';
import { ApiBasicAuth, ApiOkResponse, ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn, IsInt, IsISO8601, IsOptional, IsUUID, Max, Min } from 'class-validator';
import { OpsAdminGuard } from '../../../platform/auth/ops-admin';
import { ApiErrors, Public } from '../../../platform/http';
import { DeliveryOutbox } from '../outbox/delivery-outbox.service';
import { GIVEN_UP_STATUSES, GivenUpStatus } from '../outbox/delivery.types';

const MAX_REDRIVE = 10_000;

class RedriveDeliveriesDto {
  @ApiPropertyOptional({
    type: [String],
    format: 'uuid',
    maxItems: MAX_REDRIVE,
    description: 'Outbox rows to send again; every given-up row matching the filters when omitted',
  })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_REDRIVE)
  @IsUUID('all', { each: true })
  delivery_ids?: string[];

  @ApiPropertyOptional({ enum: GIVEN_UP_STATUSES, isArray: true, maxItems: GIVEN_UP_STATUSES.length, description: 'Which given-up rows (default both)' })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(GIVEN_UP_STATUSES.length)
  @IsIn(GIVEN_UP_STATUSES, { each: true })
  status?: GivenUpStatus[];

  @ApiPropertyOptional({ format: 'date-time', description: 'Only rows created at or after this time' })
  @IsOptional()
  @IsISO8601({ strict: true })
  since?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: MAX_REDRIVE, default: 1000, description: 'At most this many rows (the oldest first)' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_REDRIVE)
  limit?: number;
}

class RedriveDeliveriesResultDto {
  @ApiProperty({ description: 'How many rows were queued again' }) retried: number;
  @ApiProperty({ type: [String], format: 'uuid', maxItems: MAX_REDRIVE, description: 'Their delivery ids (the receivers’ idempotency key, unchanged)' })
  delivery_ids: string[];
}

/**
 * Operations: the notification outbox's dead letters sent again, across organizations (the outbox is one table and
 * the operator fixes a destination for everyone). Listing them per OU is GET /notification-failures.
 */
@ApiTags('Operations')
@ApiBasicAuth('basicAuth')
@Public()
@UseGuards(OpsAdminGuard)
@Controller('admin/notification-deliveries')
export class NotificationsAdminController {
  constructor(private readonly outbox: DeliveryOutbox) {}

  @Post('retry')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'retryGivenUpNotifications',
    summary: 'Send given-up notifications again',
    description:
      'Puts outbox rows that were given up (terminal_4xx: the destination refused; retry_exhausted: it failed every attempt) back to pending with a fresh attempt budget and queues them at once. Each keeps its delivery id, so receivers can still deduplicate. Rows in another state are left alone.',
  })
  @ApiOkResponse({ type: RedriveDeliveriesResultDto })
  @ApiErrors(400, 401)
  async retry(@Body() body: RedriveDeliveriesDto): Promise<RedriveDeliveriesResultDto> {
    const ids = await this.outbox.redrive({
      ids: body.delivery_ids,
      statuses: body.status ?? [...GIVEN_UP_STATUSES],
      since: body.since ? new Date(body.since) : undefined,
      limit: body.limit ?? (body.delivery_ids?.length || 1000),
    });
    return { retried: ids.length, delivery_ids: ids };
  }
}
