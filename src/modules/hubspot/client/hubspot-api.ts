import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '../../../config/app-config';
import { DestinationRefusedError, OutboundClient, OutboundResponse, OutboundTimeoutError } from '../../../platform/outbound';
import { CrmPage, CrmPipeline } from '../domain';

/** A page of 100 objects with their properties and associations stays well under this. */
const MAX_ANSWER_BYTES = 16 * 1024 * 1024;
/** HubSpot's largest page. */
export const PAGE_LIMIT = 100;
/** How often one call is retried after a 429 before the sync gives up on it (the job is retried later). */
const MAX_RATE_LIMIT_WAITS = 8;
/** A Retry-After longer than this is not waited for in the job: the call fails as unavailable and the job retries. */
const MAX_RETRY_AFTER_MS = 120_000;

/** HubSpot answered with a status the caller has to act on (401 revoked, 4xx refused, 5xx unavailable). */
export class HubSpotHttpError extends Error {
  constructor(
    readonly status: number | null,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }

  /** The access token (or the refresh token) is no longer valid: the connection is broken until re-authorised. */
  get revoked(): boolean {
    return this.status === 401 || this.code === 'invalid_grant' || this.code === 'BAD_REFRESH_TOKEN';
  }
}

/** The token endpoint's answer. */
export interface HubSpotTokens {
  access_token: string;
  refresh_token: string;
  expires_in: number;
  hub_id?: number | string;
}

/**
 * HubSpot's API over plain HTTP (contracts §4) at `HUBSPOT_API_BASE_URL`, through THE outbound client (contracts §2):
 * the OAuth token endpoint (`POST /oauth/v1/token`, form body) and CRM v3 reads (`Authorization: Bearer`). A 429 is
 * waited out (Retry-After, seconds) and sent again; any other non-2xx answer throws a HubSpotHttpError.
 */
@Injectable()
export class HubSpotApi {
  private readonly log = new Logger('HubSpot');

  constructor(
    private readonly outbound: OutboundClient,
    private readonly config: AppConfig,
  ) {}

  /** Waits `ms` (overridable so the benchmark's fake can answer 429 without slowing the run down). */
  sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

  private get base(): string {
    return this.config.env.HUBSPOT_API_BASE_URL.replace(/\/+$/, '');
  }

  /** Authorization-code or refresh-token grant. */
  async token(form: Record<string, string>): Promise<HubSpotTokens> {
    const res = await this.send({
      url: `${this.base}/oauth/v1/token`,
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded;charset=utf-8', Accept: 'application/json' },
      body: new URLSearchParams(form).toString(),
    });
    const answer = parse(res.body) as Partial<HubSpotTokens> | null;
    if (!answer?.access_token || !answer.refresh_token) throw new HubSpotHttpError(res.status, 'invalid_response', 'HubSpot answered no tokens');
    return { access_token: answer.access_token, refresh_token: answer.refresh_token, expires_in: Number(answer.expires_in ?? 1800), hub_id: answer.hub_id };
  }

  /**
   * One page of CRM objects of a type (`after` from the previous page), with properties and associations; with
   * `archived`, the objects archived (deleted) in HubSpot instead of the live ones.
   */
  async objects(
    token: string,
    type: string,
    q: { after?: string | null; properties: readonly string[]; associations?: readonly string[]; archived?: boolean },
  ): Promise<CrmPage> {
    const url = new URL(`${this.base}/crm/v3/objects/${type}`);
    url.searchParams.set('limit', String(PAGE_LIMIT));
    if (q.after) url.searchParams.set('after', q.after);
    if (q.properties.length) url.searchParams.set('properties', q.properties.join(','));
    if (q.associations?.length) url.searchParams.set('associations', q.associations.join(','));
    url.searchParams.set('archived', q.archived ? 'true' : 'false');
    const res = await this.send({ url: url.toString(), method: 'GET', headers: { Authorization: `Bearer ${token}`, Accept: 'application/json' } });
    const page = parse(res.body) as CrmPage | null;
    if (!page || !Array.isArray(page.results)) throw new HubSpotHttpError(res.status, 'invalid_response', `HubSpot answered no results for ${type}`);
    return page;
  }

  async dealPipelines(token: string): Promise<CrmPipeline[]> {
    const res = await this.send({
      url: `${this.base}/crm/v3/pipelines/deals`,
      method: 'GET',
      headers: { Authorization: `Bearer ${token}`, Accept: 'application/json' },
    });
    const answer = parse(res.body) as { results?: CrmPipeline[] } | null;
    return Array.isArray(answer?.results) ? answer.results : [];
  }

  private async send(req: { url: string; method: 'GET' | 'POST'; headers: Record<string, string>; body?: string }): Promise<OutboundResponse> {
    for (let waits = 0; ; waits++) {
      let res: OutboundResponse;
      try {
        res = await this.outbound.send({ ...req, maxBodyBytes: MAX_ANSWER_BYTES });
      } catch (err) {
        const e = err as Error;
        const code = e instanceof DestinationRefusedError ? 'destination_not_allowed' : e instanceof OutboundTimeoutError ? 'timeout' : 'network_error';
        throw new HubSpotHttpError(null, code, `HubSpot could not be reached: ${e.message}`);
      }
      if (res.status === 429 && waits < MAX_RATE_LIMIT_WAITS) {
        const ms = retryAfterMs(res.headers['retry-after']);
        if (ms <= MAX_RETRY_AFTER_MS) {
          this.log.log({ msg: 'HubSpot rate limit: waiting', retry_after_ms: ms, path: new URL(req.url).pathname });
          await this.sleep(ms);
          continue;
        }
      }
      if (res.status >= 200 && res.status < 300) return res;
      const answer = parse(res.body) as { status?: string; category?: string; error?: string; message?: string } | null;
      const code = answer?.error ?? answer?.category ?? `http_${res.status}`;
      throw new HubSpotHttpError(res.status, code, `HubSpot answered ${res.status} ${code}${answer?.message ? `: ${answer.message}` : ''}`.slice(0, 500));
    }
  }
}

/** Retry-After in seconds (or an HTTP date); 1 s when absent or unreadable. */
export function retryAfterMs(header: string | string[] | undefined): number {
  const raw = Array.isArray(header) ? header[0] : header;
  if (!raw) return 1000;
  const seconds = Number(raw);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(raw);
  return Number.isFinite(at) ? Math.max(0, at - Date.now()) : 1000;
}

function parse(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return null;
  }
}
