import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put } from '@nestjs/common';
import { ApiBasicAuth, ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../../../platform/http';
import { OuScoped } from '../../../platform/tenancy';
import { FitReads } from '../../scoring';
import {
  AccountRuleDto,
  AttributeRulesetBodyDto,
  AttributeRulesetDto,
  CreateAccountRuleDto,
  CreateProfileRuleDto,
  ProfileRuleDto,
  UpdateAccountRuleDto,
  UpdateProfileRuleDto,
} from './attribute-rulesets.dto';
import { AttributeScoringService } from './attribute-scoring.service';

const op = (operationId: string, summary: string, description: string) => ApiOperation({ operationId, summary, description });
const PROFILE_CHANGE = ' Every lead of the OU is then re-evaluated in the background (profile scores, levels and disqualifications).';

/** Profile rulesets and rules (PRF-5, PRF-6): the Ruleset aggregate with dimension `profile`. */
@ApiTags('Profile')
@ApiBearerAuth('bearerAuth')
@ApiBasicAuth('basicAuth')
@OuScoped()
@Controller('profile-scoring/rulesets')
export class ProfileRulesetsController {
  constructor(private readonly rulesets: AttributeScoringService) {}

  @Get()
  @op('listProfileRulesets', 'List profile rule sets (OU-scoped)', 'Profile rulesets of the active OU, primary first.')
  @ApiOkResponse({ type: [AttributeRulesetDto] })
  @ApiErrors(400, 401)
  list(): Promise<AttributeRulesetDto[]> {
    return this.rulesets.list('profile');
  }

  @Post()
  @op(
    'createProfileRuleset',
    'Create profile rule set (OU-scoped)',
    'is_primary (default false) makes it the primary profile ruleset, taking the flag from the current one.',
  )
  @ApiCreatedResponse({ type: AttributeRulesetDto })
  @ApiErrors(400, 401, 403, 409)
  create(@Body() body: AttributeRulesetBodyDto): Promise<AttributeRulesetDto> {
    return this.rulesets.create('profile', body);
  }

  @Put(':id')
  @op('updateProfileRuleset', 'Update profile rule set (OU-scoped)', 'Renames, enables/disables, sets the primary flag or the score floor.' + PROFILE_CHANGE)
  @ApiOkResponse({ type: AttributeRulesetDto })
  @ApiErrors(400, 401, 403, 404, 409)
  update(@Param('id') id: string, @Body() body: AttributeRulesetBodyDto): Promise<AttributeRulesetDto> {
    return this.rulesets.update('profile', id, body);
  }

  @Delete(':id')
  @HttpCode(204)
  @op('deleteProfileRuleset', 'Delete profile rule set (OU-scoped)', 'Deletes the ruleset and its rules.' + PROFILE_CHANGE)
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiErrors(401, 403, 404)
  remove(@Param('id') id: string): Promise<void> {
    return this.rulesets.remove('profile', id);
  }

  @Get(':id/rules')
  @op('listProfileRules', 'List profile rules in a set (OU-scoped)', 'Rules of one profile ruleset by ui_order.')
  @ApiOkResponse({ type: [ProfileRuleDto] })
  @ApiErrors(401, 404)
  rules(@Param('id') id: string): Promise<ProfileRuleDto[]> {
    return this.rulesets.rules('profile', id) as Promise<ProfileRuleDto[]>;
  }

  @Post(':id/rules')
  @op(
    'createProfileRule',
    'Create profile rule (OU-scoped)',
    'rule_type add_points (default) adds weight when the lead’s metadata matches; hard_disqualify disqualifies the lead. `conditions` only on hard_disqualify (400 otherwise); numeric conditions need a numeric comparison_value (400).' +
      PROFILE_CHANGE,
  )
  @ApiCreatedResponse({ type: ProfileRuleDto })
  @ApiErrors(400, 401, 403, 404)
  createRule(@Param('id') id: string, @Body() body: CreateProfileRuleDto): Promise<ProfileRuleDto> {
    return this.rulesets.createRule('profile', id, body) as Promise<ProfileRuleDto>;
  }

  @Put(':id/rules/:ruleId')
  @op('updateProfileRule', 'Update profile rule (OU-scoped)', 'Partial update, checked as the whole rule it makes.' + PROFILE_CHANGE)
  @ApiOkResponse({ type: ProfileRuleDto })
  @ApiErrors(400, 401, 403, 404)
  updateRule(@Param('id') id: string, @Param('ruleId') ruleId: string, @Body() body: UpdateProfileRuleDto): Promise<ProfileRuleDto> {
    return this.rulesets.updateRule('profile', id, ruleId, body) as Promise<ProfileRuleDto>;
  }

  @Delete(':id/rules/:ruleId')
  @HttpCode(204)
  @op('deleteProfileRule', 'Delete profile rule (OU-scoped)', 'Documented by the docs page of the rule (002 does not list it).' + PROFILE_CHANGE)
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiErrors(401, 403, 404)
  removeRule(@Param('id') id: string, @Param('ruleId') ruleId: string): Promise<void> {
    return this.rulesets.removeRule('profile', id, ruleId);
  }
}

const ABM = ' 403 unless ABM is enabled (scoring settings abm_enabled).';

/** Account rulesets and rules (ABM-3), behind ABM-1. */
@ApiTags('Account')
@ApiBearerAuth('bearerAuth')
@ApiBasicAuth('basicAuth')
@OuScoped()
@Controller('account-scoring/rulesets')
export class AccountRulesetsController {
  constructor(
    private readonly rulesets: AttributeScoringService,
    private readonly fit: FitReads,
  ) {}

  @Get()
  @op('listAccountRulesets', 'List account rule sets (OU-scoped)', 'Account rulesets of the active OU, primary first.' + ABM)
  @ApiOkResponse({ type: [AttributeRulesetDto] })
  @ApiErrors(400, 401, 403)
  async list(): Promise<AttributeRulesetDto[]> {
    await this.fit.assertAbmEnabled();
    return this.rulesets.list('account');
  }

  @Post()
  @op('createAccountRuleset', 'Create account rule set (OU-scoped)', 'is_primary (default false): the primary ruleset’s score drives account levels.' + ABM)
  @ApiCreatedResponse({ type: AttributeRulesetDto })
  @ApiErrors(400, 401, 403, 409)
  async create(@Body() body: AttributeRulesetBodyDto): Promise<AttributeRulesetDto> {
    await this.fit.assertAbmEnabled();
    return this.rulesets.create('account', body);
  }

  @Put(':id')
  @op('updateAccountRuleset', 'Update account rule set (OU-scoped)', 'Renames, enables/disables, sets the primary flag or the score floor.' + ABM)
  @ApiOkResponse({ type: AttributeRulesetDto })
  @ApiErrors(400, 401, 403, 404, 409)
  async update(@Param('id') id: string, @Body() body: AttributeRulesetBodyDto): Promise<AttributeRulesetDto> {
    await this.fit.assertAbmEnabled();
    return this.rulesets.update('account', id, body);
  }

  @Delete(':id')
  @HttpCode(204)
  @op('deleteAccountRuleset', 'Delete account rule set (OU-scoped)', 'Deletes the ruleset and its rules.' + ABM)
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiErrors(401, 403, 404)
  async remove(@Param('id') id: string): Promise<void> {
    await this.fit.assertAbmEnabled();
    return this.rulesets.remove('account', id);
  }

  @Get(':id/rules')
  @op('listAccountRules', 'List account rules in a set (OU-scoped)', 'Rules of one account ruleset by ui_order.' + ABM)
  @ApiOkResponse({ type: [AccountRuleDto] })
  @ApiErrors(401, 403, 404)
  async rules(@Param('id') id: string): Promise<AccountRuleDto[]> {
    await this.fit.assertAbmEnabled();
    return this.rulesets.rules('account', id) as Promise<AccountRuleDto[]>;
  }

  @Post(':id/rules')
  @op(
    'createAccountRule',
    'Create account rule (OU-scoped)',
    'Tests account metadata (account_property). `conditions` only on hard_disqualify (400 otherwise); numeric conditions need a numeric comparison_value (400).' +
      ABM,
  )
  @ApiCreatedResponse({ type: AccountRuleDto })
  @ApiErrors(400, 401, 403, 404)
  async createRule(@Param('id') id: string, @Body() body: CreateAccountRuleDto): Promise<AccountRuleDto> {
    await this.fit.assertAbmEnabled();
    return this.rulesets.createRule('account', id, body) as Promise<AccountRuleDto>;
  }

  @Put(':id/rules/:ruleId')
  @op('updateAccountRule', 'Update account rule (OU-scoped)', 'Partial update, checked as the whole rule it makes.' + ABM)
  @ApiOkResponse({ type: AccountRuleDto })
  @ApiErrors(400, 401, 403, 404)
  async updateRule(@Param('id') id: string, @Param('ruleId') ruleId: string, @Body() body: UpdateAccountRuleDto): Promise<AccountRuleDto> {
    await this.fit.assertAbmEnabled();
    return this.rulesets.updateRule('account', id, ruleId, body) as Promise<AccountRuleDto>;
  }

  @Delete(':id/rules/:ruleId')
  @HttpCode(204)
  @op('deleteAccountRule', 'Delete account rule (OU-scoped)', 'Deletes one rule of an account ruleset.' + ABM)
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiErrors(401, 403, 404)
  async removeRule(@Param('id') id: string, @Param('ruleId') ruleId: string): Promise<void> {
    await this.fit.assertAbmEnabled();
    return this.rulesets.removeRule('account', id, ruleId);
  }
}
