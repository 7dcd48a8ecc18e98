import type { NextFunction, Request, Response } from 'express';
import type { AppError, ErrorDetail } from './app-error';
import { PlatformErrors } from './platform.errors';

/** The one 400 of bad input: `validation_failed` naming each field and reason. */
export function validationFailed(details: ErrorDetail[]): AppError {
  const message = details.map((d) => `${d.field}: ${d.reason}`).join('; ') || 'invalid request';
  return PlatformErrors.error('validation_failed', message, details);
}

const NUL = '\u0000';
export const NUL_REASON = 'must not contain a NUL character';
const NON_FINITE_REASON = 'must be a finite number';

/** NUL characters anywhere in a query/path value: PostgreSQL refuses them in text, so they never get that far. */
export function nulProblems(value: unknown, field: string, out: ErrorDetail[] = []): ErrorDetail[] {
  if (typeof value === 'string') {
    if (value.includes(NUL)) out.push({ field, reason: NUL_REASON });
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => nulProblems(v, `${field}[${i}]`, out));
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      const path = field ? `${field}.${k}` : k;
      if (k.includes(NUL)) out.push({ field: path, reason: 'key ' + NUL_REASON });
      nulProblems(v, path, out);
    }
  }
  return out;
}

/** Body values JSON can carry but no field accepts: NUL characters (strings and keys) and 1e309 (= Infinity). */
function bodyProblems(value: unknown, field: string, out: ErrorDetail[]): ErrorDetail[] {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) out.push({ field, reason: NON_FINITE_REASON });
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => bodyProblems(v, `${field}[${i}]`, out));
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) bodyProblems(v, field ? `${field}.${k}` : k, out);
  }
  return out;
}

/**
 * Express middleware run before routing, guards and pipes of every route: the query string and the parsed body
 * carry no NUL character and no non-finite number. Path parameters are checked by the validation pipe, which
 * knows their names.
 */
export function rejectUnsafeInput(req: Request, _res: Response, next: NextFunction): void {
  const details = nulProblems(req.query, '');
  if (req.body && typeof req.body === 'object') {
    nulProblems(req.body, '', details);
    bodyProblems(req.body, '', details);
  }
  next(details.length ? validationFailed(details) : undefined);
}
