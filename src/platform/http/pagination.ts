import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { MAX_PAGE } from './input-limits';

export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 500;

/** `page` (1–1,000,000, so page × limit stays a safe integer) and `limit` (1–500, default 50) for every list; extend it for a list's own filters. */
export class PageQueryDto {
  @ApiPropertyOptional({ minimum: 1, maximum: MAX_PAGE, default: 1, description: 'Page number, from 1' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE)
  page?: number;

  @ApiPropertyOptional({ minimum: 1, maximum: MAX_LIMIT, default: DEFAULT_LIMIT, description: 'Items per page' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_LIMIT)
  limit?: number;
}

export interface PageRequest {
  page: number;
  limit: number;
  offset: number;
}

export function pageRequest(q: PageQueryDto, defaultLimit = DEFAULT_LIMIT): PageRequest {
  const page = q.page ?? 1;
  const limit = q.limit ?? defaultLimit;
  return { page, limit, offset: (page - 1) * limit };
}

/** `{<key>: items, total, page, limit}` — the list envelope of the API. */
export function pageOf<K extends string, T>(
  key: K,
  items: T[],
  total: number,
  req: PageRequest,
): { [P in K]: T[] } & { total: number; page: number; limit: number } {
  return { [key]: items, total, page: req.page, limit: req.limit } as { [P in K]: T[] } & { total: number; page: number; limit: number };
}
