import { Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiBasicAuth, ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../../../platform/http';
import { OuScoped, RequireOuRole } from '../../../platform/tenancy';
import { SlackIdentities } from '../identity-sync/slack-identity.service';
import { SlackIdentityStatusDto, SlackIdentitySyncDto } from './slack.dto';

/** SL-6: Slack identities of the active OU's members. */
@ApiTags('Settings')
@ApiBearerAuth('bearerAuth')
@ApiBasicAuth('basicAuth')
@OuScoped()
@Controller('integrations/slack')
export class SlackIdentityController {
  constructor(private readonly identities: SlackIdentities) {}

  @Get('identity-status')
  @ApiOperation({
    operationId: 'getSlackIdentityStatus',
    summary: 'Get Slack identity mapping status for the active OU',
    description:
      'Returns the total number of confirmed members in the active Organizational Unit (members with a membership in it) and how many of them have a Slack ' +
      'user identifier on file. Available to any member of the active OU.',
  })
  @ApiOkResponse({ type: SlackIdentityStatusDto })
  @ApiErrors(400, 401)
  status(): Promise<SlackIdentityStatusDto> {
    return this.identities.status();
  }

  @Post('sync-identities')
  @HttpCode(200)
  // "admin only": the OU's administrators, i.e. its Owners and the organization admins (who are Owners of every OU)
  @RequireOuRole('Owner')
  @ApiOperation({
    operationId: 'syncSlackIdentities',
    summary: 'Run the Slack identity sync for the active OU',
    description:
      'Matches every confirmed member of the active OU without a Slack user id to a user of the connected workspace by e-mail (users.list, case-insensitive; ' +
      'deleted users and bots left out) and stores the matches. Members already mapped are skipped. Blocks until the sync completes and returns a summary. ' +
      'OU Owners and organization admins only; 404 when the OU is not connected.',
  })
  @ApiOkResponse({ type: SlackIdentitySyncDto })
  @ApiErrors(400, 401, 403, 404)
  sync(): Promise<SlackIdentitySyncDto> {
    return this.identities.sync();
  }
}
