import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ServerResponse } from 'node:http';
import { codeForStatus, ErrorBody } from './app-error';

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
    if (status >= 500) this.logger.error({ msg: 'request failed', err: exception, path: req.url, method: req.method });
    if ('raw' in res) {
      if (res.sent || res.raw.headersSent) return;
      res.status(status).header('Content-Type', 'application/json; charset=utf-8').send(body);
      return;
    }
    if (res.headersSent) return;
    res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8' }).end(JSON.stringify(body));
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
