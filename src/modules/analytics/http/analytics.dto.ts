import { ApiProperty } from '@nestjs/swagger';
import { CAMPAIGN_DIMENSIONS } from '../domain/campaign-dimension';

export class EventTotalsDto {
  @ApiProperty({ example: 1250, description: 'Engagement events (not suppressed, not system-written) in the period' }) events: number;
  @ApiProperty({ example: 310, description: 'Distinct leads with one of those events' }) leads: number;
  @ApiProperty({ example: 12, description: 'Events of the period suppressed by a filter (not in `events`)' }) suppressed: number;
  @ApiProperty({ example: 6, description: 'Distinct event types among the events' }) event_types: number;
}

export class EventsAnalyticsDto {
  @ApiProperty({ example: 'last_30d' }) range: string;
  @ApiProperty({ type: EventTotalsDto }) totals: EventTotalsDto;
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'integer' },
    example: { 'Page View': 900, 'Demo Request': 12 },
    description: 'Events per event type (display name)',
  })
  by_type: Record<string, number>;
}

export class Last24hDto {
  @ApiProperty({ example: 120 }) events: number;
  @ApiProperty({ example: 45 }) leads: number;
  @ApiProperty({ example: 5 }) event_types: number;
}

export class TopEventDto {
  @ApiProperty({ example: 'Page View' }) event_type: string;
  @ApiProperty({ example: 900 }) count: number;
  @ApiProperty({ example: 280, description: 'Distinct leads' }) leads: number;
}

export class EventStatsDto {
  @ApiProperty({ example: 'last_7d', description: 'Period of top_events' }) range: string;
  @ApiProperty({ type: Last24hDto }) last_24h: Last24hDto;
  @ApiProperty({ type: [TopEventDto], description: 'The 10 most frequent event types of the period, most frequent first' }) top_events: TopEventDto[];
}

export class TopLeadDto {
  @ApiProperty({ example: 'ld_123' }) lead_id: string;
  @ApiProperty({ example: 85, description: 'Engagement score as the lead list shows it' }) score: number;
  @ApiProperty({ type: String, nullable: true, example: '2026-06-15T11:00:00.000Z' }) last_event_at: string | null;
}

export class TopLeadsDto {
  @ApiProperty({ type: [TopLeadDto] }) leads: TopLeadDto[];
}

export class ScoreGainDto extends TopLeadDto {
  @ApiProperty({ example: 40, description: 'Score now minus the score of the lead’s latest snapshot at or before the period start (0 without one)' })
  score_gain: number;
}

export class ScoreGainsDto {
  @ApiProperty({ example: 'last_7d' }) range: string;
  @ApiProperty({ type: [ScoreGainDto] }) leads: ScoreGainDto[];
}

export class EventTypeReachDto {
  @ApiProperty({ example: 'Demo Request' }) event_type: string;
  @ApiProperty({ example: 30, description: 'Closed-won deals whose account’s leads performed it before the close' }) deals: number;
  @ApiProperty({ example: 75, description: 'Those events' }) events: number;
}

export class AttributionInsightsDto {
  @ApiProperty({ example: 42 }) closed_won_deals: number;
  @ApiProperty({ nullable: true, type: Number, example: 28.5 }) avg_score_at_mql: number | null;
  @ApiProperty({ nullable: true, type: Number, example: 51.2 }) avg_score_at_sql: number | null;
  @ApiProperty({ nullable: true, type: Number, example: 68 }) avg_score_at_opportunity: number | null;
  @ApiProperty({ nullable: true, type: Number, example: 84.7 }) avg_score_at_close: number | null;
  @ApiProperty({ type: [EventTypeReachDto], description: 'Event types ranked by how many closed-won deals they preceded (at most 10)' })
  top_event_types: EventTypeReachDto[];
}

export class CampaignRowDto {
  @ApiProperty({ example: 'fall2025', description: 'The UTM value' }) value: string;
  @ApiProperty({ example: 420 }) events: number;
  @ApiProperty({ example: 120 }) leads: number;
  @ApiProperty({ example: 18, description: 'Accounts of those leads' }) accounts: number;
  @ApiProperty({ example: 4, description: 'Deals of those accounts (multi-touch, unweighted)' }) deals: number;
  @ApiProperty({ example: 250000, description: 'Sum of those deals’ amounts' }) pipeline_amount: number;
  @ApiProperty({ example: 1 }) closed_won_deals: number;
  @ApiProperty({ example: 90000 }) closed_won_amount: number;
  @ApiProperty({ example: '2026-06-01T09:00:00.000Z' }) first_seen: string;
  @ApiProperty({ example: '2026-06-14T17:30:00.000Z' }) last_seen: string;
}

export class CampaignsDto {
  @ApiProperty({ enum: CAMPAIGN_DIMENSIONS, example: 'campaign' }) group_by: string;
  @ApiProperty({ type: [CampaignRowDto], description: 'Sorted by events, descending' }) campaigns: CampaignRowDto[];
}

export class CampaignLeadDto {
  @ApiProperty({ example: 'ld_123' }) lead_id: string;
  @ApiProperty({ example: 45 }) score: number;
  @ApiProperty({ example: 3, description: 'Events of the lead carrying the value' }) events: number;
  @ApiProperty({ example: '2026-06-02T10:00:00.000Z', description: 'Earliest event carrying the value' }) first_touch_at: string;
  @ApiProperty({ example: '2026-06-10T10:00:00.000Z' }) last_touch_at: string;
  @ApiProperty({ type: String, nullable: true, example: 'acct_42', description: 'The account the lead is grouped into' }) account_id: string | null;
  @ApiProperty({ type: String, nullable: true, example: 'Acme' }) account_name: string | null;
  @ApiProperty({ example: 2, description: 'Deals of that account' }) deals: number;
  @ApiProperty({ example: 1 }) closed_won_deals: number;
  @ApiProperty({ example: 120000, description: 'Sum of the account’s deal amounts' }) pipeline_amount: number;
}

export class CampaignLeadsDto {
  @ApiProperty({ example: 'fall2025' }) campaign_name: string;
  @ApiProperty({ enum: CAMPAIGN_DIMENSIONS, example: 'campaign' }) group_by: string;
  @ApiProperty({ type: [CampaignLeadDto], description: 'At most 500, most recent first touch first' }) leads: CampaignLeadDto[];
}
