import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiBasicAuth, ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors, pageRequest } from '../../../platform/http';
import { OuScoped } from '../../../platform/tenancy';
import { SegmentsService } from '../segments.service';
import {
  CreateSegmentRuleDto,
  IncludeDisqualifiedQueryDto,
  OverlapQueryDto,
  SegmentBodyDto,
  SegmentCountDto,
  SegmentDto,
  SegmentLeadDto,
  SegmentLeadsQueryDto,
  SegmentOverlapDto,
  SegmentRuleDto,
  UpdateSegmentRuleDto,
} from './segments.dto';

const DYNAMIC =
  'Membership is dynamic (SEG-5): saving a segment or its rules re-derives its members in the background, and the leads ' +
  'that events, metadata, level and account changes touch are re-evaluated as those are projected.';
const LOGIC =
  'Active rules are sorted by (logic_group, order_index); inside a group they fold left to right, each joined to what precedes it by its ' +
  'own logic_op (the first one’s ignored); groups are AND-ed; a segment without active rules matches nobody.';

/** Segments of the active OU, their rules and members (SEG-1..11). `overlap` is declared before the `:id` routes. */
@ApiTags('Segments')
@ApiBearerAuth('bearerAuth')
@ApiBasicAuth('basicAuth')
@OuScoped()
@Controller('segments')
export class SegmentsController {
  constructor(private readonly segments: SegmentsService) {}

  @Get('overlap')
  @ApiOperation({
    operationId: 'segmentOverlap',
    summary: 'Compare overlap between two segments (OU-scoped)',
    description:
      'Returns the number of leads that appear in both segments, plus counts for each segment individually (qualified leads; inactive segments count 0). ' +
      'overlap_pct_x = round(100 × overlap_count / x_count, 1), 0 when x_count is 0.',
  })
  @ApiOkResponse({ type: SegmentOverlapDto })
  @ApiErrors(400, 401, 404)
  async overlap(@Query() q: OverlapQueryDto): Promise<SegmentOverlapDto> {
    return this.segments.overlap(q.a, q.b);
  }

  @Get()
  @ApiOperation({ operationId: 'listSegments', summary: 'List segments (OU-scoped)', description: 'Lists segments defined for the active OU, oldest first.' })
  @ApiOkResponse({ type: [SegmentDto] })
  @ApiErrors(400, 401)
  async list(): Promise<SegmentDto[]> {
    return this.segments.list();
  }

  @Post()
  @ApiOperation({ operationId: 'createSegment', summary: 'Create segment (OU-scoped)', description: `A segment without rules matches nobody. ${DYNAMIC}` })
  @ApiCreatedResponse({ type: SegmentDto })
  @ApiErrors(400, 401, 403)
  async create(@Body() body: SegmentBodyDto): Promise<SegmentDto> {
    return this.segments.create(body);
  }

  @Put(':id')
  @ApiOperation({
    operationId: 'updateSegment',
    summary: 'Update segment (OU-scoped)',
    description: 'name is required; description and active keep their values when absent. An inactive segment keeps its rules and counts 0 (SEG-6).',
  })
  @ApiOkResponse({ type: SegmentDto })
  @ApiErrors(400, 401, 403, 404)
  async update(@Param('id') id: string, @Body() body: SegmentBodyDto): Promise<SegmentDto> {
    return this.segments.update(id, body);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({
    operationId: 'deleteSegment',
    summary: 'Delete segment (OU-scoped)',
    description: 'Removes the segment and its rules, never its member leads (SEG-7).',
  })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiErrors(401, 403, 404)
  async remove(@Param('id') id: string): Promise<void> {
    await this.segments.remove(id);
  }

  @Get(':id/count')
  @ApiOperation({
    operationId: 'countSegmentLeads',
    summary: 'Count leads in a segment (OU-scoped)',
    description: 'Disqualified leads are excluded unless include_disqualified=true; an inactive segment counts 0.',
  })
  @ApiOkResponse({ type: SegmentCountDto })
  @ApiErrors(400, 401, 404)
  async count(@Param('id') id: string, @Query() q: IncludeDisqualifiedQueryDto): Promise<SegmentCountDto> {
    return this.segments.count(id, q.include_disqualified ?? false);
  }

  @Get(':id/leads')
  @ApiOperation({
    operationId: 'listSegmentLeads',
    summary: 'List leads in a segment (OU-scoped)',
    description:
      'A page of the members, most recently joined first; disqualified leads excluded unless include_disqualified=true; none for an inactive segment.',
  })
  @ApiOkResponse({ type: [SegmentLeadDto] })
  @ApiErrors(400, 401, 404)
  async leads(@Param('id') id: string, @Query() q: SegmentLeadsQueryDto): Promise<SegmentLeadDto[]> {
    return this.segments.members(id, pageRequest(q), q.include_disqualified ?? false);
  }

  @Get(':id/rules')
  @ApiOperation({ operationId: 'listSegmentRules', summary: 'List segment rules (OU-scoped)', description: `In evaluation order. ${LOGIC}` })
  @ApiOkResponse({ type: [SegmentRuleDto] })
  @ApiErrors(400, 401, 404)
  async rules(@Param('id') id: string): Promise<SegmentRuleDto[]> {
    return this.segments.rules(id);
  }

  @Post(':id/rules')
  @ApiOperation({ operationId: 'createSegmentRule', summary: 'Create segment rule (OU-scoped)', description: `${LOGIC} ${DYNAMIC}` })
  @ApiCreatedResponse({ type: SegmentRuleDto })
  @ApiErrors(400, 401, 403, 404)
  async addRule(@Param('id') id: string, @Body() body: CreateSegmentRuleDto): Promise<SegmentRuleDto> {
    return this.segments.addRule(id, body);
  }

  @Put(':id/rules/:ruleId')
  @ApiOperation({
    operationId: 'updateSegmentRule',
    summary: 'Update segment rule (OU-scoped)',
    description: `Partial update; the rule as it ends up is validated whole. ${DYNAMIC}`,
  })
  @ApiOkResponse({ type: SegmentRuleDto })
  @ApiErrors(400, 401, 403, 404)
  async updateRule(@Param('id') id: string, @Param('ruleId') ruleId: string, @Body() body: UpdateSegmentRuleDto): Promise<SegmentRuleDto> {
    return this.segments.updateRule(id, ruleId, body);
  }

  @Delete(':id/rules/:ruleId')
  @HttpCode(204)
  @ApiOperation({ operationId: 'deleteSegmentRule', summary: 'Delete segment rule (OU-scoped)' })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiErrors(401, 403, 404)
  async removeRule(@Param('id') id: string, @Param('ruleId') ruleId: string): Promise<void> {
    await this.segments.removeRule(id, ruleId);
  }
}
