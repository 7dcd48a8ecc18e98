import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, Post, Put, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../../../platform/http';
import { OuScoped } from '../../../platform/tenancy';
import { BuyingCommittee } from '../application/buying-committee';
import { CommitteeMemberDto, CommitteeMemberInputDto } from './accounts.dto';
import { AbmGuard } from './abm.guard';

const ABM = ' Answers 403 abm_disabled unless the organization has abm_enabled (ABM-1).';

/** The buying committee of an account (BC-1..3). */
@ApiTags('Account')
@ApiBearerAuth('bearerAuth')
@OuScoped()
@UseGuards(AbmGuard)
@Controller('accounts/:accountId/buying-committee')
export class BuyingCommitteeController {
  constructor(private readonly committee: BuyingCommittee) {}

  @Get()
  @ApiOperation({
    operationId: 'getBuyingCommittee',
    summary: 'Get buying committee for an account',
    description: 'BC-1: members with roles, engagement and activity.' + ABM,
  })
  @ApiOkResponse({ type: [CommitteeMemberDto] })
  @ApiErrors(400, 401, 403, 404)
  list(@Param('accountId') accountId: string): Promise<CommitteeMemberDto[]> {
    return this.committee.list(accountId);
  }

  @Post()
  @ApiOperation({
    operationId: 'addBuyingCommitteeMember',
    summary: 'Add a member to the buying committee',
    description: 'BC-2: a lead of the account joins with a role as a manual member (is_manual: true), which automatic refreshes never overwrite.' + ABM,
  })
  @ApiCreatedResponse({ type: CommitteeMemberDto })
  @ApiErrors(400, 401, 403, 404)
  add(@Param('accountId') accountId: string, @Body() body: CommitteeMemberInputDto): Promise<CommitteeMemberDto> {
    return this.committee.add(accountId, body);
  }

  @Put()
  @ApiOperation({
    operationId: 'updateBuyingCommitteeRole',
    summary: 'Update a contact’s buying committee role',
    description: 'BC-2: the member’s role (and notes, when given) change; the member becomes manual. 404 when the lead is not a member.' + ABM,
  })
  @ApiOkResponse({ type: CommitteeMemberDto })
  @ApiErrors(400, 401, 403, 404)
  update(@Param('accountId') accountId: string, @Body() body: CommitteeMemberInputDto): Promise<CommitteeMemberDto> {
    return this.committee.update(accountId, body);
  }

  @Post('refresh')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    operationId: 'refreshBuyingCommittee',
    summary: 'Refresh auto-detected buying committee roles',
    description:
      'BC-2/BC-3: automatic members are re-inferred from the account’s qualified leads with at least one activity (title keywords: decision_maker, influencer; ' +
      'champion = the most engaged non-decision-maker at or above the Hot level, else the top quartile; else other); manual members are left alone. Answers the committee.' +
      ABM,
  })
  @ApiOkResponse({ type: [CommitteeMemberDto] })
  @ApiErrors(400, 401, 403, 404)
  refresh(@Param('accountId') accountId: string): Promise<CommitteeMemberDto[]> {
    return this.committee.refresh(accountId);
  }

  @Delete(':leadId')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({
    operationId: 'removeBuyingCommitteeMember',
    summary: 'Remove a member from the buying committee',
    description: 'BC-2: 404 when the lead is not a member.' + ABM,
  })
  @ApiNoContentResponse({ description: 'Removed' })
  @ApiErrors(400, 401, 403, 404)
  async remove(@Param('accountId') accountId: string, @Param('leadId') leadId: string): Promise<void> {
    await this.committee.remove(accountId, leadId);
  }
}
