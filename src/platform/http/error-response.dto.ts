import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional, ApiResponse } from '@nestjs/swagger';

export class ErrorDetailDto {
  @ApiPropertyOptional({ example: 'event_type' }) field?: string;
  @ApiProperty({ example: 'should not be empty' }) reason: string;
}

export class ErrorResponseDto {
  @ApiProperty({ example: 'validation_failed', description: 'Machine-readable snake_case code' }) error: string;
  @ApiProperty({ example: 'event_type: should not be empty' }) message: string;
  @ApiPropertyOptional({ type: [ErrorDetailDto], description: 'Per-field problems, when there are any' }) details?: ErrorDetailDto[];
}

const DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid request (the body names each field and reason)',
  401: 'Missing, wrong, expired or revoked credential',
  403: 'The caller may not do this',
  404: 'Not found (or not visible in the active OU)',
  409: 'Conflict with the current state',
  410: 'Gone',
  412: 'Precondition failed (a required setup is missing)',
  413: 'Request body or field too large',
  415: 'Unsupported media type',
  429: 'Rate limit exceeded',
  502: 'An outside service did not answer as expected',
  503: 'Temporarily unavailable',
};

/** Documents the JSON error responses of an operation. */
export const ApiErrors = (...statuses: number[]) =>
  applyDecorators(...statuses.map((status) => ApiResponse({ status, description: DESCRIPTIONS[status] ?? 'Error', type: ErrorResponseDto })));
