import { Body, Controller, Delete, Get, HttpCode, Post, Put, Query, Res } from '@nestjs/common';
import { ApiBasicAuth, ApiBearerAuth, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply as Response } from 'fastify';
import { ApiErrors, PlatformErrors, Public } from '../../../platform/http';
import { OuScoped, RequireOrgAdmin, RequireOuRole } from '../../../platform/tenancy';
import { SlackConnections } from '../connection/slack-connections.service';
import { SlackApps } from '../settings/slack-apps.service';
import {
  PutSlackAppConfigDto,
  SlackAppConfigDto,
  SlackAuthorizeUrlDto,
  SlackChannelsDto,
  SlackChannelsQueryDto,
  SlackOAuthCallbackQueryDto,
  SlackPublishNotificationsDto,
  SlackStatusDto,
  SlackTargetDto,
  SlackTestMessageDto,
  SlackTestResultDto,
  SlackUsersDto,
  SlackUsersQueryDto,
} from './slack.dto';

const LOCATION = { Location: { description: 'Where the browser goes next', schema: { type: 'string' } } };

/** A channel id for kind channel (C…, G…, D…), a user id for kind user (U…, W…). */
function assertTargetId(t: SlackTargetDto): void {
  const ok = t.kind === 'channel' ? /^[CGD]/.test(t.id) : /^[UW]/.test(t.id);
  if (!ok) {
    const reason = t.kind === 'channel' ? 'must be a Slack channel id (C…, G… or D…) for kind channel' : 'must be a Slack user id (U… or W…) for kind user';
    throw PlatformErrors.error('validation_failed', `id: ${reason}`, [{ field: 'id', reason }]);
  }
}

/** SL-1: the organization's Slack app credentials (org admins set them). */
@ApiTags('Settings')
@ApiBearerAuth('bearerAuth')
@ApiBasicAuth('basicAuth')
@Controller('settings/slack')
export class SlackAppController {
  constructor(private readonly apps: SlackApps) {}

  @Get()
  @ApiOperation({
    operationId: 'getSlackAppConfig',
    summary: 'Get Slack app configuration (org-level)',
    description: 'Returns whether Slack app credentials are configured for the current organization.',
  })
  @ApiOkResponse({ type: SlackAppConfigDto })
  @ApiErrors(401)
  async get(): Promise<SlackAppConfigDto> {
    return { configured: await this.apps.configured() };
  }

  @Put()
  @RequireOrgAdmin()
  @ApiOperation({
    operationId: 'putSlackAppConfig',
    summary: 'Set Slack app configuration (org-level)',
    description:
      'Sets the Slack app client ID and client secret for the current organization (organization admins). The secret is stored encrypted and never returned. ' +
      'Answers {configured: true}.',
  })
  @ApiOkResponse({ type: SlackAppConfigDto })
  @ApiErrors(400, 401, 403)
  async put(@Body() body: PutSlackAppConfigDto): Promise<SlackAppConfigDto> {
    await this.apps.put(body.client_id, body.client_secret);
    return { configured: true };
  }
}

/** SL-2..5: the active OU's Slack connection. */
@ApiTags('Settings')
@ApiBearerAuth('bearerAuth')
@ApiBasicAuth('basicAuth')
@OuScoped()
@Controller('settings/ou/slack')
export class SlackConnectionController {
  constructor(private readonly connections: SlackConnections) {}

  @Get()
  @ApiOperation({
    operationId: 'getOuSlackStatus',
    summary: 'Get OU Slack integration status',
    description: 'Returns whether the active OU is connected to a Slack workspace and basic metadata (never the bot token).',
  })
  @ApiOkResponse({ type: SlackStatusDto })
  @ApiErrors(400, 401)
  status(): Promise<SlackStatusDto> {
    return this.connections.status();
  }

  @Get('install')
  // a read by method, a change in effect (it starts an install): Viewers may not
  @RequireOuRole('Owner', 'Operator')
  @ApiOperation({
    operationId: 'beginSlackInstall',
    summary: 'Begin Slack installation',
    description:
      'Redirects the browser (302) to Slack’s OAuth installation URL using organization-specific app credentials, with a single-use state (10 minutes) ' +
      'for the active OU and the caller. 409 slack_app_not_configured until PUT /settings/slack. Viewers may not install.',
  })
  @ApiResponse({ status: 302, description: 'Redirect to Slack’s authorize URL', headers: LOCATION })
  @ApiErrors(400, 401, 403, 409)
  async beginRedirect(@Res() res: Response): Promise<void> {
    const url = await this.connections.begin();
    void res.status(302).header('Location', url).send();
  }

