import { Controller, Delete, Get, Param } from '@nestjs/common';
import { ApiBasicAuth, ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../../../platform/http';
import { OuScoped, RequestContext } from '../../../platform/tenancy';
import { LeadsService } from '../leads.service';
import { toLeadDeletionStatusView } from './lead.views';
import { LeadDeletionAcceptedDto, LeadDeletionStatusDto } from './leads.dto';

/** A lead's deletion and its status (LEAD-18). */
@ApiTags('Leads')
@ApiBearerAuth('bearerAuth')
@ApiBasicAuth('basicAuth')
@OuScoped()
@Controller()
export class LeadDeletionController {
  constructor(private readonly leads: LeadsService) {}
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
    description:
      'Status of the latest deletion of this lead id in the active OU: `pending`, `in_progress`, `completed` or `failed`. 404 `deletion_not_found` for an id never deleted (or another OU’s).',
  })
  @ApiOkResponse({ type: LeadDeletionStatusDto })
  @ApiErrors(400, 401, 404)
  async deletionStatus(@Param('leadID') leadId: string): Promise<LeadDeletionStatusDto> {
    return toLeadDeletionStatusView(await this.leads.deletionStatus(leadId));
  }
}
