import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ServerResponse } from 'node:http';
import { codeForStatus, ErrorBody } from './app-error';
import { PlatformErrors } from './platform.errors';

/** Errors raised while reading a body before any handler runs, shaped like body-parser's (see json-body.ts). */
interface BodyParserError extends Error {
  type?: string;
  status?: number;
  limit?: number;
}

/** Fastify's own errors (content-type parsing, body limit), which Nest wraps in an HttpException. */
interface FastifyError extends Error {
  code?: string;
  statusCode?: number;
}

/** Turns every error into the API's one JSON error shape. */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Http');

  /** @param bodyLimit the request body limit in bytes, named in the 413 answer */
  constructor(private readonly bodyLimit?: number) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    // a Fastify reply, or the Node response for errors raised in middleware
    const res = ctx.getResponse<FastifyReply | ServerResponse>();
    const req = ctx.getRequest<FastifyRequest>();
    const { status, body } = this.render(exception, req);
    const unavailable = body.error === 'database_unavailable';
    if (unavailable) this.logger.warn({ msg: 'request failed: database unavailable', err: String(exception), path: req.url, method: req.method });
    else if (status >= 500) this.logger.error({ msg: 'request failed', err: exception, path: req.url, method: req.method });
    // a client that retries (as it must on a 503) is told when: the database is back within seconds after a restart
    const headers: Record<string, string> = { 'Content-Type': 'application/json; charset=utf-8', ...(unavailable ? { 'Retry-After': '1' } : {}) };
    if ('raw' in res) {
      if (res.sent || res.raw.headersSent) return;
      res.status(status).headers(headers).send(body);
      return;
    }
    if (res.headersSent) return;
    res.writeHead(status, headers).end(JSON.stringify(body));
  }

  render(exception: unknown, req: FastifyRequest): { status: number; body: ErrorBody } {
    // Nest wraps Fastify's errors (and those of our JSON parser) in an HttpException whose cause is the original.
    const cause = (exception as { cause?: unknown })?.cause;
    const parserError = bodyParserError(exception) ?? bodyParserError(cause);
    if (parserError) return renderBodyParserError(parserError);
    const fastifyError = asFastifyError(exception) ?? asFastifyError(cause);
    if (fastifyError) return this.renderFastifyError(fastifyError);
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const response = exception.getResponse();
      if (typeof response === 'object' && response && typeof (response as ErrorBody).error === 'string' && 'message' in response) {
        const r = response as ErrorBody & { statusCode?: number };
        // Nest's own exceptions carry {statusCode, message, error: "Not Found"}: normalise those.
        if (!('statusCode' in r)) return { status, body: r };
      }
      const message = typeof response === 'string' ? response : ((response as { message?: unknown }).message ?? exception.message);
      return { status, body: { error: codeForStatus(status), message: Array.isArray(message) ? message.join('; ') : String(message) } };
    }
    void req;
    // PostgreSQL restarting, failing over or unreachable: nothing was written (the statement's transaction did not
    // commit), and the same request succeeds once it is back — a 503 the client retries, not a 500 (a bug)
    if (isDatabaseUnavailable(exception))
      return {
        status: PlatformErrors.codes.database_unavailable,
        body: { error: 'database_unavailable', message: 'the database is unavailable; retry the request shortly' },
      };
    return { status: 500, body: { error: 'internal_error', message: 'internal server error' } };
  }

  private renderFastifyError(e: FastifyError): { status: number; body: ErrorBody } {
    switch (e.code) {
      case 'FST_ERR_CTP_BODY_TOO_LARGE':
        return renderBodyParserError({ ...e, name: e.name, message: e.message, type: 'entity.too.large', status: 413, limit: this.bodyLimit });
      case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
        return { status: 415, body: { error: 'unsupported_media_type', message: e.message } };
      default:
        return { status: e.statusCode!, body: { error: codeForStatus(e.statusCode!), message: e.message } };
    }
  }
}

/** SQLSTATE classes 08 (connection exception) and 57P (operator intervention: shutdown, starting up). */
const UNAVAILABLE_SQLSTATE = /^(08|57P)/;
/** Socket errors of a connection attempt, and node-postgres's own errors for a connection lost mid-query. */
const UNAVAILABLE_ERRNO = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH']);
const UNAVAILABLE_MESSAGE = /^Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error/;

/** Whether an error (or what it wraps: TypeORM's `driverError`, a `cause`) says PostgreSQL cannot be reached. */
export function isDatabaseUnavailable(e: unknown, depth = 0): boolean {
  if (!e || typeof e !== 'object' || depth > 4) return false;
  const x = e as { code?: unknown; message?: unknown; driverError?: unknown; cause?: unknown; errors?: unknown };
  if (typeof x.code === 'string' && (UNAVAILABLE_SQLSTATE.test(x.code) || UNAVAILABLE_ERRNO.has(x.code))) return true;
  if (typeof x.message === 'string' && UNAVAILABLE_MESSAGE.test(x.message)) return true;
  // an AggregateError (a connection attempt to every address of a host) unavailable in each of its errors
  if (Array.isArray(x.errors) && x.errors.length && x.errors.every((inner) => isDatabaseUnavailable(inner, depth + 1))) return true;
  return isDatabaseUnavailable(x.driverError, depth + 1) || isDatabaseUnavailable(x.cause, depth + 1);
}

function bodyParserError(e: unknown): BodyParserError | undefined {
  const bp = e as BodyParserError;
  return bp && typeof bp.type === 'string' && typeof bp.status === 'number' ? bp : undefined;
}

function asFastifyError(e: unknown): FastifyError | undefined {
  const fe = e as FastifyError;
  return fe instanceof Error && typeof fe.code === 'string' && fe.code.startsWith('FST_') && typeof fe.statusCode === 'number' && fe.statusCode < 500
    ? fe
    : undefined;
}

function renderBodyParserError(bp: BodyParserError): { status: number; body: ErrorBody } {
  switch (bp.type) {
    case 'entity.too.large':
      return { status: 413, body: { error: 'payload_too_large', message: `request body exceeds the limit of ${bp.limit} bytes` } };
    case 'entity.parse.failed':
      return { status: 400, body: { error: 'invalid_json', message: `request body is not valid JSON: ${bp.message}` } };
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return { status: 415, body: { error: 'unsupported_media_type', message: bp.message } };
    default:
      return { status: bp.status!, body: { error: codeForStatus(bp.status!), message: bp.message } };
  }
}
