import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBasicAuth, ApiBearerAuth, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../../../platform/http';
import { OuScoped } from '../../../platform/tenancy';
import { MergeLeadsDto, MergeResultDto, ResetScoresResultDto } from './lead-merge.dto';
import { MergeLeadsCommand } from '../commands/merge-leads/merge-leads.command';
import { ResetLeadScoresCommand } from '../commands/reset-lead-scores/reset-lead-scores.command';
import { TruncatePolicy } from '../domain/lead-history';

/** POST /leads/merge and POST /leads/{leadID}/reset-scores. */
@ApiTags('Leads')
@ApiBearerAuth('bearerAuth')
@ApiBasicAuth('basicAuth')
@OuScoped()
@Controller('leads')
export class LeadMergeController {
  constructor(private readonly commands: CommandBus) {}

  @Post('merge')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'mergeLeads',
    summary: 'Merge leads (OU-scoped)',
    description:
      'Consolidates source leads into a target lead of the active OU. Events and aliases move to the target (aliases are unique per OU, so the target keeps its own); ' +
      'each moved event keeps `original_lead_id` and is rescored under the current rules of every engagement ruleset (surge multiplier frozen at event time; ' +
      'events before the target’s score reset still count nothing, and events before a source’s reset never count again). The sources are marked merged: ' +
      'they no longer appear in reads (404). The target’s timeline gets a `lead_merged` entry (source ids, events moved, who merged). ' +
      'Truncation: `none` (default) or `max_events` — at most that many of the sources’ events move, newest kept, the rest are deleted. ' +
      'Cross-OU merges are refused: a lead of another OU is not found (404). Safe to retry: the same request answers the same outcome without moving anything twice. ' +
      '400 when a source is the target, already merged elsewhere, or the body is invalid.',
  })
  @ApiOkResponse({ type: MergeResultDto })
  @ApiErrors(400, 401, 403, 404)
  merge(@Body() body: MergeLeadsDto): Promise<MergeResultDto> {
    const truncate: TruncatePolicy =
      body.truncate?.policy === 'max_events' ? { policy: 'max_events', max_events: body.truncate.max_events } : { policy: 'none' };
    return this.commands.execute(new MergeLeadsCommand(body.targetLeadId, body.sourceLeadIds, truncate));
  }

  @Post(':leadID/reset-scores')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'resetLeadScores',
    summary: 'Reset lead engagement scores',
    description:
      'Zeros every engagement ruleset score of the lead: events before now never contribute again (reads, hourly refresh, score-now, merges). ' +
      'Events and score history are kept; a `score_reset` timeline entry carries the previous scores and an SSE `score_reset` message (with `lead_id`) is pushed. ' +
      'No body. Engagement levels do not exist yet, so none is recomputed.',
  })
  @ApiParam({ name: 'leadID', description: 'Public lead id' })
  @ApiOkResponse({ type: ResetScoresResultDto })
  @ApiErrors(400, 401, 403, 404)
  reset(@Param('leadID') leadId: string): Promise<ResetScoresResultDto> {
    return this.commands.execute(new ResetLeadScoresCommand(leadId));
  }
}
