import { Body, Controller, HttpCode, HttpStatus, Post, Res, UseGuards } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBasicAuth, ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { DataSource } from 'typeorm';
import { selectOne, sql } from '../../../platform/database';
import { ApiErrors } from '../../../platform/http';
import { currentUnit, OuScoped, unitScope, ViewerMayWrite } from '../../../platform/tenancy';
import { BackfillJobDto, BackfillJobs } from '../../mappings';
import { AccountTestDto, AttributeTestResultDto, FitReads, Metadata } from '../../scoring';
import { AccountErrors } from '../accounts.errors';
import { BACKFILL_ACCOUNT_MAPPING, BACKFILL_EVENT_ACCOUNT_ID } from '../backfill/account-backfills';
import { BackfillAccountMappingResultDto, BackfillEventAccountIdResultDto } from './accounts.dto';
import { AbmGuard } from './abm.guard';

const ABM = ' Answers 403 abm_disabled unless the organization has abm_enabled (ABM-1).';
const QUEUED =
  ' A queued job on the worker (the backfill mechanism of POST /backfill/profile-mappings): answers 200 with the counts when it finishes within SCHEDULED_JOB_RUN_WAIT_MS, ' +
  'else 202 with the job to follow at GET /backfill/jobs/{jobId}. Safe to re-run.';

/** The account dry run (ABM-5) and the account backfills (ADM-1, ADM-2). */
@ApiBearerAuth('bearerAuth')
@OuScoped()
@UseGuards(AbmGuard)
@Controller()
export class AccountScoringController {
  constructor(
    private readonly ds: DataSource,
    private readonly fit: FitReads,
    private readonly backfills: BackfillJobs,
  ) {}

  @Post('account-scoring/test')
  @HttpCode(HttpStatus.OK)
  @ViewerMayWrite()
  @ApiTags('Account')
  @ApiBasicAuth('basicAuth')
  @ApiOperation({
    operationId: 'testAccountRule',
    summary: 'Test an account scoring rule against an account (dry run)',
    description:
      'ABM-5: evaluates the rule on the metadata of the lead’s account through the same evaluator as the live account score: `current_score` is the stored account score, ' +
      '`projected_score` the score with the rule saved (default: the primary account ruleset; `rule.rule_id` replaces that rule). Nothing is persisted. ' +
      '404 for an unknown lead or a lead without an account.' +
      ABM,
  })
  @ApiOkResponse({ type: AttributeTestResultDto })
  @ApiErrors(400, 401, 403, 404)
  async test(@Body() body: AccountTestDto): Promise<AttributeTestResultDto> {
    const { orgId, unitId } = currentUnit();
    const lead = await selectOne<{ account_ref: string | null }>(
      this.ds,
      sql`SELECT account_ref FROM leads WHERE ${unitScope()} AND lead_id = ${body.lead_id} AND status = 'active'`,
    );
    if (!lead) throw AccountErrors.notFound('lead_not_found', 'lead');
    const account = lead.account_ref
      ? await selectOne<{ metadata: Metadata; account_score: number }>(
          this.ds,
          sql`SELECT metadata, account_score FROM accounts WHERE id = ${lead.account_ref} AND archived_at IS NULL`,
        )
      : undefined;
    if (!account) throw AccountErrors.notFound('account_not_found', 'account of this lead');
    return this.fit.accountDryRun(orgId, unitId, body.rule, body.ruleset_id, account.metadata, Number(account.account_score));
  }

  @Post('backfill/account-mapping')
  @HttpCode(HttpStatus.OK)
  @ApiTags('Admin')
  @ApiOperation({
    operationId: 'backfillAccountMapping',
    summary: 'Backfill account mapping and profile scoring (OU-scoped)',
    description:
      'ADM-1: groups every lead of the active OU into its account (its account_id, else its events’ accountId, else its non-free-mail e-mail domain), re-derives account ' +
      'metadata from the leads’ events with the account mappings, re-scores accounts and re-evaluates profile scores.' +
      QUEUED +
      ABM,
  })
  @ApiOkResponse({ type: BackfillAccountMappingResultDto })
  @ApiAcceptedResponse({ type: BackfillJobDto })
  @ApiErrors(400, 401, 403)
  async accountMapping(@Res({ passthrough: true }) res: FastifyReply): Promise<BackfillAccountMappingResultDto | BackfillJobDto> {
    const outcome = await this.backfills.start<BackfillAccountMappingResultDto>(BACKFILL_ACCOUNT_MAPPING);
    if (outcome.done) return outcome.result;
    res.status(HttpStatus.ACCEPTED);
    return outcome.job;
  }

  @Post('backfill/event-account-id')
  @HttpCode(HttpStatus.OK)
  @ApiTags('Admin')
  @ApiOperation({
    operationId: 'backfillEventAccountId',
    summary: 'Backfill event metadata accountId (OU-scoped)',
    description:
      'ADM-2: writes each event’s lead’s account id as `accountId` into the metadata of the OU’s recorded events that have none; events that have one are untouched.' +
      QUEUED +
      ABM,
  })
  @ApiOkResponse({ type: BackfillEventAccountIdResultDto })
  @ApiAcceptedResponse({ type: BackfillJobDto })
  @ApiErrors(400, 401, 403)
  async eventAccountId(@Res({ passthrough: true }) res: FastifyReply): Promise<BackfillEventAccountIdResultDto | BackfillJobDto> {
    const outcome = await this.backfills.start<BackfillEventAccountIdResultDto>(BACKFILL_EVENT_ACCOUNT_ID);
    if (outcome.done) return outcome.result;
    res.status(HttpStatus.ACCEPTED);
    return outcome.job;
  }
}
