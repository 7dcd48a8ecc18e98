import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../../../platform/http';
import { RequestContext, RequireOrgAdmin } from '../../../platform/tenancy';
import { MembersService } from '../services/members.service';
import { CreateMemberDto, MemberDto, MemberListItemDto, SlackUserIdDto, SlackUserIdResultDto, UpdateMemberDto } from './members.dto';
import { toMember, toMemberListItem } from './identity.mappers';

@ApiTags('OrgUnits')
@ApiBearerAuth('bearerAuth')
@Controller('members')
export class MembersController {
  constructor(private readonly members: MembersService) {}

  @Get()
  @ApiOperation({ operationId: 'listMembers', summary: 'List organization members', description: "Members of the caller's organization." })
  @ApiOkResponse({ type: [MemberListItemDto] })
  @ApiErrors(401)
  async list(): Promise<MemberListItemDto[]> {
    return (await this.members.list()).map(toMemberListItem);
  }

  @Post()
  @RequireOrgAdmin()
  @ApiOperation({
    operationId: 'createMember',
    summary: 'Create organization member',
    description: 'Org admins only. The password is stored as a scrypt hash.',
  })
  @ApiCreatedResponse({ type: MemberDto })
  @ApiErrors(400, 401, 403, 409)
  async create(@Body() body: CreateMemberDto): Promise<MemberDto> {
    const m = await this.members.create(RequestContext.orgId(), body);
    RequestContext.describe({ entityType: 'member', entityId: m.id, summary: `created member ${m.email} (${m.role})` });
    return toMember(m);
  }

  @Put(':id')
  @HttpCode(204)
  @RequireOrgAdmin()
  @ApiOperation({
    operationId: 'updateMember',
    summary: 'Update organization member',
    description: 'Partial update; the last admin cannot be demoted (409 last_admin).',
  })
  @ApiNoContentResponse({ description: 'Updated' })
  @ApiErrors(400, 401, 403, 404, 409)
  async update(@Param('id') id: string, @Body() body: UpdateMemberDto): Promise<void> {
    const m = await this.members.update(id, body);
    RequestContext.describe({ entityType: 'member', entityId: m.id, summary: `updated member ${m.email}` });
  }

  @Delete(':id')
  @HttpCode(204)
  @RequireOrgAdmin()
  @ApiOperation({
    operationId: 'deleteMember',
    summary: 'Delete organization member',
    description: 'Revokes access to every OU and every token of the member at once. The last admin cannot be deleted (409).',
  })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiErrors(401, 403, 404, 409)
  async remove(@Param('id') id: string): Promise<void> {
    const m = await this.members.remove(id);
    RequestContext.describe({ entityType: 'member', entityId: m.id, summary: `deleted member ${m.email}` });
  }

  @Put(':org_member_id/slack')
  @RequireOrgAdmin()
  @ApiOperation({
    operationId: 'setMemberSlackUserId',
    summary: "Manually set a member's Slack user identifier",
    description: 'Admin only; members of other organizations answer 404.',
  })
  @ApiOkResponse({ type: SlackUserIdResultDto })
  @ApiErrors(400, 401, 403, 404)
  async setSlack(@Param('org_member_id') id: string, @Body() body: SlackUserIdDto): Promise<SlackUserIdResultDto> {
    const m = await this.members.setSlackUserId(id, body.slack_user_id);
    RequestContext.describe({ entityType: 'member', entityId: m.id, summary: `set the Slack user id of ${m.email}` });
    return { org_member_id: m.id, slack_user_id: m.slackUserId! };
  }
}
