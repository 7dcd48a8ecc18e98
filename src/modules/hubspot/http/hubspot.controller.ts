import { Body, Controller, Delete, Get, HttpCode, Post, Put, Query, Res } from '@nestjs/common';
import { ApiBasicAuth, ApiBearerAuth, ApiBody, ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply as Response } from 'fastify';
import { ApiErrors, Public } from '../../../platform/http';
import { OuScoped } from '../../../platform/tenancy';
import { HubSpotConnections } from '../connection/hubspot-connections.service';
import { HubSpotSyncJobs } from '../sync/hubspot-sync-jobs.service';
import {
  EngagementSyncStatusDto,
  EngagementTypesDto,
  HubSpotAuthorizeDto,
  HubSpotBackfillDto,
  HubSpotBackfillResultDto,
  HubSpotCredentialsDto,
  HubSpotCredentialsResultDto,
  HubSpotOAuthCallbackQueryDto,
  HubSpotStatusDto,
  PutEngagementTypesDto,
} from './hubspot.dto';

const LOCATION = { Location: { description: 'Where the browser goes next', schema: { type: 'string' } } };

/** HS-1..7: the active OU's HubSpot connection and sync. */
@ApiTags('HubSpot')
@ApiBearerAuth('bearerAuth')
@ApiBasicAuth('basicAuth')
@OuScoped()
@Controller('settings/ou/hubspot')
export class HubSpotController {
  constructor(
    private readonly connections: HubSpotConnections,
    private readonly syncs: HubSpotSyncJobs,
  ) {}

  @Put('engagement-types')
  @ApiOperation({
    operationId: 'putHubSpotEngagementTypes',
    summary: 'Update engagement type preferences',
    description:
      'Updates which HubSpot engagement types (emails, calls, meetings, notes, tasks) are synced for the active Organizational Unit. Optionally marks the ' +
      'connection as including engagement history imports. Changes take effect for future syncs; to import past engagement activity now, use POST ' +
      '/settings/ou/hubspot/backfill with include_engagement_history: true.',
  })
  @ApiOkResponse({ type: EngagementTypesDto })
  @ApiErrors(400, 401, 403)
  putEngagementTypes(@Body() body: PutEngagementTypesDto): Promise<EngagementTypesDto> {
    return this.connections.setEngagementTypes(body.engagement_types, body.include_engagement_history);
  }

  @Get('engagement-types')
  @ApiOperation({
    operationId: 'getHubSpotEngagementTypes',
    summary: 'Get engagement sync status',
    description: 'Returns the engagement types enabled for the active OU and whether (and when) an engagement history import completed.',
  })
  @ApiOkResponse({ type: EngagementSyncStatusDto })
  @ApiErrors(400, 401)
  engagementTypes(): Promise<EngagementSyncStatusDto> {
    return this.connections.engagementStatus();
  }

  @Post('backfill')
  @HttpCode(202)
  @ApiOperation({
    operationId: 'hubspotBackfill',
    summary: 'Import historical HubSpot data',
    description:
      'Queues a background import of historical HubSpot data for the active OU. No body (or include_contacts omitted) imports contacts (as leads, by e-mail), ' +
      'with companies (accounts), deals and deal pipelines; include_engagement_history adds the engagement history of the given (else the enabled) types as ' +
      'lead events with their HubSpot timestamps, without firing triggers. Engagement history already imported is skipped unless force. Re-running imports ' +
      'nothing twice. Large datasets (10,000+ records) may take hours; GET /settings/ou/hubspot shows last_synced_at. 404 hubspot_connection_not_found when the ' +
      'OU is not (or no longer) connected.',
  })
  @ApiBody({ type: HubSpotBackfillDto, required: false })
  @ApiResponse({ status: 202, type: HubSpotBackfillResultDto, description: 'Queued' })
  @ApiErrors(400, 401, 403, 404)
  backfill(@Body() body: HubSpotBackfillDto = {}): Promise<HubSpotBackfillResultDto> {
    return this.syncs.backfill(body ?? {});
  }

  @Get()
  @ApiOperation({
    operationId: 'getHubSpotStatus',
    summary: 'Get HubSpot connection status',
    description:
      'Returns the HubSpot connection state of the active OU and which OAuth app brokers it (app_mode: shared, byo or unconfigured). Never returns tokens or secrets.',
  })
  @ApiOkResponse({ type: HubSpotStatusDto })
  @ApiErrors(400, 401)
  status(): Promise<HubSpotStatusDto> {
    return this.connections.status();
  }

  @Post('oauth/initiate')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'initiateHubSpotOAuth',
    summary: 'Start the HubSpot OAuth handshake',
    description:
      'Builds the HubSpot authorization URL (BYO credentials when saved, else the kenbun-managed shared app) with a single-use state (10 minutes) for the ' +
      'active OU and the caller. 412 hubspot_app_not_configured when neither is available.',
  })
  @ApiOkResponse({ type: HubSpotAuthorizeDto })
  @ApiErrors(400, 401, 403, 412)
  initiate(): Promise<HubSpotAuthorizeDto> {
    return this.connections.initiate();
  }

  @Post('credentials')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'saveHubSpotCredentials',
    summary: 'Save customer-supplied HubSpot OAuth credentials (Bring Your Own App)',
    description:
      'Stores the Client ID and Client Secret (encrypted at rest, never returned) of a customer-owned HubSpot OAuth app for the active OU: oauth/initiate then ' +
      'uses them (app_mode byo).',
  })
  @ApiOkResponse({ type: HubSpotCredentialsResultDto })
  @ApiErrors(400, 401, 403)
  saveCredentials(@Body() body: HubSpotCredentialsDto): Promise<HubSpotCredentialsResultDto> {
    return this.connections.saveCredentials(body.client_id, body.client_secret);
  }

  @Delete('credentials')
  @ApiOperation({
    operationId: 'clearHubSpotCredentials',
    summary: 'Clear customer-supplied HubSpot OAuth credentials',
    description:
      'Removes the BYO Client ID and Secret and the tokens issued to that app, reverting to the shared app; the OU must re-authorize via oauth/initiate. ' +
      'Previously synced contacts, deals, engagement history and scores are kept.',
  })
  @ApiOkResponse({ type: HubSpotCredentialsResultDto })
  @ApiErrors(400, 401, 403)
  clearCredentials(): Promise<HubSpotCredentialsResultDto> {
    return this.connections.clearCredentials();
  }
}

/** The OAuth callback: HubSpot sends the browser here (no credential; the single-use state identifies the OU and the member). */
@ApiTags('HubSpot')
@Controller('hubspot/oauth')
export class HubSpotOAuthController {
  constructor(private readonly connections: HubSpotConnections) {}

  @Get('callback')
  @Public()
  @ApiOperation({
    operationId: 'hubspotOAuthCallback',
    summary: 'HubSpot OAuth callback',
    description:
      'Exchanges the code at HubSpot’s /oauth/v1/token, stores the tokens encrypted and redirects (302) to KENBUN_APP_URL/settings/integrations ' +
      '(with hubspot_error=… when the user declined). An unknown, used or expired state answers 400 hubspot_oauth_state_invalid; HubSpot refusing the code ' +
      '400 hubspot_oauth_failed.',
  })
  @ApiResponse({ status: 302, description: 'Redirect to the Integrations page', headers: LOCATION })
  @ApiErrors(400, 412, 502)
  async callback(@Query() q: HubSpotOAuthCallbackQueryDto, @Res() res: Response): Promise<void> {
    const url = await this.connections.complete(q);
    void res.status(302).header('Location', url).send();
  }
}
