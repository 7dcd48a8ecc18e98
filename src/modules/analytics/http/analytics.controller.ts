import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBasicAuth, ApiBearerAuth, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../../../platform/http';
import { OuScoped } from '../../../platform/tenancy';
import { campaignDimension } from '../domain/campaign-dimension';
import { dateWindow, DateWindow } from '../domain/date-bound';
import { badQuery } from '../queries/analytics-sql';
import { CampaignsQuery } from '../queries/campaigns.query';
import { DealAttributionQuery } from '../queries/deal-attribution.query';
import { EventAnalyticsQuery } from '../queries/event-analytics.query';
import { LeadRankingsQuery } from '../queries/lead-rankings.query';
import { AttributionInsightsDto, CampaignLeadsDto, CampaignsDto, EventsAnalyticsDto, EventStatsDto, ScoreGainsDto, TopLeadsDto } from './analytics.dto';
import { CampaignsQueryDto, EventsAnalyticsQueryDto, EventStatsQueryDto, ScoreGainsQueryDto, TopLeadsQueryDto } from './analytics-query.dto';

const DEFAULT_LIMIT = 10;

/** Read-only analytics of the active OU: event counts, lead rankings, score gains, deal attribution, UTM campaigns. */
@ApiTags('Analytics')
@ApiBearerAuth('bearerAuth')
@ApiBasicAuth('basicAuth')
@OuScoped()
@Controller()
export class AnalyticsController {
  constructor(
    private readonly events: EventAnalyticsQuery,
    private readonly rankings: LeadRankingsQuery,
    private readonly attribution: DealAttributionQuery,
    private readonly campaignReads: CampaignsQuery,
  ) {}

  @Get('events-analytics')
  @ApiOperation({
    operationId: 'getEventsAnalytics',
    summary: 'Analytics across events (OU-scoped)',
    description:
      'Engagement events of the period (`range`, default last_30d; optional `event_type`): totals (events, distinct leads, suppressed events, event types) and events per type. System-written events (decay) are not counted.',
  })
  @ApiOkResponse({ type: EventsAnalyticsDto })
  @ApiErrors(400, 401)
  eventsAnalytics(@Query() q: EventsAnalyticsQueryDto): Promise<EventsAnalyticsDto> {
    return this.events.analytics(q.range ?? 'last_30d', q.event_type);
  }

  @Get('event-stats')
  @ApiOperation({
    operationId: 'getEventStats',
    summary: 'Event statistics (OU-scoped)',
    description: 'Events, leads and event types of the last 24 hours, and the 10 most frequent event types of `range` (default last_7d).',
  })
  @ApiOkResponse({ type: EventStatsDto })
  @ApiErrors(400, 401)
  eventStats(@Query() q: EventStatsQueryDto): Promise<EventStatsDto> {
    return this.events.stats(q.range ?? 'last_7d');
  }

  @Get('top-leads')
  @ApiOperation({
    operationId: 'getTopLeads',
    summary: 'Top leads (OU-scoped)',
    description: 'The highest engagement scores (as `GET /leads` shows them) among live, qualified leads; `limit` 1–500 (default 10).',
  })
  @ApiOkResponse({ type: TopLeadsDto })
  @ApiErrors(400, 401)
  async topLeads(@Query() q: TopLeadsQueryDto): Promise<TopLeadsDto> {
    return { leads: await this.rankings.top(q.limit ?? DEFAULT_LIMIT) };
  }

  @Get('score-gains')
  @ApiOperation({
    operationId: 'getScoreGains',
    summary: 'Recent score gains (OU-scoped)',
    description:
      'Leads whose engagement score rose most since the start of `range` (today | last_7d | last_30d, default last_7d): score now minus the score of the lead’s latest hourly snapshot at or before the start (0 without one). Only gains above 0; `limit` 1–500 (default 10).',
  })
  @ApiOkResponse({ type: ScoreGainsDto })
  @ApiErrors(400, 401)
  scoreGains(@Query() q: ScoreGainsQueryDto): Promise<ScoreGainsDto> {
    return this.gains(q);
  }

  @Get('analytics/score-gains')
  @ApiOperation({ operationId: 'getAnalyticsScoreGains', summary: 'Recent score gains (OU-scoped)', description: 'Same as `GET /score-gains`.' })
  @ApiOkResponse({ type: ScoreGainsDto })
  @ApiErrors(400, 401)
  analyticsScoreGains(@Query() q: ScoreGainsQueryDto): Promise<ScoreGainsDto> {
    return this.gains(q);
  }

  @Get('deals/attribution-insights')
  @ApiOperation({
    operationId: 'getDealAttributionInsights',
    summary: 'Deal attribution insights (OU-scoped)',
    description:
      'Closed-won deals of the active OU, the average engagement score their accounts showed at MQL, SQL, Opportunity and Close (null while no such milestone score is recorded), and the event types that most often preceded the close.',
  })
  @ApiOkResponse({ type: AttributionInsightsDto })
  @ApiErrors(401)
  attributionInsights(): Promise<AttributionInsightsDto> {
    return this.attribution.insights();
  }

  @Get('analytics/campaigns')
  @ApiOperation({
    operationId: 'getCampaignAnalytics',
    summary: 'Aggregated UTM campaign performance (OU-scoped)',
    description:
      'One row per value of utm_campaign, utm_source or utm_medium (group_by; an unknown value falls back to campaign) on engagement events within start_date/end_date, sorted by events descending. Pipeline metrics join lead → account → deal, multi-touch and unweighted.',
  })
  @ApiOkResponse({ type: CampaignsDto })
  @ApiErrors(400, 401)
  async campaigns(@Query() q: CampaignsQueryDto): Promise<CampaignsDto> {
    const dimension = campaignDimension(q.group_by);
    return { group_by: dimension, campaigns: await this.campaignReads.campaigns(dimension, this.window(q)) };
  }

  @Get('analytics/campaigns/:campaign_name/leads')
  @ApiOperation({
    operationId: 'getCampaignLeads',
    summary: 'Leads attributed to a single UTM campaign value (OU-scoped)',
    description: 'Up to 500 leads whose engagement events carry exactly this UTM value (URL-decoded), most recent first touch first.',
  })
  @ApiParam({ name: 'campaign_name', description: 'Exact UTM value; URL-encode spaces and special characters' })
  @ApiOkResponse({ type: CampaignLeadsDto })
  @ApiErrors(400, 401)
  async campaignLeads(@Param('campaign_name') name: string, @Query() q: CampaignsQueryDto): Promise<CampaignLeadsDto> {
    const dimension = campaignDimension(q.group_by);
    return { campaign_name: name, group_by: dimension, leads: await this.campaignReads.leads(dimension, name, this.window(q)) };
  }

  private async gains(q: ScoreGainsQueryDto): Promise<ScoreGainsDto> {
    const range = q.range ?? 'last_7d';
    return { range, leads: await this.rankings.gains(range, q.limit ?? DEFAULT_LIMIT) };
  }

  private window(q: CampaignsQueryDto): DateWindow {
    const { window, problems } = dateWindow(q.start_date, q.end_date);
    if (problems.length) throw badQuery(problems);
    return window;
  }
}