  @Post('install')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'initiateSlackInstall',
    summary: 'Initiate Slack installation',
    description: 'Creates a short-lived (10 minutes), single-use OAuth state for the active OU and returns Slack’s authorize URL.',
  })
  @ApiOkResponse({ type: SlackAuthorizeUrlDto })
  @ApiErrors(400, 401, 403, 409)
  async begin(): Promise<SlackAuthorizeUrlDto> {
    const url = await this.connections.begin();
    return { authorize_url: url, url };
  }

  @Delete()
  @HttpCode(204)
  @ApiOperation({
    operationId: 'disconnectOuSlack',
    summary: 'Disconnect OU Slack integration',
    description:
      'Deletes the active OU’s Slack connection and its bot token. 404 when the OU is not connected. Slack deliveries queued afterwards fail as not connected.',
  })
  @ApiNoContentResponse({ description: 'Disconnected' })
  @ApiErrors(400, 401, 403, 404)
  async disconnect(): Promise<void> {
    await this.connections.disconnect();
  }

  @Get('channels')
  @ApiOperation({
    operationId: 'listSlackChannels',
    summary: 'List Slack channels for the connected workspace',
    description:
      'Proxies Slack conversations.list and returns the upstream response (types, cursor and limit passed through; next page at response_metadata.next_cursor). ' +
      'Requires the OU to be connected to Slack (404 otherwise); Slack refusing the call answers 400 slack_rejected, Slack unavailable 502 slack_unavailable.',
  })
  @ApiOkResponse({ type: SlackChannelsDto })
  @ApiErrors(400, 401, 404, 502)
  channels(@Query() q: SlackChannelsQueryDto): Promise<SlackChannelsDto> {
    return this.connections.channels(q) as unknown as Promise<SlackChannelsDto>;
  }

  @Get('users')
  @ApiOperation({
    operationId: 'listSlackUsers',
    summary: 'List Slack users for the connected workspace',
    description:
      'Proxies Slack users.list and returns the upstream response (cursor and limit passed through). Requires the OU to be connected to Slack (404 otherwise).',
  })
  @ApiOkResponse({ type: SlackUsersDto })
  @ApiErrors(400, 401, 404, 502)
  users(@Query() q: SlackUsersQueryDto): Promise<SlackUsersDto> {
    return this.connections.users(q) as unknown as Promise<SlackUsersDto>;
  }

  @Put('default-target')
  @ApiOperation({
    operationId: 'putSlackDefaultTarget',
    summary: 'Set default Slack notification target for the active OU',
    description:
      'Persists the default Slack target (channel or user) for notifications: Slack deliveries that name no channel go there. Answers the OU’s Slack status. ' +
      '404 when the OU is not connected.',
  })
  @ApiOkResponse({ type: SlackStatusDto })
  @ApiErrors(400, 401, 403, 404)
  defaultTarget(@Body() body: SlackTargetDto): Promise<SlackStatusDto> {
    assertTargetId(body);
    return this.connections.setDefaultTarget(body.kind, body.id);
  }

  @Post('test')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'sendSlackTestMessage',
    summary: 'Send a test Slack notification to the selected target',
    description:
      'Sends a simple test message to the provided channel or user for the active OU. If kind=user, opens a DM first. 404 when the OU is not connected; ' +
      'Slack refusing (channel_not_found, not_in_channel, …) answers 400 slack_rejected naming Slack’s error.',
  })
  @ApiOkResponse({ type: SlackTestResultDto })
  @ApiErrors(400, 401, 403, 404, 502)
  test(@Body() body: SlackTestMessageDto): Promise<SlackTestResultDto> {
    assertTargetId(body);
    return this.connections.test(body.kind, body.id, body.text);
  }

  @Get('publish-notifications')
  @ApiOperation({
    operationId: 'getSlackPublishNotifications',
    summary: 'Get the Slack publish-notification opt-in flag for the active OU',
    description:
      'Returns whether the OU has opted in to a Slack post when a scoring ruleset is published. Default false. When the OU is not connected to Slack, returns ' +
      '{ enabled: false }.',
  })
  @ApiOkResponse({ type: SlackPublishNotificationsDto })
  @ApiErrors(400, 401)
  publish(): Promise<SlackPublishNotificationsDto> {
    return this.connections.publishNotifications();
  }

  @Put('publish-notifications')
  @ApiOperation({
    operationId: 'putSlackPublishNotifications',
    summary: 'Set the Slack publish-notification opt-in flag for the active OU',
    description: 'Persists the per-OU opt-in for posting to Slack on ruleset publish. Returns 404 when the OU has no Slack connection — connect Slack first.',
  })
  @ApiOkResponse({ type: SlackPublishNotificationsDto })
  @ApiErrors(400, 401, 403, 404)
  setPublish(@Body() body: SlackPublishNotificationsDto): Promise<SlackPublishNotificationsDto> {
    return this.connections.setPublishNotifications(body.enabled);
  }
}

/** SL-2 callback: Slack sends the browser here after the install (no credential; the single-use state identifies the OU and the member). */
@ApiTags('Settings')
@Controller('slack/oauth')
export class SlackOAuthController {
  constructor(private readonly connections: SlackConnections) {}

  @Get('callback')
  @Public()
  @ApiOperation({
    operationId: 'slackOAuthCallback',
    summary: 'Slack OAuth callback',
    description:
      'Handles Slack OAuth exchange (oauth.v2.access) and persists the OU connection with its bot token encrypted, then redirects (302) back to the Integrations ' +
      'page (KENBUN_APP_URL/settings/integrations; with slack_error=… when the installation was cancelled). An unknown, used or expired state answers 400 ' +
      'slack_oauth_state_invalid; Slack refusing the code 400 slack_oauth_failed.',
  })
  @ApiResponse({ status: 302, description: 'Redirect to the Integrations page', headers: LOCATION })
  @ApiErrors(400, 409)
  async callback(@Query() q: SlackOAuthCallbackQueryDto, @Res() res: Response): Promise<void> {
    const url = await this.connections.complete(q);
    void res.status(302).header('Location', url).send();
  }
}
