import { applyDecorators, Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Put, Query } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBasicAuth, ApiBearerAuth, ApiBody, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AppError } from '../../../platform/http/app-error';
import { ApiErrors } from '../../../platform/http/error-response.dto';
import { isoOrNull } from '../../../platform/http/iso-date';
import { RequestContext } from '../../../platform/tenancy/request-context';
import { OuScoped } from '../../../platform/tenancy/tenancy.decorators';
import { roundScore } from '../../scoring/domain/score-rounding';
import { ScoreReader } from '../../scoring/score-reader.service';
import { AssignLeadOwnerCommand } from '../commands/assign-lead-owner/assign-lead-owner.command';
import { ChangeLeadMetadataCommand } from '../commands/change-lead-metadata/change-lead-metadata.command';
import { CreateLeadCommand } from '../commands/create-lead/create-lead.command';
import { LeadRecord } from '../lead-record';
import { DeletionRecord, LeadsService } from '../leads.service';
import {
  AssignOwnerDto,
  BulkAssignOwnerDto,
  BulkOwnerAssignedDto,
  ByAliasQueryDto,
  CreateLeadDto,
  LeadAccountDto,
  LeadAliasesDto,
  LeadByAliasDto,
  LeadDeletionAcceptedDto,
  LeadDeletionStatusDto,
  LeadDetailDto,
  LeadDto,
  LeadMetadataDto,
  LeadProfileDto,
  LeadWithAccountDto,
  MetadataByAliasResultDto,
  OwnerAssignedDto,
  ReplaceLeadDto,
  UpdateMetadataByAliasDto,
} from './leads.dto';

/** LEAD-10: attribute keys written by alias. */
const ATTRIBUTE_KEY = /^[A-Za-z0-9_\-. ]{1,64}$/;
const METADATA_KEY_MAX = 256;

const op = (operationId: string, summary: string, description: string, alias?: string) =>
  ApiOperation({ operationId, summary, description: alias ? `${description} (Alias of ${alias}.)` : description });

const docs = {
  create: (id: string, alias?: string) =>
    applyDecorators(
      op(
        id,
        'Create a new lead (OU-scoped)',
        'Creates a lead with the given public id, metadata (at most 100 KB of JSON, else 413) and optional account id. 409 `lead_exists` when the id is already used in the active OU, also by a lead whose deletion is under way.',
        alias,
      ),
      ApiCreatedResponse({ type: LeadDto }),
      ApiErrors(400, 401, 403, 409, 413),
    ),
  get: (id: string, alias?: string) =>
    applyDecorators(
      op(
        id,
        'Get a lead including metadata and related account (OU-scoped)',
        '`{lead, account}`. `lead.score` is the highest engagement score across the active rulesets, exact as of now. `account` is always null: accounts are not a feature yet; the linked id is `lead.account_id`. 404 for another OU’s lead and for a lead being deleted.',
        alias,
      ),
      ApiOkResponse({ type: LeadWithAccountDto }),
      ApiErrors(400, 401, 404),
    ),
  patchMetadata: (id: string, alias?: string) =>
    applyDecorators(
      op(
        id,
        'Patch lead metadata (OU-scoped)',
        'Shallow merge of a free-form JSON object into the lead’s metadata: keys not sent are kept, a key set to null is removed. Answers the lead with its full metadata. 400 when the body is not a JSON object (or a key is empty or longer than 256 characters); 413 when the resulting metadata exceeds 100 KB.',
        alias,
      ),
      ApiBody({ schema: { type: 'object', additionalProperties: true, example: { industry: 'SaaS', plan: 'Pro', obsolete_key: null } } }),
      ApiOkResponse({ type: LeadMetadataDto }),
      ApiErrors(400, 401, 403, 404, 413),
    ),
  aliases: (id: string, alias?: string) =>
    applyDecorators(
      op(id, 'List lead aliases (OU-scoped)', 'Every alias of the lead (oldest first), with the time it was first seen.', alias),
      ApiOkResponse({ type: LeadAliasesDto }),
      ApiErrors(400, 401, 404),
    ),
};

/** A lead's identity, metadata, owner and deletion (LEAD-2..6, 8..10, 18, 19). */
@ApiTags('Leads')
@ApiBearerAuth('bearerAuth')
@ApiBasicAuth('basicAuth')
@OuScoped()
@Controller()
export class LeadsController {
  constructor(private readonly leads: LeadsService, private readonly scores: ScoreReader, private readonly commands: CommandBus) {}

