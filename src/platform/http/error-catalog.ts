import { AppError } from './app-error';

/** One registered error code: its HTTP status and the module that owns it. */
export interface ErrorCodeEntry {
  code: string;
  status: number;
  module: string;
  description?: string;
}

const registry = new Map<string, ErrorCodeEntry>();

/**
 * A module's error codes and their statuses, declared once:
 *
 *   export const LeadErrors = defineErrors('leads', { lead_not_found: 404, source_already_merged: 400 });
 *   throw LeadErrors.error('lead_not_found', 'lead not found');
 *
 * The code is type-checked against the module's list, so a typo or an undeclared code does not compile; the
 * status comes from the declaration, so one code never answers two statuses; every declared code is listed in
 * the OpenAPI error schema (`registeredErrorCodes`). Two modules may declare the same code (`lead_not_found` is
 * answered by leads and by the scoring engine, which must not import leads) only with the same status.
 */
export interface ErrorCatalog<C extends string> {
  readonly module: string;
  readonly codes: Readonly<Record<C, number>>;
  /** The error to throw: `{error: code, message, details?}` with the declared status. */
  error(code: C, message: string, details?: unknown): AppError;
  /** 404 `code` with the message "<what> not found". */
  notFound(code: C, what: string): AppError;
}

export function defineErrors<const T extends Record<string, number>>(module: string, codes: T): ErrorCatalog<keyof T & string> {
  for (const [code, status] of Object.entries(codes)) {
    if (!/^[a-z][a-z0-9_]*$/.test(code)) throw new Error(`error code ${code} of ${module} is not snake_case`);
    const known = registry.get(code);
    if (known && known.status !== status) throw new Error(`error code ${code} is declared ${known.status} by ${known.module} and ${status} by ${module}`);
    if (!known) registry.set(code, { code, status, module });
  }
  return {
    module,
    codes,
    error: (code, message, details) => new AppError(codes[code], code, message, details),
    notFound: (code, what) => new AppError(codes[code], code, `${what} not found`),
  };
}

/** Every declared code, sorted, for the OpenAPI document and for tests. */
export function registeredErrorCodes(): ErrorCodeEntry[] {
  return [...registry.values()].sort((a, b) => a.code.localeCompare(b.code));
}

export function isRegisteredErrorCode(code: string): boolean {
  return registry.has(code);
}
