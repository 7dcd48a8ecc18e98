import createClient, { type Middleware } from 'openapi-fetch';
import type { components, paths } from './schema';

export type Schemas = components['schemas'];

/** An answer of the API that is not a success, with the readable message of its error body. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const TOKEN_KEY = 'kenbun.token';
const EXPIRES_KEY = 'kenbun.expires';
type SessionListener = (reason: 'signed-in' | 'signed-out' | 'expired') => void;
const listeners = new Set<SessionListener>();

export const session = {
  token(): string | null {
    const token = sessionStorage.getItem(TOKEN_KEY);
    const expires = Number(sessionStorage.getItem(EXPIRES_KEY) ?? 0);
    if (token && expires && Date.now() > expires) {
      session.end('expired');
      return null;
    }
    return token;
  },
  start(token: string, expiresInSeconds: number): void {
    sessionStorage.setItem(TOKEN_KEY, token);
    sessionStorage.setItem(EXPIRES_KEY, String(Date.now() + expiresInSeconds * 1000));
    listeners.forEach((l) => l('signed-in'));
  },
  end(reason: 'signed-out' | 'expired'): void {
    const had = sessionStorage.getItem(TOKEN_KEY) !== null;
    sessionStorage.removeItem(TOKEN_KEY);
    sessionStorage.removeItem(EXPIRES_KEY);
    if (had || reason === 'signed-out') listeners.forEach((l) => l(reason));
  },
  subscribe(l: SessionListener): () => void {
    listeners.add(l);
    return () => listeners.delete(l);
  },
};

/** Bearer token on every call; a 401 to a signed-in session ends it (the app then shows the sign-in page). */
const auth: Middleware = {
  onRequest({ request }) {
    const token = session.token();
    if (token) request.headers.set('Authorization', `Bearer ${token}`);
    return request;
  },
  onResponse({ response, request }) {
    if (response.status === 401 && request.headers.has('Authorization')) session.end('expired');
    return response;
  },
};

/** The typed client of the public API, generated from openapi.json: a contract change breaks `tsc -p web`. */
export const api = createClient<paths>({ baseUrl: location.origin, credentials: 'same-origin' });
api.use(auth);

/** The readable message of an error body `{error, message, details}`. */
export function errorMessage(status: number, body: unknown): ApiError {
  const b = (body ?? {}) as { error?: string; message?: string; details?: unknown };
  let message = typeof b.message === 'string' && b.message ? b.message : `The server answered ${status}`;
  // per-field details the message does not already say (a validation 400 names each field and reason)
  if (Array.isArray(b.details)) {
    const extra: string[] = [];
    for (const d of b.details as unknown[]) {
      const o = (d && typeof d === 'object' ? d : { reason: d }) as Record<string, unknown>;
      const field = o.field ?? o.property ?? o.path;
      const raw = o.reason ?? o.message ?? o.constraints;
      const reason = raw === undefined ? '' : typeof raw === 'object' ? JSON.stringify(raw) : String(raw);
      if (reason && message.includes(reason)) continue;
      extra.push(field !== undefined ? `${String(field)}: ${reason}` : reason);
    }
    if (extra.length) message += ` (${extra.join('; ')})`;
  }
  return new ApiError(status, typeof b.error === 'string' ? b.error : 'error', message);
}

/** The data of an openapi-fetch answer, or an ApiError carrying the API's message. */
export async function must<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  let res;
  try {
    res = await call;
  } catch (err) {
    throw new ApiError(0, 'network', `The server could not be reached (${(err as Error).message})`);
  }
  if (!res.response.ok) throw errorMessage(res.response.status, res.error);
  return res.data as T;
}

/** A text, or '' for the loosely typed nullable fields of the document (`Record<string, never> | null`). */
export const text = (v: unknown): string => (v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v));

/** A raw authenticated request (CSV downloads, the SSE stream): the same credential and error handling. */
export async function rawFetch(path: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  const token = session.token();
  if (token) headers.set('Authorization', `Bearer ${token}`);
  const res = await fetch(path, { ...init, headers, credentials: 'same-origin' });
  if (res.status === 401 && token) session.end('expired');
  if (!res.ok) throw errorMessage(res.status, await res.json().catch(() => undefined));
  return res;
}