  // ---- /lead/by-alias first: it must not be taken for a lead id ----

  @Get('lead/by-alias')
  @ApiOperation({
    operationId: 'getLeadByAlias',
    summary: 'Look up a lead by alias (e.g., email)',
    description:
      'Resolves a lead of the active OU from an alias (`kind`, default `email`; `value` is trimmed and, for e-mail, matched case-insensitively) and answers its id, first e-mail alias and metadata. 400 without `value`; 404 when no lead of the active OU has the alias.',
  })
  @ApiOkResponse({ type: LeadByAliasDto })
  @ApiErrors(400, 401, 404)
  async byAlias(@Query() q: ByAliasQueryDto): Promise<LeadByAliasDto> {
    const lead = await this.leads.byAlias(q.kind ?? 'email', q.value);
    return { lead_id: lead.lead_id, email: await this.leads.email(lead), metadata: lead.metadata };
  }

  @Patch('lead/by-alias/metadata')
  @ApiOperation({
    operationId: 'updateLeadMetadataByAlias',
    summary: 'Update lead metadata by alias',
    description:
      'Resolves a lead of the active OU from an alias and merges `attributes` into its metadata (null removes a key) and/or links `account_id`. Silent: no timeline event is written. At least one of `attributes` and `account_id` is required; attribute keys are 1–64 letters, digits, underscores, dashes, dots or spaces.',
  })
  @ApiOkResponse({ type: MetadataByAliasResultDto })
  @ApiErrors(400, 401, 403, 404, 413)
  async patchByAlias(@Body() body: UpdateMetadataByAliasDto): Promise<MetadataByAliasResultDto> {
    if (body.attributes === undefined && body.account_id === undefined) {
      throw AppError.badRequest('validation_failed', 'attributes: attributes or account_id is required', [{ field: 'attributes', reason: 'attributes or account_id is required' }]);
    }
    const attributes = body.attributes ?? {};
    const bad = Object.keys(attributes).filter((k) => !ATTRIBUTE_KEY.test(k));
    if (bad.length) {
      const details = bad.map((k) => ({ field: `attributes.${k}`, reason: 'keys must be 1–64 letters, digits, underscores, dashes, dots or spaces' }));
      throw AppError.badRequest('validation_failed', details.map((d) => `${d.field}: ${d.reason}`).join('; '), details);
    }
    const lead = await this.leads.byAlias(body.alias_kind ?? 'email', body.alias_value);
    const { set, removed } = splitPatch(attributes);
    await this.commands.execute(new ChangeLeadMetadataCommand(lead.id, { set, removed, replace: false, silent: true, ...(body.account_id !== undefined ? { account_id: body.account_id } : {}) }));
    RequestContext.describe({
      entityType: 'lead',
      entityId: lead.lead_id,
      summary: `updated metadata of lead ${lead.lead_id} by alias (${Object.keys(attributes).length} key(s)${body.account_id !== undefined ? ', account linked' : ''})`,
    });
    return { lead_id: lead.lead_id, updated: Object.keys(attributes).length, attributes, account_linked: body.account_id !== undefined };
  }

