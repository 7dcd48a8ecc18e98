import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { lookup as dnsLookup, LookupAddress } from 'node:dns';
import { Agent as HttpAgent, request as httpRequest, IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';
import { AppConfig } from '../../config/app-config';
import { AllowList, forbiddenAddressReason } from './address-rules';
import { DestinationRefusedError, OutboundErrors, OutboundTimeoutError } from './outbound.errors';

export interface OutboundRequest {
  url: string;
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  headers?: Record<string, string>;
  /** sent as is (the caller sets Content-Type) */
  body?: string;
  /** how much of the answer's body is kept (default 64 KiB: deliveries only need the status; API clients read more) */
  maxBodyBytes?: number;
  /**
   * `true`: a body longer than `maxBodyBytes` is cut off there and the connection closed (crawlers: a page is never
   * downloaded past its budget); default: the rest is read and dropped, which keeps the connection reusable.
   */
  stopAtLimit?: boolean;
  /** a shorter total time limit than OUTBOUND_TIMEOUT_MS for this call (never a longer one) */
  timeoutMs?: number;
}

export interface OutboundResponse {
  status: number;
  /** the URL that answered (after redirects) */
  url: string;
  /** at most the first `maxBodyBytes` (64 KiB) of the body */
  body: string;
  /** the same bytes undecoded (binary answers: gzip files) */
  bytes: Buffer;
  /** the answer's headers, names in lower case (e.g. `retry-after`, `content-type`) */
  headers: Record<string, string | string[] | undefined>;
  /** the body was longer than `maxBodyBytes` */
  truncated: boolean;
}

const MAX_REDIRECTS = 3;
const MAX_BODY = 64 * 1024;
/** How long a write-time check waits for DNS before leaving the decision to send time. */
const WRITE_TIME_DNS_MS = 3000;

/**
 * THE outbound HTTP client (contracts §2): every call to a destination a tenant configures goes through it.
 * It refuses loopback, private, link-local and metadata addresses at connect time (the resolved address is the
 * one connected to, so DNS rebinding does not get through), follows at most 3 redirects re-checking each, and
 * times out (OUTBOUND_CONNECT_TIMEOUT_MS to connect, OUTBOUND_TIMEOUT_MS in total). `OUTBOUND_ALLOW_HOSTS`
 * exempts host names, addresses and CIDR ranges; `http://` is accepted only for those.
 */
@Injectable()
export class OutboundClient implements OnModuleDestroy {
  private readonly logger = new Logger('Outbound');
  private readonly allow: AllowList;
  /** keep-alive: a connection is checked by the guard when it is opened and then reused for the same host and port */
  private readonly agents = { http: new HttpAgent({ keepAlive: true, maxSockets: 64 }), https: new HttpsAgent({ keepAlive: true, maxSockets: 64 }) };

  constructor(private readonly config: AppConfig) {
    this.allow = new AllowList(config.env.OUTBOUND_ALLOW_HOSTS);
  }

  onModuleDestroy(): void {
    this.agents.http.destroy();
    this.agents.https.destroy();
  }

  /** The reason a URL is refused before any DNS lookup (scheme, literal address), or null. */
  refusalOf(raw: string): string | null {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      return 'not a valid URL';
    }
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const allowed = this.allow.allowsHost(host);
    if (!allowed && ipaddr.isValid(host)) {
      const reason = forbiddenAddressReason(host);
      if (reason) return reason;
    }
    if (!allowed && (host === 'localhost' || host.endsWith('.localhost') || host.endsWith('.internal') || host.endsWith('.local'))) {
      return `${host} is a local host name`;
    }
    if (url.protocol === 'http:' && !allowed) return 'http:// is accepted only for allow-listed hosts; use https://';
    if (url.protocol !== 'https:' && url.protocol !== 'http:') return `scheme ${url.protocol} is not allowed`;
    if (url.username || url.password) return 'credentials in the URL are not allowed';
    return null;
  }

  /**
   * Write-time check of a configured destination: 400 `destination_not_allowed` naming `field` when the scheme,
   * the literal address or any address the name resolves to now is refused. A name that does not resolve yet is
   * accepted here; send time checks again on every connect.
   */
  async assertAllowed(raw: string, field: string): Promise<void> {
    const reason = this.refusalOf(raw) ?? (await this.resolvedRefusal(new URL(raw).hostname.replace(/^\[|\]$/g, '')));
    if (reason) throw OutboundErrors.error('destination_not_allowed', `${field}: destination not allowed: ${reason}`, [{ field, reason }]);
  }

  private async resolvedRefusal(host: string): Promise<string | null> {
    if (this.allow.allowsHost(host) || ipaddr.isValid(host)) return null;
    const addresses = await new Promise<LookupAddress[]>((resolve) => {
      const timer = setTimeout(() => resolve([]), WRITE_TIME_DNS_MS);
      dnsLookup(host, { all: true }, (err, found) => {
        clearTimeout(timer);
        resolve(err ? [] : found);
      });
    });
    for (const a of addresses) {
      const reason = this.addressRefusal(a.address);
      if (reason) return `${host} resolves to ${reason}`;
    }
    return null;
  }

  private addressRefusal(address: string): string | null {
    return this.allow.allowsAddress(address) ? null : forbiddenAddressReason(address);
  }

  /** Connect-time resolution: every address the name resolves to must pass, else the connection is refused. */
  private readonly guardedLookup: LookupFunction = (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, '', 0);
      const list = addresses as LookupAddress[];
      if (!this.allow.allowsHost(hostname)) {
        for (const a of list) {
          const reason = this.addressRefusal(a.address);
          if (reason) return callback(new DestinationRefusedError(`${hostname} resolves to ${reason}`), '', 0);
        }
      }
      if ((options as { all?: boolean }).all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, list);
      callback(null, list[0].address, list[0].family);
    });
  };

  /**
   * Sends one request. Resolves with any HTTP answer (the caller classifies the status); rejects with
   * DestinationRefusedError (guard), OutboundTimeoutError, or the network error.
   */
  async send(req: OutboundRequest): Promise<OutboundResponse> {
    let url = req.url;
    let method = req.method ?? 'POST';
    let body = req.body;
    for (let hop = 0; ; hop++) {
      const refusal = this.refusalOf(url);
      if (refusal) throw new DestinationRefusedError(refusal);
      const res = await this.once(url, method, body, req).catch((err: Error & { staleSocket?: boolean }) => {
        // a kept-alive connection the server had just closed: the request never reached it, so it goes again once on a
        // fresh connection (Node's documented pattern for `reusedSocket`) instead of failing as a network error
        if (!err.staleSocket) throw err;
        this.logger.debug({ msg: 'kept-alive connection was closed by the server; sending again on a new one' });
        return this.once(url, method, body, req);
      });
      const location = res.status >= 300 && res.status < 400 ? res.location : undefined;
      if (!location) return { status: res.status, url, body: res.bytes.toString('utf8'), bytes: res.bytes, headers: res.headers, truncated: res.truncated };
      if (hop >= MAX_REDIRECTS) throw new DestinationRefusedError(`more than ${MAX_REDIRECTS} redirects`);
      url = new URL(location, url).toString();
      if (res.status === 303 || ((res.status === 301 || res.status === 302) && method === 'POST')) {
        method = 'GET';
        body = undefined;
      }
      this.logger.debug({ msg: 'following redirect', status: res.status, hop: hop + 1 });
    }
  }

  private once(
    url: string,
    method: string,
    body: string | undefined,
    options: OutboundRequest,
  ): Promise<{ status: number; location?: string; bytes: Buffer; headers: IncomingMessage['headers']; truncated: boolean }> {
    const { OUTBOUND_CONNECT_TIMEOUT_MS: connectMs, OUTBOUND_TIMEOUT_MS: envTotalMs } = this.config.env;
    const totalMs = Math.min(envTotalMs, options.timeoutMs ?? envTotalMs);
    const headers = options.headers ?? {};
    const maxBody = options.maxBodyBytes ?? MAX_BODY;
    const u = new URL(url);
    const request = u.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const req = request(
        u,
        {
          method,
          headers: { 'User-Agent': 'kenbun/1', ...headers, ...(body !== undefined ? { 'Content-Length': String(Buffer.byteLength(body)) } : {}) },
          lookup: this.guardedLookup,
          agent: u.protocol === 'https:' ? this.agents.https : this.agents.http,
        },
        (res: IncomingMessage) => {
          const chunks: Buffer[] = [];
          let size = 0;
          const finish = () => {
            clearTimeout(total);
            const location = res.headers.location;
            const kept = Buffer.concat(chunks).subarray(0, maxBody);
            resolve({ status: res.statusCode ?? 0, location, bytes: kept, headers: res.headers, truncated: size > maxBody });
          };
          res.on('data', (c: Buffer) => {
            if (size < maxBody) chunks.push(c);
            size += c.length;
            if (size > maxBody && options.stopAtLimit) {
              res.removeAllListeners('end');
              req.destroy();
              finish();
            }
          });
          res.on('end', finish);
          res.on('error', fail);
        },
      );
      const total = setTimeout(() => req.destroy(new OutboundTimeoutError(`timeout after ${totalMs / 1000}s`)), totalMs);
      const connect = setTimeout(() => req.destroy(new OutboundTimeoutError(`connection timeout after ${connectMs / 1000}s`)), connectMs);
      req.on('socket', (socket) => {
        if (!socket.connecting) clearTimeout(connect);
        else socket.once('connect', () => clearTimeout(connect));
      });
      function fail(err: Error & { code?: string; staleSocket?: boolean }) {
        clearTimeout(total);
        clearTimeout(connect);
        if (req.reusedSocket && err.code === 'ECONNRESET') err.staleSocket = true;
        reject(err);
      }
      req.on('error', fail);
      req.end(body);
    });
  }
}
