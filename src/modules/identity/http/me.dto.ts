import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsBoolean, IsIn, IsOptional, ValidateNested } from 'class-validator';
import { CANONICAL_NOTIFICATION_TYPES, NotificationType } from '../services/notification-prefs.service';

export class RateLimitConfigDto {
  @ApiProperty() enabled: boolean;
  @ApiProperty({ enum: ['observe', 'enforce'] }) mode: string;
  @ApiProperty({ enum: ['principal', 'org', 'ip'] }) key_by: string;
  @ApiProperty({ description: 'The bucket key of this caller' }) key: string;
  @ApiProperty({ description: 'Sustained requests per second', example: 1.6667 }) rps: number;
  @ApiProperty({ example: 200 }) burst: number;
  @ApiProperty({ example: 100 }) per_minute: number;
  @ApiProperty({ description: 'Deployment stage (NODE_ENV)', example: 'production' }) stage: string;
}

export class NotificationPrefDto {
  @ApiProperty({ enum: CANONICAL_NOTIFICATION_TYPES })
  @IsIn(CANONICAL_NOTIFICATION_TYPES, { message: `must be one of ${CANONICAL_NOTIFICATION_TYPES.join(', ')}` })
  event_type: NotificationType;
  @ApiProperty() @IsBoolean() muted: boolean;
}

export class NotificationPrefsDto {
  @ApiProperty() notifications_enabled: boolean;
  @ApiProperty({ nullable: true, type: String, example: 'U12•••XYZ' }) slack_user_id: string | null;
  @ApiProperty({ type: [NotificationPrefDto] }) prefs: NotificationPrefDto[];
}

export class UpdateNotificationPrefsDto {
  @ApiPropertyOptional({ description: 'Master toggle' }) @IsOptional() @IsBoolean() notifications_enabled?: boolean;
  @ApiPropertyOptional({ type: [NotificationPrefDto] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  @Type(() => NotificationPrefDto)
  prefs?: NotificationPrefDto[];
}

export class StatusOkDto {
  @ApiProperty({ example: 'ok' }) status: string;
}
