import { HttpException, HttpStatus } from '@nestjs/common';

export interface ErrorDetail {
  field?: string;
  reason: string;
  [key: string]: unknown;
}

/** The one error shape of the API: `{error: <snake_case code>, message, details?}`. */
export interface ErrorBody {
  error: string;
  message: string;
  details?: unknown;
}

/**
 * Throw this (or a module's subclass) for every expected failure. The global filter renders it as-is;
 * anything else becomes a 500 `internal_error` and is logged.
 */
export class AppError extends HttpException {
  constructor(
    status: HttpStatus | number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super({ error: code, message, ...(details !== undefined ? { details } : {}) } satisfies ErrorBody, status);
  }

  static badRequest(code: string, message: string, details?: unknown) {
    return new AppError(HttpStatus.BAD_REQUEST, code, message, details);
  }
  static notFound(what: string, code = 'not_found') {
    return new AppError(HttpStatus.NOT_FOUND, code, `${what} not found`);
  }
  static conflict(code: string, message: string, details?: unknown) {
    return new AppError(HttpStatus.CONFLICT, code, message, details);
  }
  static forbidden(code: string, message: string) {
    return new AppError(HttpStatus.FORBIDDEN, code, message);
  }
  static unauthorized(message = 'missing or invalid credentials', code = 'unauthorized') {
    return new AppError(HttpStatus.UNAUTHORIZED, code, message);
  }
  static unavailable(code: string, message: string) {
    return new AppError(HttpStatus.SERVICE_UNAVAILABLE, code, message);
  }
}

/** Default machine code for a status when the thrower gave none. */
export function codeForStatus(status: number): string {
  const codes: Record<number, string> = {
    400: 'bad_request',
    401: 'unauthorized',
    402: 'payment_required',
    403: 'forbidden',
    404: 'not_found',
    405: 'method_not_allowed',
    406: 'not_acceptable',
    409: 'conflict',
    410: 'gone',
    412: 'precondition_failed',
    413: 'payload_too_large',
    415: 'unsupported_media_type',
    422: 'unprocessable_entity',
    429: 'rate_limited',
    500: 'internal_error',
    502: 'bad_gateway',
    503: 'service_unavailable',
    504: 'gateway_timeout',
  };
  return codes[status] ?? (status >= 500 ? 'internal_error' : 'bad_request');
}
