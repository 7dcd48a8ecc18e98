import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsNotEmpty, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { RFC3339 } from '../../../platform/http';

export const SURGE_METRIC_INTERVALS = ['15m', '1h', '1d'] as const;
export type SurgeMetricInterval = (typeof SURGE_METRIC_INTERVALS)[number];

export class SurgeMetricsQueryDto {
  @ApiProperty({ format: 'date-time', description: 'Start of the time range (RFC3339), inclusive, on fired_at' })
  @IsString()
  @IsNotEmpty()
  @Matches(RFC3339, { message: 'start must be an RFC 3339 date-time with a zone' })
  start: string;

  @ApiProperty({ format: 'date-time', description: 'End of the time range (RFC3339), exclusive, on fired_at; after start' })
  @IsString()
  @IsNotEmpty()
  @Matches(RFC3339, { message: 'end must be an RFC 3339 date-time with a zone' })
  end: string;

  @ApiPropertyOptional({ enum: SURGE_METRIC_INTERVALS, default: '1h', description: 'Aggregation interval (buckets aligned to UTC)' })
  @IsOptional()
  @IsIn(SURGE_METRIC_INTERVALS)
  interval?: SurgeMetricInterval;

  @ApiPropertyOptional({ description: "Optional channel filter (e.g., 'web', 'email', 'slack'): the channel of the event that completed the surge" })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  channel?: string;
}

export class SurgeMetricsTotalsDto {
  @ApiProperty({ description: 'Surge firings in the range' }) surges: number;
  @ApiProperty({ description: 'Distinct leads that surged' }) leads: number;
  @ApiProperty({ description: 'Events counted by those firings (Σ event_count)' }) events: number;
}

export class SurgeMetricsPeakDto {
  @ApiProperty({ format: 'date-time' }) bucket_start: string;
  @ApiProperty() surges: number;
}

export class SurgeMetricsChannelDto {
  @ApiProperty() channel: string;
  @ApiProperty() surges: number;
}

export class SurgeMetricsBucketDto {
  @ApiProperty({ format: 'date-time' }) bucket_start: string;
  @ApiProperty() surges: number;
  @ApiProperty({ description: 'Distinct leads that surged in the bucket' }) leads: number;
}

export class SurgeMetricsDto {
  @ApiProperty() ou_id: string;
  @ApiProperty({ format: 'date-time' }) start: string;
  @ApiProperty({ format: 'date-time' }) end: string;
  @ApiProperty({ enum: SURGE_METRIC_INTERVALS }) interval: SurgeMetricInterval;
  @ApiProperty({ type: SurgeMetricsTotalsDto }) totals: SurgeMetricsTotalsDto;
  @ApiProperty({ type: SurgeMetricsPeakDto, nullable: true, description: 'The bucket with the most surges (the earliest of equals); null without surges' })
  peak: SurgeMetricsPeakDto | null;
  @ApiProperty({ type: [SurgeMetricsChannelDto], description: 'Surges per channel, most first' }) channels: SurgeMetricsChannelDto[];
  @ApiProperty({ type: [SurgeMetricsBucketDto], description: 'Every bucket from the one holding start up to end, empty ones included, oldest first' })
  series: SurgeMetricsBucketDto[];
}