  // ---- create ----

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
    description: 'The account the lead is linked to. Accounts are not a feature yet: `account_id` is the linked id (null when none) and `metadata` is always null — never invented.',
  })
  @ApiOkResponse({ type: LeadAccountDto })
  @ApiErrors(400, 401, 404)
  async account(@Param('leadID') leadId: string): Promise<LeadAccountDto> {
    const lead = await this.leads.visible(leadId);
    return { lead_id: lead.lead_id, account_id: lead.account_id, metadata: null };
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

  // ---- metadata ----

  @Put('lead/:leadID')
  @ApiOperation({
    operationId: 'updateLead',
    summary: 'Update a lead (replace metadata, optionally account)',
    description: 'Replaces the metadata wholesale; `account_id` sets (null unlinks) the account when present and leaves it alone when omitted. Answers the updated lead.',
  })
  @ApiOkResponse({ type: LeadDto })
  @ApiErrors(400, 401, 403, 404, 413)
  async replace(@Param('leadID') leadId: string, @Body() body: ReplaceLeadDto): Promise<LeadDto> {
    checkKeys(body.metadata, 'metadata');
    const lead = await this.leads.visible(leadId);
    const after = await this.commands.execute(new ChangeLeadMetadataCommand(lead.id, {
      set: body.metadata,
      removed: [],
      replace: true,
      silent: false,
      ...(body.account_id !== undefined ? { account_id: body.account_id } : {}),
    }));
    RequestContext.describe({ entityType: 'lead', entityId: lead.lead_id, summary: `replaced the metadata of lead ${lead.lead_id}${body.account_id !== undefined ? ' and its account' : ''}` });
    return leadDto(after);
  }

  @Patch('leads/:leadID/metadata')
  @docs.patchMetadata('patchLeadMetadataPlural', 'PATCH /lead/{leadID}/metadata')
  async patchPlural(@Param('leadID') leadId: string, @Body() body: unknown): Promise<LeadMetadataDto> {
    return this.patch(leadId, body);
  }

  @Patch('lead/:leadID/metadata')
  @docs.patchMetadata('patchLeadMetadata')
  async patchSingular(@Param('leadID') leadId: string, @Body() body: unknown): Promise<LeadMetadataDto> {
    return this.patch(leadId, body);
  }

  // ---- owner ----

  @Post('leads/bulk-assign-owner')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'bulkAssignLeadOwner',
    summary: 'Bulk assign lead owner',
    description: `Assigns (or, with null owner_id and owner_name, unassigns) the owner of up to 500 leads of the active OU (more → 400). Ids of leads the active OU does not have are skipped and not counted in \`affected\`.`,
  })
  @ApiOkResponse({ type: BulkOwnerAssignedDto })
  @ApiErrors(400, 401, 403)
  async bulkOwner(@Body() body: BulkAssignOwnerDto): Promise<BulkOwnerAssignedDto> {
    const owner = { owner_id: body.owner_id ?? null, owner_name: body.owner_name ?? null };
    const refs = await this.leads.refsOf(body.lead_ids);
    const affected = refs.length ? await this.commands.execute(new AssignLeadOwnerCommand(refs, owner)) : 0;
    RequestContext.describe({
      entityType: 'lead',
      summary: `${owner.owner_id === null && owner.owner_name === null ? 'unassigned the owner of' : `assigned owner ${owner.owner_name ?? owner.owner_id} to`} ${affected} lead(s)`,
    });
    return { status: 'ok', affected };
  }

  @Post('leads/:leadID/owner')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'assignLeadOwner',
    summary: 'Assign or unassign lead owner',
    description: 'Sets the lead’s owner; owner_id and owner_name both null (or omitted) unassigns. The owner shows in lead lists.',
  })
  @ApiOkResponse({ type: OwnerAssignedDto })
  @ApiErrors(400, 401, 403, 404)
  async owner(@Param('leadID') leadId: string, @Body() body: AssignOwnerDto): Promise<OwnerAssignedDto> {
    const lead = await this.leads.visible(leadId);
    const owner = { owner_id: body.owner_id ?? null, owner_name: body.owner_name ?? null };
    await this.commands.execute(new AssignLeadOwnerCommand([lead.id], owner));
    const unassigned = owner.owner_id === null && owner.owner_name === null;
    RequestContext.describe({
      entityType: 'lead',
      entityId: lead.lead_id,
      summary: unassigned ? `unassigned the owner of lead ${lead.lead_id}` : `assigned owner ${owner.owner_name ?? owner.owner_id} to lead ${lead.lead_id}`,
    });
    return { status: 'ok', message: unassigned ? 'owner unassigned' : 'owner assigned' };
  }

  // ---- deletion ----

  @Delete('lead/:leadID')
  @ApiOperation({
    operationId: 'deleteLead',
    summary: 'Delete a lead (OU-scoped)',
    description:
      'Hides the lead at once (reads and ingest with its id answer 404) and erases it in the background, irreversibly: its events, aliases, scores, metadata and every read row about it, including metadata-suppressed events that name it. Follow progress with GET /lead/{leadID}/deletion-status. Repeating the request while the deletion is under way answers the same; after a failed deletion it retries.',
  })
  @ApiOkResponse({ type: LeadDeletionAcceptedDto })
  @ApiErrors(400, 401, 403, 404, 503)
  async delete(@Param('leadID') leadId: string): Promise<LeadDeletionAcceptedDto> {
    const deletion = await this.leads.requestDeletion(leadId);
    RequestContext.describe({ verb: 'delete', entityType: 'lead', entityId: leadId, summary: `requested the deletion of lead ${leadId}` });
    return { message: 'Lead deletion initiated', lead_id: leadId, status: deletion.status };
  }

  @Get('lead/:leadID/deletion-status')
  @ApiOperation({
    operationId: 'getLeadDeletionStatus',
    summary: 'Lead deletion status (OU-scoped)',
    description: 'Status of the latest deletion of this lead id in the active OU: `pending`, `in_progress`, `completed` or `failed`. 404 `deletion_not_found` for an id never deleted (or another OU’s).',
  })
  @ApiOkResponse({ type: LeadDeletionStatusDto })
  @ApiErrors(400, 401, 404)
  async deletionStatus(@Param('leadID') leadId: string): Promise<LeadDeletionStatusDto> {
    return deletionDto(await this.leads.deletionStatus(leadId));
  }

  // ---- shared bodies ----

  private async create(body: CreateLeadDto): Promise<LeadDto> {
    const metadata = body.metadata ?? {};
    checkKeys(metadata, 'metadata');
    const lead = await this.commands.execute(new CreateLeadCommand({ id: body.id, metadata, account_id: body.account_id ?? null }));
    RequestContext.describe({ verb: 'create', entityType: 'lead', entityId: lead.lead_id, summary: `created lead ${lead.lead_id}` });
    return leadDto(lead);
  }

  private async detail(leadId: string): Promise<LeadWithAccountDto> {
    const lead = await this.leads.visible(leadId);
    const scores = await this.scores.scores(lead);
    const best = scores.filter((s) => s.active).reduce((max, s) => Math.max(max, s.score), -Infinity);
    return { lead: { ...leadDto(lead), score: Number.isFinite(best) ? roundScore(best) : 0 } satisfies LeadDetailDto, account: null };
  }

  private async aliases(leadId: string): Promise<LeadAliasesDto> {
    const lead = await this.leads.visible(leadId);
    return { aliases: (await this.leads.aliases(lead)).map((a) => ({ ...a, created_at: isoOrNull(a.created_at)! })) };
  }

  private async patch(leadId: string, body: unknown): Promise<LeadMetadataDto> {
    if (body === null || typeof body !== 'object' || Array.isArray(body)) {
      throw AppError.badRequest('validation_failed', 'body: must be a JSON object of metadata keys', [{ field: 'body', reason: 'must be a JSON object of metadata keys' }]);
    }
    checkKeys(body as Record<string, unknown>, 'body');
    const lead = await this.leads.visible(leadId);
    const { set, removed } = splitPatch(body as Record<string, unknown>);
    const after = await this.commands.execute(new ChangeLeadMetadataCommand(lead.id, { set, removed, replace: false, silent: false }));
    RequestContext.describe({ entityType: 'lead', entityId: lead.lead_id, summary: `patched the metadata of lead ${lead.lead_id} (${Object.keys(body).length} key(s))` });
    return { id: after.lead_id, org_id: after.org_id, unit_id: after.unit_id, metadata: after.metadata };
  }
}

