import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
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

/** Set on a request whose JSON body text cannot hold a NUL character or a non-finite number (see jsonBodyParser). */
const CLEAN_BODY = Symbol('kenbun.cleanBody');

/**
 * Whether JSON text may hold what bodyProblems looks for: a NUL can only be written `\u0000`, and a number only
 * overflows to Infinity with an exponent of three digits or a hundred digits in a row. Most bodies have neither,
 * and are not walked a second time.
 */
export function markJsonBodyText(req: FastifyRequest, text: string): void {
  if (!text.includes('\\u0000') && !/[eE]\+?\d{3}|\d{100}/.test(text)) (req as FastifyRequest & { [CLEAN_BODY]?: boolean })[CLEAN_BODY] = true;
}

/**
 * Fastify hook run after body parsing and before the guards, pipes and handler of every route: the query string and
 * the parsed body carry no NUL character and no non-finite number. Path parameters are checked by the validation
 * pipe, which knows their names.
 */
export function rejectUnsafeInput(req: FastifyRequest, _reply: FastifyReply, done: HookHandlerDoneFunction): void {
  // a NUL reaches a parsed query value only as %00
  const details = req.raw.url?.includes('%00') ? nulProblems(req.query, '') : [];
  const body = req.body;
  if (body && typeof body === 'object' && !(req as FastifyRequest & { [CLEAN_BODY]?: boolean })[CLEAN_BODY]) {
    nulProblems(body, '', details);
    bodyProblems(body, '', details);
  }
  done(details.length ? validationFailed(details) : undefined);
}
