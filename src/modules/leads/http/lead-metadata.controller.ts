import { Body, Controller, Param, Patch, Put } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBasicAuth, ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors, PlatformErrors } from '../../../platform/http';
import { OuScoped, RequestContext } from '../../../platform/tenancy';
import { ChangeLeadMetadataCommand } from '../commands/change-lead-metadata/change-lead-metadata.command';
import { LeadsService } from '../leads.service';
import { checkKeys, splitPatch } from './lead-metadata-input';
import { toLeadView } from './lead.views';
import { docs } from './leads.docs';
import { LeadDto, LeadMetadataDto, ReplaceLeadDto } from './leads.dto';

/** A lead's metadata: replace and patch (LEAD-5, 6). */
@ApiTags('Leads')
@ApiBearerAuth('bearerAuth')
@ApiBasicAuth('basicAuth')
@OuScoped()
@Controller()
export class LeadMetadataController {
  constructor(
    private readonly leads: LeadsService,
    private readonly commands: CommandBus,
  ) {}
  @Put('lead/:leadID')
  @ApiOperation({
    operationId: 'updateLead',
    summary: 'Update a lead (replace metadata, optionally account)',
    description:
      'Replaces the metadata wholesale; `account_id` sets (null unlinks) the account when present and leaves it alone when omitted. Answers the updated lead.',
  })
  @ApiOkResponse({ type: LeadDto })
  @ApiErrors(400, 401, 403, 404, 413)
  async replace(@Param('leadID') leadId: string, @Body() body: ReplaceLeadDto): Promise<LeadDto> {
    checkKeys(body.metadata, 'metadata');
    const lead = await this.leads.visible(leadId);
    const after = await this.commands.execute(
      new ChangeLeadMetadataCommand(lead.id, {
        set: body.metadata,
        removed: [],
        replace: true,
        silent: false,
        ...(body.account_id !== undefined ? { account_id: body.account_id } : {}),
      }),
    );
    RequestContext.describe({
      entityType: 'lead',
      entityId: lead.lead_id,
      summary: `replaced the metadata of lead ${lead.lead_id}${body.account_id !== undefined ? ' and its account' : ''}`,
    });
    return toLeadView(after);
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

  private async patch(leadId: string, body: unknown): Promise<LeadMetadataDto> {
    if (body === null || typeof body !== 'object' || Array.isArray(body)) {
      throw PlatformErrors.error('validation_failed', 'body: must be a JSON object of metadata keys', [
        { field: 'body', reason: 'must be a JSON object of metadata keys' },
      ]);
    }
    checkKeys(body as Record<string, unknown>, 'body');
    const lead = await this.leads.visible(leadId);
    const { set, removed } = splitPatch(body as Record<string, unknown>);
    const after = await this.commands.execute(new ChangeLeadMetadataCommand(lead.id, { set, removed, replace: false, silent: false }));
    RequestContext.describe({
      entityType: 'lead',
      entityId: lead.lead_id,
      summary: `patched the metadata of lead ${lead.lead_id} (${Object.keys(body).length} key(s))`,
    });
    return { id: after.lead_id, org_id: after.org_id, unit_id: after.unit_id, metadata: after.metadata };
  }
}
