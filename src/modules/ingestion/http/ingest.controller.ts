import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBasicAuth, ApiBearerAuth, ApiBody, ApiExtraModels, ApiOperation, ApiTags, getSchemaPath } from '@nestjs/swagger';
import { ApiErrors } from '../../../platform/http';
import { RequestContext, OuScoped } from '../../../platform/tenancy';
import { IngestIntake, MAX_EVENTS_PER_REQUEST } from '../ingest-intake.service';
import { IngestAcceptedDto, IngestEventDto } from './ingest.dto';

/** POST /ingest: events in. Accepted events are durably queued; scoring happens in the worker. */
@ApiTags('Events')
@ApiBearerAuth('bearerAuth')
@ApiBasicAuth('basicAuth')
@ApiExtraModels(IngestEventDto)
@OuScoped()
@Controller()
export class IngestController {
  constructor(private readonly intake: IngestIntake) {}

  @Post('ingest')
  @HttpCode(202)
  @ApiOperation({
    operationId: 'ingestEvent',
    summary: 'Ingest engagement event',
    description:
      `One event, or a JSON array of up to ${MAX_EVENTS_PER_REQUEST} (batches of 100–1000 recommended). Identify the lead with ` +
      '`lead_id` (must exist in the active OU, else 404) or `aliases` (looked up in the active OU; an unknown lead is created). ' +
      'The deprecated top-level `alias_kind` + `alias` pair is still accepted. `timestamp` (RFC 3339) defaults to the time of ' +
      'receipt; `metadata` is at most 100 KB (413 beyond). A client `event_id` makes resends idempotent. All or nothing: one ' +
      'invalid event rejects the request and nothing is queued. 202 means the events are durably queued (not yet scored); 503 ' +
      'means nothing was queued.',
  })
  @ApiBody({
    schema: {
      oneOf: [{ $ref: getSchemaPath(IngestEventDto) }, { type: 'array', maxItems: MAX_EVENTS_PER_REQUEST, items: { $ref: getSchemaPath(IngestEventDto) } }],
    },
  })
  @ApiAcceptedResponse({ type: IngestAcceptedDto, description: 'Durably queued for scoring' })
  @ApiErrors(400, 401, 403, 404, 413, 503)
  async ingest(@Body() body: unknown): Promise<IngestAcceptedDto> {
    const queued = await this.intake.ingest(body, { source: 'api', skipTriggers: false });
    RequestContext.describe({
      verb: 'ingest',
      entityType: 'event',
      entityId: queued.length === 1 ? queued[0].event_id : undefined,
      summary: `queued ${queued.length} event(s)`,
    });
    const single = !Array.isArray(body);
    return {
      message: single ? 'event ingested' : 'events ingested',
      accepted: queued.length,
      event_ids: queued.map((q) => q.event_id),
      ...(single ? { metadata: queued[0].metadata } : {}),
    };
  }
}
