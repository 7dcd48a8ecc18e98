import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, Post, Put, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply as Response } from 'fastify';
import { ApiErrors } from '../../../platform/http';
import { RequestContext } from '../../../platform/tenancy';
import { MembershipsService } from '../services/memberships.service';
import { AssignMembershipDto, MembershipDto, MembershipRoleDto } from './ou-memberships.dto';

@ApiTags('OUMemberships')
@ApiBearerAuth('bearerAuth')
@Controller('org-units/:id/members')
export class OuMembershipsController {
  constructor(private readonly memberships: MembershipsService) {}

  @Get()
  @ApiOperation({
    operationId: 'listOuMemberships',
    summary: 'List OU memberships',
    description: 'Members of the OU with their OU roles. The caller must be a member of that OU.',
  })
  @ApiOkResponse({ type: [MembershipDto] })
  @ApiErrors(401, 403, 404)
  list(@Param('id') unitId: string): Promise<MembershipDto[]> {
    return this.memberships.list(RequestContext.principal(), unitId);
  }

  @Post()
  @ApiOperation({
    operationId: 'assignOuMembership',
    summary: 'Assign member to OU',
    description: 'Idempotent (201 when created, 200 when it existed; the role is set). Needs Owner or Operator in that OU.',
  })
  @ApiCreatedResponse({ type: MembershipDto })
  @ApiOkResponse({ type: MembershipDto, description: 'The membership existed' })
  @ApiErrors(400, 401, 403, 404)
  async assign(@Param('id') unitId: string, @Body() body: AssignMembershipDto, @Res({ passthrough: true }) res: Response): Promise<MembershipDto> {
    const { membership, created } = await this.memberships.assign(RequestContext.principal(), unitId, body.org_member_id, body.role ?? 'Viewer');
    res.status(created ? HttpStatus.CREATED : HttpStatus.OK);
    RequestContext.describe({
      entityType: 'ou_membership',
      entityId: `${unitId}/${body.org_member_id}`,
      summary: `assigned ${membership.email} to ${unitId} as ${membership.role}`,
    });
    return membership;
  }

  @Put(':memberId')
  @ApiOperation({
    operationId: 'updateOuMembership',
    summary: 'Update OU membership role (Owner/Operator required)',
    description: "Sets the member's role in the OU.",
  })
  @ApiOkResponse({ type: MembershipDto })
  @ApiErrors(400, 401, 403, 404)
  async update(@Param('id') unitId: string, @Param('memberId') memberId: string, @Body() body: MembershipRoleDto): Promise<MembershipDto> {
    const m = await this.memberships.changeRole(RequestContext.principal(), unitId, memberId, body.role);
    RequestContext.describe({
      entityType: 'ou_membership',
      entityId: `${unitId}/${memberId}`,
      summary: `changed the role of ${m.email} in ${unitId} to ${m.role}`,
    });
    return m;
  }

  @Delete(':memberId')
  @HttpCode(204)
  @ApiOperation({
    operationId: 'removeOuMembership',
    summary: 'Remove OU membership (Owner/Operator required)',
    description: 'The member loses access to the OU at once.',
  })
  @ApiNoContentResponse({ description: 'Removed' })
  @ApiErrors(401, 403, 404)
  async remove(@Param('id') unitId: string, @Param('memberId') memberId: string): Promise<void> {
    await this.memberships.remove(RequestContext.principal(), unitId, memberId);
    RequestContext.describe({ entityType: 'ou_membership', entityId: `${unitId}/${memberId}`, summary: `removed ${memberId} from ${unitId}` });
  }
}
