import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';

export const AUDIT_SORT_COLUMNS = ['created_at', 'user_email', 'method', 'path', 'status', 'ip', 'latency_ms'] as const;

export class AuditLogQueryDto {
  @ApiPropertyOptional({ minimum: 1, maximum: 500, default: 100 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(500) limit?: number;
  @ApiPropertyOptional({ minimum: 0, default: 0 }) @IsOptional() @Type(() => Number) @IsInt() @Min(0) offset?: number;
  @ApiPropertyOptional({ description: 'Search across user_email, path and IP address' }) @IsOptional() @IsString() @MaxLength(200) search?: string;
  @ApiPropertyOptional({ enum: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] }) @IsOptional() @IsIn(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']) method?: string;
  @ApiPropertyOptional({ description: 'Minimum status code (inclusive)' }) @IsOptional() @Type(() => Number) @IsInt() @Min(100) @Max(599) status_min?: number;
  @ApiPropertyOptional({ description: 'Maximum status code (inclusive)' }) @IsOptional() @Type(() => Number) @IsInt() @Min(100) @Max(599) status_max?: number;
  @ApiPropertyOptional({ description: 'Exact user email' }) @IsOptional() @IsString() @MaxLength(254) user_email?: string;
  @ApiPropertyOptional({ enum: AUDIT_SORT_COLUMNS, default: 'created_at' })
  @IsOptional()
  @IsIn(AUDIT_SORT_COLUMNS)
  sort_by?: (typeof AUDIT_SORT_COLUMNS)[number];
  @ApiPropertyOptional({ enum: ['ASC', 'DESC'], default: 'DESC' }) @IsOptional() @IsIn(['ASC', 'DESC']) sort_order?: 'ASC' | 'DESC';
}

export class AuditLogItemDto {
  @ApiProperty() id: string;
  @ApiProperty() created_at: string;
  @ApiProperty({ nullable: true, type: String }) user_email: string | null;
  @ApiProperty({ enum: ['member', 'service_account', 'pat', 'billing_provider'] }) actor_type: string;
  @ApiProperty() actor_id: string;
  @ApiProperty() method: string;
  @ApiProperty() path: string;
  @ApiProperty() status: number;
  @ApiProperty({ nullable: true, type: String }) ip: string | null;
  @ApiProperty() latency_ms: number;
  @ApiProperty({ example: 'created', description: 'created | updated | deleted | viewed | merged | exported' }) verb: string;
  @ApiProperty({ nullable: true, type: String }) entity_type: string | null;
  @ApiProperty({ nullable: true, type: String }) entity_id: string | null;
  @ApiProperty({ example: "jane@example.com created API credential 'pipeline'" }) summary: string;
  @ApiProperty({ nullable: true, type: String }) unit_id: string | null;
  @ApiProperty({ nullable: true, type: String }) request_id: string | null;
}

export class AuditLogPageDto {
  @ApiProperty({ type: [AuditLogItemDto] }) items: AuditLogItemDto[];
  @ApiProperty() limit: number;
  @ApiProperty() offset: number;
}