/** LEAD-6: null removes a key, anything else is set. */
function splitPatch(patch: Record<string, unknown>): { set: Record<string, unknown>; removed: string[] } {
  const set: Record<string, unknown> = {};
  const removed: string[] = [];
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) removed.push(k);
    else set[k] = v;
  }
  return { set, removed };
}

function checkKeys(metadata: Record<string, unknown>, field: string): void {
  const bad = Object.keys(metadata).filter((k) => k.trim() === '' || k.length > METADATA_KEY_MAX);
  if (bad.length) {
    const details = bad.map((k) => ({ field: k.trim() === '' ? field : `${field}.${k.slice(0, 64)}`, reason: `keys must be 1–${METADATA_KEY_MAX} characters and not blank` }));
    throw AppError.badRequest('validation_failed', details.map((d) => `${d.field}: ${d.reason}`).join('; '), details);
  }
}

function leadDto(l: LeadRecord): LeadDto {
  return {
    id: l.lead_id,
    lead_id: l.lead_id,
    org_id: l.org_id,
    unit_id: l.unit_id,
    account_id: l.account_id,
    owner_id: l.owner_id,
    owner_name: l.owner_name,
    created_at: isoOrNull(l.created_at)!,
    updated_at: isoOrNull(l.updated_at)!,
    merged_into: null,
    metadata: l.metadata ?? {},
    last_event_at: isoOrNull(l.last_event_at),
    last_event_type: l.last_event_type,
    event_count: Number(l.event_count ?? 0),
  };
}

function deletionDto(d: DeletionRecord): LeadDeletionStatusDto {
  return { lead_id: d.lead_id, status: d.status, requested_at: isoOrNull(d.requested_at)!, completed_at: isoOrNull(d.completed_at), error: d.error };
}
