import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import type { Dimension } from '../../scoring';

export const WHY_MAX_LEADS = 200;

export class ScoreExplainQueryDto {
  @ApiPropertyOptional({ minimum: 1, maximum: 8760, default: 24, description: 'Window in hours ending now' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(8760)
  hours?: number;
}

export class WhyBatchQueryDto {
  @ApiPropertyOptional({
    description: `Comma-separated public lead ids (at most ${WHY_MAX_LEADS} after removing duplicates); empty or omitted → empty maps`,
    example: 'ld_1,ld_2',
  })
  @IsOptional()
  @IsString()
  @MaxLength(100_000)
  lead_ids?: string;
}

export class TopDriverDto {
  @ApiProperty() rule_id: string;
  @ApiProperty() ruleset_id: string;
  @ApiProperty({ description: 'The rule’s event type' }) event_type: string;
  @ApiProperty({ description: 'Events of the window the rule scored' }) count: number;
  @ApiProperty({ description: 'The rule’s current weight (the stored points when the rule no longer exists)' }) weight: number;
  @ApiProperty({ description: 'Points those events earned, undecayed: count × weight unless the rule changed since or a surge multiplier applied' })
  total: number;
  @ApiProperty({ description: 'What they are worth now (half-life decay applied), 2 decimals' }) points_now: number;
  @ApiPropertyOptional({ description: 'The rule’s attribute filters in words; omitted when the rule has none' }) filter_label?: string;
}

export class SnapshotItemDto {
  @ApiProperty() rule_id: string;
  @ApiProperty() ruleset_id: string;
  @ApiProperty() event_type: string;
  @ApiProperty() weight: number;
  @ApiPropertyOptional({ nullable: true }) half_life_days: number | null;
  @ApiPropertyOptional({ description: 'Omitted when the rule has no attribute filters' }) filter_label?: string;
}

export class SurgeBoostDto {
  @ApiProperty() event_id: string;
  @ApiProperty() event_type: string;
  @ApiProperty({ description: 'The ruleset the boosted contribution belongs to (an event scoring in two rulesets is listed twice)' }) ruleset_id: string;
  @ApiProperty({ description: 'The rule weight the event earned before the multiplier' }) base_points: number;
  @ApiProperty({ example: 1.25, description: 'The surge session multiplier frozen at event time' }) multiplier: number;
  @ApiProperty({ description: 'Extra points the multiplier added: base_points × (multiplier − 1), 2 decimals, undecayed' }) boost_points: number;
}

export class ScoreExplanationDto {
  @ApiProperty() lead_id: string;
  @ApiProperty({ description: 'Current score: the highest across the active engagement rulesets (as GET /score)' }) score: number;
  @ApiProperty({
    type: [TopDriverDto],
    description: 'One item per rule with contributions in the window, largest absolute total first (active rulesets, after any reset)',
  })
  top_drivers: TopDriverDto[];
  @ApiProperty({ type: [SnapshotItemDto], description: 'Current weights of the active rules of active engagement rulesets, largest absolute weight first' })
  snapshot: SnapshotItemDto[];
  @ApiProperty({
    type: [SurgeBoostDto],
    description: 'Contributions of the window (active rulesets, after any reset) whose surge session multiplier, frozen at event time, is not 1, oldest first.',
  })
  surge_boost: SurgeBoostDto[];
  @ApiProperty({ description: 'Σ boost_points of surge_boost (2 decimals)' }) surge_total: number;
  @ApiProperty({ description: 'Distinct events in surge_boost' }) surge_event_count: number;
  @ApiProperty({
    description:
      'Decay inside the window, summed over the active engagement rulesets (≤ 0, 2 decimals): the points the window’s contributions have lost to half-life decay so far, ' +
      'plus the amounts inactivity decay rules subtracted by the DECAY events of the window (what each actually took after the floor). DECAY events are never top drivers.',
  })
  decay_applied: number;
  @ApiProperty({ description: 'Events of the window suppressed as inorganic (velocity filters: inorganic, inorganic_grouped)' }) inorganic_count: number;
  @ApiProperty() range_hours: number;
  @ApiProperty({ nullable: true, description: 'Last score reset (RFC 3339), null if never reset' }) score_reset_at: string | null;
  @ApiProperty({ description: 'Events of the lead ignored because they predate the reset (whole history)' }) reset_excluded_count: number;
}

export class WhyFactorDto {
  @ApiProperty({
    enum: ['engagement', 'profile', 'account'] satisfies Dimension[],
    description:
      'engagement: an event type of the lead; profile: a matching add_points rule of the primary profile ruleset (account factors come with accounts)',
  })
  kind: 'engagement' | 'profile' | 'account';
  @ApiProperty({ example: 'Demo Request', nullable: true, type: String, description: 'Engagement factors only (null for profile factors)' }) event_type:
    string | null;
  @ApiProperty({ example: 'Demo Request ×2', description: 'e.g. `Demo Request ×2`, or a profile rule `industry equals SaaS`' }) label: string;
  @ApiProperty({
    description:
      'Engagement: points the event type is worth now in the ruleset where it weighs most (decayed, after any reset, rounded); profile: the rule’s weight',
  })
  points: number;
  @ApiProperty({ description: 'Scored events of that type (1 for a profile factor)' }) count: number;
  @ApiProperty({ description: 'Of them in the last 7 days (0 for a profile factor)' }) count_7d: number;
  @ApiProperty({ nullable: true, type: String, description: 'Latest scored event (null for a profile factor)' }) last_at: string | null;
  @ApiPropertyOptional({ description: 'Profile factors: the rule', example: 'rl_1' }) rule_id?: string;
  @ApiPropertyOptional({ description: 'Profile factors: the lead metadata key', example: 'industry' }) property?: string;
}

export class DisqualificationDto {
  @ApiProperty() rule_id: string;
  @ApiProperty() ruleset_id: string;
  @ApiProperty({ enum: ['profile', 'account'] }) dimension: string;
  @ApiProperty({ example: 'email is empty' }) rule_name: string;
  @ApiProperty() reason: string;
  @ApiProperty() disqualified_at: string;
}

export class LeadWhyDto {
  @ApiProperty() lead_id: string;
  @ApiProperty({
    example: 'Hot intent: pricing page 3 times this week. Recent: demo request 2 days ago.',
    description: 'Up to three phrases joined by periods',
  })
  summary: string;
  @ApiProperty({ type: [WhyFactorDto], description: 'Ranked by absolute points, largest first' }) factors: WhyFactorDto[];
  @ApiProperty({ description: 'A hard-DQ rule matches the lead: `factors` is empty and `summary` is the disqualification phrase (EXP-5)' })
  disqualified: boolean;
  @ApiProperty({ type: DisqualificationDto, nullable: true, description: 'The rule, time and reason of the disqualification (GDPR Art. 22 surface)' })
  disqualification: DisqualificationDto | null;
}

export class WhyBatchDto {
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' }, description: 'lead_id → summary' }) summaries: Record<string, string>;
  @ApiProperty({ type: [String], description: 'Requested ids not found in the active OU (whether they exist elsewhere is not revealed)' }) missing: string[];
}

export class ShareLinkDto {
  @ApiProperty({ example: 'sxp_…', description: '256 random bits; only its SHA-256 is stored' }) token: string;
  @ApiProperty({ description: 'Creation + 7 days (RFC 3339)' }) expires_at: string;
  @ApiProperty({ example: 'https://app.kenbun.io/share/explain/sxp_…' }) share_url: string;
}

export class SharedExplanationDto {
  @ApiProperty({ description: 'The lead’s name from its metadata (`name`, else `first_name last_name`), else its id' }) lead_name: string;
  @ApiProperty() score: number;
  @ApiProperty({ type: [TopDriverDto] }) top_drivers: TopDriverDto[];
  @ApiProperty({ type: [SnapshotItemDto] }) snapshot: SnapshotItemDto[];
  @ApiProperty() decay_applied: number;
  @ApiProperty() range_hours: number;
  @ApiProperty({ description: 'When the explanation was captured (the content is point-in-time)' }) generated_at: string;
  @ApiProperty() expires_at: string;
}
