import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put } from '@nestjs/common';
import { ApiBasicAuth, ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../../../platform/http';
import { OuScoped } from '../../../platform/tenancy';
import { NotificationChannels } from '../channels/notification-channels.service';
import { DeliveryHealth } from '../outbox/delivery-health.service';
import { ChannelHealthDto, CreateNotificationChannelDto, NotificationChannelDto, UpdateNotificationChannelDto } from './notifications.dto';

/** Notification channels (NC-1..4): reusable destinations of the active OU and their 24-hour delivery health. */
@ApiTags('Triggers')
@ApiBearerAuth('bearerAuth')
@ApiBasicAuth('basicAuth')
@OuScoped()
@Controller('notification-channels')
export class NotificationChannelsController {
  constructor(
    private readonly channels: NotificationChannels,
    private readonly health: DeliveryHealth,
  ) {}

  @Get()
  @ApiOperation({
    operationId: 'listNotificationChannels',
    summary: 'List notification channels (OU-scoped)',
    description:
      'Returns all saved notification channels for the active Organizational Unit, newest first. Channels can be referenced by triggers and surge triggers.',
  })
  @ApiOkResponse({ type: [NotificationChannelDto] })
  @ApiErrors(400, 401)
  list(): Promise<NotificationChannelDto[]> {
    return this.channels.list();
  }

  @Post()
  @ApiOperation({
    operationId: 'createNotificationChannel',
    summary: 'Create notification channel (OU-scoped)',
    description: 'Config depends on type (slack/teams/webhook/email); missing or unknown keys answer 400 naming config.<key>.',
  })
  @ApiCreatedResponse({ type: NotificationChannelDto })
  @ApiErrors(400, 401, 403)
  create(@Body() body: CreateNotificationChannelDto): Promise<NotificationChannelDto> {
    return this.channels.create(body);
  }

  @Put(':id')
  @ApiOperation({
    operationId: 'updateNotificationChannel',
    summary: 'Update notification channel (OU-scoped)',
    description: 'Given fields replace the stored ones; changing the type needs the new type’s config. Returns the channel.',
  })
  @ApiOkResponse({ type: NotificationChannelDto })
  @ApiErrors(400, 401, 403, 404)
  update(@Param('id') id: string, @Body() body: UpdateNotificationChannelDto): Promise<NotificationChannelDto> {
    return this.channels.update(id, body);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({
    operationId: 'deleteNotificationChannel',
    summary: 'Delete notification channel (OU-scoped)',
    description: 'Irreversible. Notifications already queued to it are still delivered; its delivery records are kept.',
  })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiErrors(401, 403, 404)
  async remove(@Param('id') id: string): Promise<void> {
    await this.channels.remove(id);
  }

  @Get(':id/health')
  @ApiOperation({
    operationId: 'getNotificationChannelHealth',
    summary: 'Channel health summary (OU-scoped, 24-hour window)',
    description:
      'Notifications delivered and failed for good in the last 24 hours, the last failure and the status colour (gray, green, amber, red). A missing or cross-OU channel answers 404.',
  })
  @ApiOkResponse({ type: ChannelHealthDto })
  @ApiErrors(401, 404)
  async channelHealth(@Param('id') id: string): Promise<ChannelHealthDto> {
    const channel = await this.channels.get(id);
    const { recent_attempts: _recent, ...summary } = await this.health.forChannel(channel.id);
    return summary;
  }
}
