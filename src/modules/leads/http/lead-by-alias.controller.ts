import { Body, Controller, Get, Patch, Query } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBasicAuth, ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors, PlatformErrors } from '../../../platform/http';
import { OuScoped, RequestContext } from '../../../platform/tenancy';
import { ChangeLeadMetadataCommand } from '../commands/change-lead-metadata/change-lead-metadata.command';
import { LeadsService } from '../leads.service';
import { ATTRIBUTE_KEY, splitPatch } from './lead-metadata-input';
import { docs } from './leads.docs';
import { ByAliasQueryDto, LeadByAliasDto, MetadataByAliasResultDto, UpdateMetadataByAliasDto } from './leads.dto';

/** A lead found by alias (LEAD-9, LEAD-10); registered before any /lead/:leadID route so that `by-alias` is not taken for an id. */
@ApiTags('Leads')
@ApiBearerAuth('bearerAuth')
@ApiBasicAuth('basicAuth')
@OuScoped()
@Controller()
export class LeadByAliasController {
  constructor(
    private readonly leads: LeadsService,
    private readonly commands: CommandBus,
  ) {}
  @Get('lead/by-alias')
  @docs.byAlias('getLeadByAlias')
  async byAlias(@Query() q: ByAliasQueryDto): Promise<LeadByAliasDto> {
    const lead = await this.leads.byAlias(q.kind ?? 'email', q.value);
    return { lead_id: lead.lead_id, email: await this.leads.email(lead), metadata: lead.metadata };
  }

  /** The seed overview's spelling of the same lookup (the alias table of the catalog). */
  @Get('lead-by-alias')
  @docs.byAlias('getLeadByAliasFlat', 'GET /lead/by-alias')
  async byAliasFlat(@Query() q: ByAliasQueryDto): Promise<LeadByAliasDto> {
    return this.byAlias(q);
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
      throw PlatformErrors.error('validation_failed', 'attributes: attributes or account_id is required', [
        { field: 'attributes', reason: 'attributes or account_id is required' },
      ]);
    }
    const attributes = body.attributes ?? {};
    const bad = Object.keys(attributes).filter((k) => !ATTRIBUTE_KEY.test(k));
    if (bad.length) {
      const details = bad.map((k) => ({ field: `attributes.${k}`, reason: 'keys must be 1–64 letters, digits, underscores, dashes, dots or spaces' }));
      throw PlatformErrors.error('validation_failed', details.map((d) => `${d.field}: ${d.reason}`).join('; '), details);
    }
    const lead = await this.leads.byAlias(body.alias_kind ?? 'email', body.alias_value);
    const { set, removed } = splitPatch(attributes);
    await this.commands.execute(
      new ChangeLeadMetadataCommand(lead.id, {
        set,
        removed,
        replace: false,
        silent: true,
        ...(body.account_id !== undefined ? { account_id: body.account_id } : {}),
      }),
    );
    RequestContext.describe({
      entityType: 'lead',
      entityId: lead.lead_id,
      summary: `updated metadata of lead ${lead.lead_id} by alias (${Object.keys(attributes).length} key(s)${body.account_id !== undefined ? ', account linked' : ''})`,
    });
    return { lead_id: lead.lead_id, updated: Object.keys(attributes).length, attributes, account_linked: body.account_id !== undefined };
  }
}
