import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, Patch, Post, Query, Res, UseGuards } from '@nestjs/common';
import { ApiBasicAuth, ApiBearerAuth, ApiBody, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { ApiErrors } from '../../../platform/http';
import { OuScoped } from '../../../platform/tenancy';
import { AccountCommands } from '../application/account-commands';
import { AccountReads } from '../application/account-reads';
import {
  AccountDeleteResultDto,
  AccountDetailDto,
  AccountFuzzyDto,
  AccountFuzzyQueryDto,
  AccountIdsDto,
  AccountListDto,
  AccountListQueryDto,
  AccountLookupQueryDto,
  AccountMergeDto,
  AccountMergeResultDto,
  AccountMetadataPatchDto,
  AccountRefDto,
  AccountWhyDto,
} from './accounts.dto';
import { AbmGuard } from './abm.guard';

const ABM = ' Answers 403 abm_disabled unless the organization has abm_enabled (ABM-1).';

/** ABM accounts (ACC-1..8). Static paths (by-domain, fuzzy) come before `/accounts/{id}`. */
@ApiTags('Account')
@ApiBearerAuth('bearerAuth')
@ApiBasicAuth('basicAuth')
@OuScoped()
@UseGuards(AbmGuard)
@Controller('accounts')
export class AccountsController {
  constructor(
    private readonly reads: AccountReads,
    private readonly commands: AccountCommands,
  ) {}

  @Get('by-domain')
  @ApiOperation({
    operationId: 'lookupAccount',
    summary: 'Look up account by domain or name',
    description:
      'ACC-1: the domain is tried first, the exact name (case-insensitive) is the fallback; the first match, or null. 400 when neither is given.' + ABM,
  })
  @ApiOkResponse({ type: AccountRefDto, description: 'The account, or null when nothing matches' })
  @ApiErrors(400, 401, 403)
  async byDomain(@Query() q: AccountLookupQueryDto, @Res() res: FastifyReply): Promise<void> {
    const hit = await this.reads.lookup(q);
    await res.status(200).header('content-type', 'application/json; charset=utf-8').send(JSON.stringify(hit));
  }

  @Get('fuzzy')
  @ApiOperation({
    operationId: 'fuzzySearchAccounts',
    summary: 'Fuzzy search accounts by name similarity',
    description:
      'ACC-2: accounts ranked by max(Jaro-Winkler, token set ratio / 100) of the lower-cased names (candidates narrowed by pg_trgm first); at most 5, only above 0.6.' +
      ABM,
  })
  @ApiOkResponse({ type: AccountFuzzyDto })
  @ApiErrors(400, 401, 403)
  fuzzy(@Query() q: AccountFuzzyQueryDto): Promise<AccountFuzzyDto> {
    return this.reads.fuzzy(q.name);
  }

  @Get()
  @ApiOperation({
    operationId: 'listAccounts',
    summary: 'List accounts aggregated by OU',
    description:
      'ACC-3: top_score (max lead score of the account), leads_count, owner_name (owner of the top-scoring lead) and surging (a lead of the account surged in the last 24 h), ' +
      'over qualified leads unless include_disqualified=true. Default sort: score desc.' +
      ABM,
  })
  @ApiOkResponse({ type: AccountListDto })
  @ApiErrors(400, 401, 403)
  list(@Query() q: AccountListQueryDto): Promise<AccountListDto> {
    return this.reads.list(q);
  }

  @Delete()
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    operationId: 'deleteAccounts',
    summary: 'Batch delete/unlink accounts',
    description:
      'ACC-6: unlinks the OU’s leads from the given accounts (they are not regrouped into them until their grouping key changes) and deletes the accounts, ' +
      'no longer referenced by any lead. 404 when an id is not a live account of the OU (nothing is changed).' +
      ABM,
  })
  @ApiBody({ type: AccountIdsDto })
  @ApiOkResponse({ type: AccountDeleteResultDto })
  @ApiErrors(400, 401, 403, 404)
  remove(@Body() body: AccountIdsDto): Promise<AccountDeleteResultDto> {
    return this.commands.deleteMany(body.ids);
  }

  @Get(':id')
  @ApiOperation({
    operationId: 'getAccount',
    summary: 'Get account detail',
    description: 'ACC-4: the account, its leads and the latest events of its leads.' + ABM,
  })
  @ApiOkResponse({ type: AccountDetailDto })
  @ApiErrors(400, 401, 403, 404)
  detail(@Param('id') id: string): Promise<AccountDetailDto> {
    return this.reads.detail(id);
  }

  @Patch(':id/metadata')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({
    operationId: 'updateAccountMetadata',
    summary: 'Update account metadata',
    description: 'ACC-5: partial merge of metadata (a null value removes the key) and optional name and domain; the account is re-scored.' + ABM,
  })
  @ApiNoContentResponse({ description: 'Updated' })
  @ApiErrors(400, 401, 403, 404)
  async patch(@Param('id') id: string, @Body() body: AccountMetadataPatchDto): Promise<void> {
    await this.commands.patchMetadata(id, body);
  }

  @Post(':id/merge')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    operationId: 'mergeAccount',
    summary: 'Merge source account into target account',
    description:
      'ACC-7: every lead and deal of the source moves to the target; the source is archived (hidden from lists and lookups); permanent; audited. ' +
      '400 when target_id is missing or equals the source; 404 when either account is not a live account of the OU.' +
      ABM,
  })
  @ApiOkResponse({ type: AccountMergeResultDto })
  @ApiErrors(400, 401, 403, 404)
  merge(@Param('id') id: string, @Body() body: AccountMergeDto): Promise<AccountMergeResultDto> {
    return this.commands.merge(id, body.target_id);
  }

  @Get(':accountID/why')
  @ApiOperation({
    operationId: 'getAccountWhy',
    summary: 'Get aggregated Top-3 scoring factors across the buying committee',
    description:
      'ACC-8: the top-3 factors across the qualified contacts, each at its maximum contribution among them (engagement and profile factors of each contact’s Why, ' +
      'matching account rules, engaged buying committee roles); disqualified contacts excluded; mostly_disqualified when more than half are; with no qualified contact, ' +
      'factors is empty and summary is "No qualified contacts in this account."' +
      ABM,
  })
  @ApiOkResponse({ type: AccountWhyDto })
  @ApiErrors(400, 401, 403, 404)
  why(@Param('accountID') id: string): Promise<AccountWhyDto> {
    return this.reads.why(id);
  }
}
