import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';
import { RELATIVE_RANGES, RelativeRange } from '../../../platform/http';
import { CAMPAIGN_DIMENSIONS } from '../domain/campaign-dimension';
import { DAY_OR_INSTANT } from '../domain/date-bound';

export const SCORE_GAIN_RANGES = ['today', 'last_7d', 'last_30d'] as const;
export type ScoreGainRange = (typeof SCORE_GAIN_RANGES)[number];

const DATE_MESSAGE = 'must be a date (YYYY-MM-DD) or an RFC 3339 date-time';

export class EventsAnalyticsQueryDto {
  @ApiPropertyOptional({ enum: RELATIVE_RANGES, default: 'last_30d', description: 'Period of `occurred_at` (UTC)' })
  @IsOptional()
  @IsIn(RELATIVE_RANGES as unknown as string[])
  range?: RelativeRange;

  @ApiPropertyOptional({ description: 'Only this event type (either naming: "Page View" or page_view)' }) @IsOptional() @IsString() event_type?: string;
}

export class EventStatsQueryDto {
  @ApiPropertyOptional({ enum: RELATIVE_RANGES, default: 'last_7d', description: 'Period of `top_events` (UTC)' })
  @IsOptional()
  @IsIn(RELATIVE_RANGES as unknown as string[])
  range?: RelativeRange;
}

export class TopLeadsQueryDto {
  @ApiPropertyOptional({ minimum: 1, maximum: 500, default: 10 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(500) limit?: number;
}

export class ScoreGainsQueryDto extends TopLeadsQueryDto {
  @ApiPropertyOptional({ enum: SCORE_GAIN_RANGES, default: 'last_7d', description: 'Gain since the start of this period' })
  @IsOptional()
  @IsIn(SCORE_GAIN_RANGES as unknown as string[])
  range?: ScoreGainRange;
}

export class CampaignsQueryDto {
  @ApiPropertyOptional({
    default: 'campaign',
    example: 'source',
    description: `Which UTM key to aggregate on: ${CAMPAIGN_DIMENSIONS.join(' | ')}. Any other value falls back to campaign (AN-1: never a 400).`,
  })
  @IsOptional()
  @IsString()
  group_by?: string;

  @ApiPropertyOptional({ description: 'Lower bound for event occurred_at (inclusive). Accepts YYYY-MM-DD or RFC3339.', example: '2026-06-01' })
  @IsOptional()
  @Matches(DAY_OR_INSTANT, { message: DATE_MESSAGE })
  start_date?: string;

  @ApiPropertyOptional({
    description: 'Upper bound for event occurred_at (a day includes the whole day). Accepts YYYY-MM-DD or RFC3339.',
    example: '2026-06-30',
  })
  @IsOptional()
  @Matches(DAY_OR_INSTANT, { message: DATE_MESSAGE })
  end_date?: string;
}
