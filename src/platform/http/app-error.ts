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
 * Every expected failure. Made by a module's error catalog (`defineErrors` in error-catalog.ts), which fixes the
 * code's status and lists it in the OpenAPI document; the global filter renders it as-is, anything else becomes a
 * 500 `internal_error` and is logged.
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
