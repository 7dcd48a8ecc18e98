import { Controller, Get, Query } from '@nestjs/common';
import { ApiBasicAuth, ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../../../platform/http';
import { OuScoped } from '../../../platform/tenancy';
import { NotificationFailures } from '../failures/notification-failures.service';
import { DeliveryStatus } from '../outbox/delivery.types';
import { NotificationFailuresPageDto, NotificationFailuresQueryDto } from './notifications.dto';

const FAILURE_STATUSES: DeliveryStatus[] = ['enqueue_failed', 'retry_exhausted', 'terminal_4xx'];

/** NF-1: notification records of the active OU. */
@ApiTags('Triggers')
@ApiBearerAuth('bearerAuth')
@ApiBasicAuth('basicAuth')
@OuScoped()
@Controller('notification-failures')
export class NotificationFailuresController {
  constructor(private readonly failures: NotificationFailures) {}

  @Get()
  @ApiOperation({
    operationId: 'listNotificationFailures',
    summary: 'List notification failures (OU-scoped, cursor-paginated)',
    description:
      'Notification records of the active OU ordered by last_attempt_at DESC, id DESC; follow next_cursor for the next page. Without filters: the failures (enqueue_failed, retry_exhausted, terminal_4xx) of the last 7 days. status=delivered lists deliveries too. limit above 200 answers 400.',
  })
  @ApiOkResponse({ type: NotificationFailuresPageDto })
  @ApiErrors(400, 401)
  list(@Query() q: NotificationFailuresQueryDto): Promise<NotificationFailuresPageDto> {
    return this.failures.list({
      ...q,
      statuses: q.status?.length ? (q.status as DeliveryStatus[]) : FAILURE_STATUSES,
      limit: q.limit ?? 50,
    });
  }
}
