import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBasicAuth, ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../../../platform/http';
import { OuScoped, RequestContext } from '../../../platform/tenancy';
import { AssignLeadOwnerCommand } from '../commands/assign-lead-owner/assign-lead-owner.command';
import { LeadsService } from '../leads.service';
import { AssignOwnerDto, BulkAssignOwnerDto, BulkOwnerAssignedDto, OwnerAssignedDto } from './leads.dto';

/** A lead's owner, one or many (LEAD-19). */
@ApiTags('Leads')
@ApiBearerAuth('bearerAuth')
@ApiBasicAuth('basicAuth')
@OuScoped()
@Controller()
export class LeadOwnerController {
  constructor(
    private readonly leads: LeadsService,
    private readonly commands: CommandBus,
  ) {}
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
}
