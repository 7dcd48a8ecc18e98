import { Body, Controller, Get, Optional, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBasicAuth, ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors, isoOrNull } from '../../../platform/http';
import { OuScoped, RequestContext } from '../../../platform/tenancy';
import { roundScore } from '../../scoring/domain';
import { ScoreReader } from '../../scoring';
import { CreateLeadCommand } from '../commands/create-lead/create-lead.command';
import { LeadAccountReader } from '../lead-account-reader';
import { LeadsService } from '../leads.service';
import { checkKeys } from './lead-metadata-input';
import { toLeadView } from './lead.views';
import { docs } from './leads.docs';
import { CreateLeadDto, LeadAccountDto, LeadAliasesDto, LeadDetailDto, LeadDto, LeadProfileDto, LeadWithAccountDto } from './leads.dto';

/** A lead's identity: creation, detail, profile, account and aliases (LEAD-2..4, 8). */
@ApiTags('Leads')
@ApiBearerAuth('bearerAuth')
@ApiBasicAuth('basicAuth')
@OuScoped()
@Controller()
export class LeadsController {
  constructor(
    private readonly leads: LeadsService,
    private readonly scores: ScoreReader,
    private readonly commands: CommandBus,
    @Optional() private readonly accounts?: LeadAccountReader,
  ) {}
  @Post('leads')
  @docs.create('createLead')
  async createPlural(@Body() body: CreateLeadDto): Promise<LeadDto> {
    return this.create(body);
  }

  @Post('lead')
  @docs.create('createLeadSingular', 'POST /leads')
  async createSingular(@Body() body: CreateLeadDto): Promise<LeadDto> {
    return this.create(body);
  }

  // ---- read ----

  @Get('leads/:leadID')
  @docs.get('getLeadPlural', 'GET /lead/{leadID}')
  async getPlural(@Param('leadID') leadId: string): Promise<LeadWithAccountDto> {
    return this.detail(leadId);
  }

  @Get('lead/:leadID')
  @docs.get('getLead')
  async getSingular(@Param('leadID') leadId: string): Promise<LeadWithAccountDto> {
    return this.detail(leadId);
  }

  @Get('leads/:leadID/profile')
  @ApiOperation({
    operationId: 'getLeadProfile',
    summary: 'Get lead profile metadata (OU-scoped)',
    description: 'The lead’s profile attributes, which are its metadata (profile scoring is not a feature yet, so no profile score is given).',
  })
  @ApiOkResponse({ type: LeadProfileDto })
  @ApiErrors(400, 401, 404)
  async profile(@Param('leadID') leadId: string): Promise<LeadProfileDto> {
    const lead = await this.leads.visible(leadId);
    return { lead_id: lead.lead_id, metadata: lead.metadata };
  }

  @Get('leads/:leadID/account')
  @ApiOperation({
    operationId: 'getLeadAccount',
    summary: 'Get lead account metadata (OU-scoped)',
    description:
      'The account the lead is grouped into (ABM): its public `account_id` and its `metadata`. A lead in no account shows the account id it was given (null when none) and `metadata` null.',
  })
  @ApiOkResponse({ type: LeadAccountDto })
  @ApiErrors(400, 401, 404)
  async account(@Param('leadID') leadId: string): Promise<LeadAccountDto> {
    const lead = await this.leads.visible(leadId);
    const account = await this.accounts?.accountOf(lead.id);
    return { lead_id: lead.lead_id, account_id: account?.account_id ?? lead.account_id, metadata: account?.metadata ?? null };
  }

  @Get('leads/:leadID/aliases')
  @docs.aliases('listLeadAliasesPlural', 'GET /lead/{leadID}/aliases')
  async aliasesPlural(@Param('leadID') leadId: string): Promise<LeadAliasesDto> {
    return this.aliases(leadId);
  }

  @Get('lead/:leadID/aliases')
  @docs.aliases('listLeadAliases')
  async aliasesSingular(@Param('leadID') leadId: string): Promise<LeadAliasesDto> {
    return this.aliases(leadId);
  }

  private async create(body: CreateLeadDto): Promise<LeadDto> {
    const metadata = body.metadata ?? {};
    checkKeys(metadata, 'metadata');
    const lead = await this.commands.execute(new CreateLeadCommand({ id: body.id, metadata, account_id: body.account_id ?? null }));
    RequestContext.describe({ verb: 'create', entityType: 'lead', entityId: lead.lead_id, summary: `created lead ${lead.lead_id}` });
    return toLeadView(lead);
  }

  private async detail(leadId: string): Promise<LeadWithAccountDto> {
    const lead = await this.leads.visible(leadId);
    const scores = await this.scores.scores(lead);
    const best = scores.filter((s) => s.active).reduce((max, s) => Math.max(max, s.score), -Infinity);
    const account = await this.accounts?.accountOf(lead.id);
    // as the list items: the grouped account's public id, else the id the lead was given
    const view = { ...toLeadView(lead), account_id: account?.account_id ?? lead.account_id, score: Number.isFinite(best) ? roundScore(best) : 0 };
    return { lead: view satisfies LeadDetailDto, account: account?.view ?? null };
  }

  private async aliases(leadId: string): Promise<LeadAliasesDto> {
    const lead = await this.leads.visible(leadId);
    return { aliases: (await this.leads.aliases(lead)).map((a) => ({ ...a, created_at: isoOrNull(a.created_at)! })) };
  }
}
