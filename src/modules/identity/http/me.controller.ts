import { Body, Controller, Get, Put, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest as Request } from 'fastify';
import { AppConfig } from '../../../config/app-config';
import { ApiErrors } from '../../../platform/http';
import { RequestContext, OuScoped, UserOnly, ViewerMayWrite } from '../../../platform/tenancy';
import { NotificationPrefsService } from '../services/notification-prefs.service';
import { RateLimitPolicyService } from '../services/rate-limit-policy.service';
import { NotificationPrefsDto, RateLimitConfigDto, StatusOkDto, UpdateNotificationPrefsDto } from './me.dto';

@ApiTags('Me')
@ApiBearerAuth('bearerAuth')
@Controller('me')
export class MeController {
  constructor(
    private readonly policies: RateLimitPolicyService,
    private readonly prefs: NotificationPrefsService,
    private readonly config: AppConfig,
  ) {}

  @Get('rate-limit')
  @ApiOperation({
    operationId: 'getMyRateLimit',
    summary: 'Get current rate limit configuration for caller',
    description: "Whether limiting is on, the mode, keying policy, this caller's bucket key and the limits.",
  })
  @ApiOkResponse({ type: RateLimitConfigDto })
  @ApiErrors(401)
  async rateLimit(@Req() req: Request): Promise<RateLimitConfigDto> {
    const p = RequestContext.principal();
    const policy = await this.policies.forOrg(p.orgId);
    return {
      enabled: policy.enabled,
      mode: policy.mode,
      key_by: policy.keyBy,
      key: this.policies.key(policy, p, req.ip),
      rps: Math.round((policy.perMinute / 60) * 10_000) / 10_000,
      burst: policy.burst,
      per_minute: policy.perMinute,
      stage: this.config.env.NODE_ENV,
    };
  }

  @Get('notification-prefs')
  @UserOnly()
  @OuScoped()
  @ApiOperation({
    operationId: 'getMyNotificationPrefs',
    summary: "Get current user's notification preferences",
    description: 'All four canonical event types, in the active OU; unstored ones are unmuted. The Slack id is masked.',
  })
  @ApiOkResponse({ type: NotificationPrefsDto })
  @ApiErrors(400, 401, 403)
  get(): Promise<NotificationPrefsDto> {
    return this.prefs.get(RequestContext.principal().memberId!, RequestContext.unitId());
  }

  @Put('notification-prefs')
  @UserOnly()
  @OuScoped()
  @ViewerMayWrite()
  @ApiOperation({
    operationId: 'updateMyNotificationPrefs',
    summary: "Update current user's notification preferences",
    description: 'Both fields optional; omitted ones unchanged. A non-canonical event_type → 400.',
  })
  @ApiOkResponse({ type: StatusOkDto })
  @ApiErrors(400, 401, 403)
  async update(@Body() body: UpdateNotificationPrefsDto): Promise<StatusOkDto> {
    await this.prefs.update(RequestContext.principal().memberId!, RequestContext.unitId(), body);
    RequestContext.describe({
      entityType: 'notification_prefs',
      entityId: RequestContext.principal().memberId!,
      summary: 'updated their notification preferences',
    });
    return { status: 'ok' };
  }
}
