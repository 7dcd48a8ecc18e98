import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';

/** A CRM v3 object as the fake serves it. */
export interface FakeObject {
  id: string;
  properties: Record<string, string | null>;
  createdAt?: string;
  updatedAt?: string;
  /** archived (deleted) in HubSpot at this time: listed only with `archived=true` */
  archivedAt?: string;
  associations?: Record<string, string[]>;
}

/** Where the fake's objects come from: a list per type, or generated on demand (the benchmark's 100,000 contacts). */
export interface FakeData {
  /** the live objects of a type (what `archived=false` lists) */
  count(type: string): number;
  object(type: string, index: number): FakeObject;
  /** the archived ones (what `archived=true` lists); none when absent */
  archived?(type: string): FakeObject[];
}

/** Lists a test can change between calls: objects with `archivedAt` are the archived ones. */
export function listData(objects: Record<string, FakeObject[]>): FakeData & { objects: Record<string, FakeObject[]> } {
  const of = (type: string, archived: boolean) => (objects[type] ?? []).filter((o) => !!o.archivedAt === archived);
  return { objects, count: (type) => of(type, false).length, object: (type, i) => of(type, false)[i], archived: (type) => of(type, true) };
}

export interface FakeHubSpotOptions {
  data: FakeData;
  pipelines?: object[];
  /** objects per page (HubSpot's limit is 100; tests use small pages to walk the cursor) */
  pageSize?: number;
  clientId?: string;
  clientSecret?: string;
}

export interface FakeHubSpotCall {
  method: string;
  path: string;
  query: Record<string, string>;
  authorization?: string;
  form?: Record<string, string>;
  status: number;
}

export const HUBSPOT_CODE = 'hubspot-good-code';

/**
 * A fake HubSpot on 127.0.0.1: `POST /oauth/v1/token` (authorization_code for HUBSPOT_CODE, refresh_token for a
 * refresh token it issued), `GET /crm/v3/objects/{type}` paged with `after` (an offset) and `associations` (`archived=true`: the archived objects),
 * `GET /crm/v3/pipelines/deals`. Only the last access token it issued is accepted. `rateLimitOnce(type)` answers the
 * next call for that type 429 with `Retry-After: 1`; `revoke()` makes every token invalid (401) and every refresh
 * `400 invalid_grant`, as HubSpot does when the app was uninstalled.
 */
export async function fakeHubSpot(opts: FakeHubSpotOptions) {
  const calls: FakeHubSpotCall[] = [];
  const pageSize = opts.pageSize ?? 100;
  const clientId = opts.clientId ?? 'byo-client-id';
  const clientSecret = opts.clientSecret ?? 'byo-client-secret';
  let issued = 0;
  let accessToken: string | null = null;
  const refreshTokens = new Set<string>();
  let revoked = false;
  const rateLimited = new Set<string>();
  const state = { record: true };

  const send = (res: ServerResponse, status: number, body: object, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };
  const readBody = (req: IncomingMessage) =>
    new Promise<string>((resolve) => {
      let s = '';
      req.on('data', (c: Buffer) => (s += c.toString()));
      req.on('end', () => resolve(s));
    });
  const tokens = () => {
    issued++;
    accessToken = `hs-access-${issued}`;
    const refresh = `hs-refresh-${issued}`;
    refreshTokens.add(refresh);
    return { token_type: 'bearer', access_token: accessToken, refresh_token: refresh, expires_in: 1800, hub_id: 4242 };
  };

  const server: Server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://fake');
      const query = Object.fromEntries(url.searchParams);
      const call: FakeHubSpotCall = { method: req.method ?? 'GET', path: url.pathname, query, authorization: req.headers.authorization, status: 200 };
      const answer = (status: number, body: object, headers?: Record<string, string>) => {
        call.status = status;
        if (state.record) calls.push(call);
        send(res, status, body, headers);
      };
      if (req.method === 'POST' && url.pathname === '/oauth/v1/token') {
        const form = Object.fromEntries(new URLSearchParams(await readBody(req)));
        call.form = form;
        if (form.client_id !== clientId || form.client_secret !== clientSecret) return answer(400, { status: 'BAD_CLIENT_ID', error: 'invalid_client' });
        if (form.grant_type === 'authorization_code') {
          if (form.code !== HUBSPOT_CODE) return answer(400, { status: 'BAD_AUTH_CODE', error: 'invalid_grant', message: 'auth code not found' });
          revoked = false;
          return answer(200, tokens());
        }
        if (form.grant_type === 'refresh_token') {
          if (revoked || !refreshTokens.has(form.refresh_token))
            return answer(400, { status: 'BAD_REFRESH_TOKEN', error: 'invalid_grant', message: 'refresh token is invalid' });
          return answer(200, tokens());
        }
        return answer(400, { error: 'unsupported_grant_type' });
      }
      if (revoked || !accessToken || req.headers.authorization !== `Bearer ${accessToken}`) {
        return answer(401, { status: 'error', category: 'INVALID_AUTHENTICATION', message: 'Authentication credentials not found.' });
      }
      if (req.method === 'GET' && url.pathname === '/crm/v3/pipelines/deals') return answer(200, { results: opts.pipelines ?? [] });
      const m = /^\/crm\/v3\/objects\/([a-z]+)$/.exec(url.pathname);
      if (req.method === 'GET' && m) {
        const type = m[1];
        if (rateLimited.delete(type))
          return answer(
            429,
            { status: 'error', category: 'RATE_LIMITS', message: 'You have reached your ten_secondly_rolling limit.' },
            { 'Retry-After': '1' },
          );
        const archived = query.archived === 'true';
        const archivedList = archived ? (opts.data.archived?.(type) ?? []) : [];
        const total = archived ? archivedList.length : opts.data.count(type);
        const from = Number(query.after ?? 0);
        const to = Math.min(total, from + Math.min(pageSize, Number(query.limit ?? 100)));
        const assoc = (query.associations ?? '').split(',').filter(Boolean);
        const results = [];
        for (let i = from; i < to; i++) {
          const o = archived ? archivedList[i] : opts.data.object(type, i);
          const out: Record<string, unknown> = {
            id: o.id,
            properties: { hs_object_id: o.id, ...o.properties },
            createdAt: o.createdAt ?? '2026-01-01T00:00:00.000Z',
            updatedAt: o.updatedAt ?? '2026-01-01T00:00:00.000Z',
            archived,
            ...(archived ? { archivedAt: o.archivedAt } : {}),
          };
          const a: Record<string, object> = {};
          for (const to of assoc) if (o.associations?.[to]?.length) a[to] = { results: o.associations[to].map((id) => ({ id, type: `${type}_to_${to}` })) };
          if (Object.keys(a).length) out.associations = a;
          results.push(out);
        }
        return answer(200, { results, ...(to < total ? { paging: { next: { after: String(to), link: `?after=${to}` } } } : {}) });
      }
      answer(404, { status: 'error', message: 'not found' });
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    server,
    base,
    calls,
    clientId,
    clientSecret,
    /** stop recording calls (the benchmark's million requests) */
    quiet: () => (state.record = false),
    rateLimitOnce: (type: string) => rateLimited.add(type),
    revoke: () => (revoked = true),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
