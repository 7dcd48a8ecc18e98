import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { codeForStatus, ErrorBody } from './app-error';

/** Errors raised by body-parser before any handler runs. */
interface BodyParserError extends Error {
  type?: string;
  status?: number;
  limit?: number;
}

/** Turns every error into the API's one JSON error shape. */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Http');

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const res = ctx.getResponse<Response>();
    const req = ctx.getRequest<Request>();
    const { status, body } = this.render(exception, req);
    if (status >= 500) this.logger.error({ msg: 'request failed', err: exception, path: req.url, method: req.method });
    if (res.headersSent) return;
    res.status(status).json(body);
  }

  render(exception: unknown, req: Request): { status: number; body: ErrorBody } {
    // Nest wraps body-parser's errors in an HttpException whose cause carries body-parser's `type`.
    const parserError = bodyParserError(exception) ?? bodyParserError((exception as { cause?: unknown })?.cause);
    if (parserError) return renderBodyParserError(parserError);
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
}

function bodyParserError(e: unknown): BodyParserError | undefined {
  const bp = e as BodyParserError;
  return bp && typeof bp.type === 'string' && typeof bp.status === 'number' ? bp : undefined;
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
