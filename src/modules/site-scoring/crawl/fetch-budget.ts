import { DestinationRefusedError, OutboundClient, OutboundResponse, OutboundTimeoutError } from '../../../platform/outbound';

export interface SiteAnalyzerLimits {
  maxPages: number;
  maxSitemaps: number;
  maxUrls: number;
  maxPageBytes: number;
  maxTotalBytes: number;
  timeoutMs: number;
}

/** Which bound cut an analysis short (answered in `limits_reached`). */
export type LimitName = 'max_pages' | 'max_sitemaps' | 'max_urls' | 'max_page_bytes' | 'max_total_bytes' | 'time';

export type Fetched =
  | { ok: true; response: OutboundResponse }
  /** `refused`: the outbound guard refused the destination (at connect time or on a redirect) */
  | { ok: false; reason: string; refused?: boolean };

/** Below this much time left a fetch is not started: it could not finish. */
const MIN_FETCH_MS = 200;

/**
 * One analysis's budget: its deadline and bytes, shared by every fetch, and the limits it ran into. Every fetch is a
 * GET through the guarded outbound client, stopped at the page budget (`stopAtLimit`: the rest is never downloaded).
 */
export class FetchBudget {
  readonly reached = new Set<LimitName>();
  fetches = 0;
  bytes = 0;
  /** the page budgets of fetches under way: concurrent fetches never add up to more than the total budget */
  private reserved = 0;
  private readonly deadline: number;

  constructor(
    private readonly outbound: OutboundClient,
    readonly limits: SiteAnalyzerLimits,
    private readonly now: () => number = Date.now,
  ) {
    this.deadline = now() + limits.timeoutMs;
  }

  /** Time or total bytes are spent (the limit is recorded); nothing more is fetched. */
  exhausted(): boolean {
    if (this.deadline - this.now() < MIN_FETCH_MS) this.reached.add('time');
    else if (this.bytes + this.reserved >= this.limits.maxTotalBytes) this.reached.add('max_total_bytes');
    else return false;
    return true;
  }

  async get(url: string, accept: string): Promise<Fetched> {
    if (this.exhausted()) return { ok: false, reason: 'the analysis ran out of its time or byte budget' };
    const room = this.limits.maxTotalBytes - this.bytes - this.reserved;
    const maxBodyBytes = Math.min(this.limits.maxPageBytes, room);
    this.fetches++;
    this.reserved += maxBodyBytes;
    try {
      const response = await this.outbound.send({
        url,
        method: 'GET',
        headers: { Accept: accept },
        maxBodyBytes,
        stopAtLimit: true,
        timeoutMs: Math.max(1, this.deadline - this.now()),
      });
      this.reserved -= maxBodyBytes;
      this.bytes += Buffer.byteLength(response.body);
      if (response.truncated) this.reached.add(maxBodyBytes < this.limits.maxPageBytes ? 'max_total_bytes' : 'max_page_bytes');
      return { ok: true, response };
    } catch (err) {
      this.reserved -= maxBodyBytes;
      if (err instanceof DestinationRefusedError) return { ok: false, reason: err.message, refused: true };
      if (err instanceof OutboundTimeoutError && this.deadline - this.now() < MIN_FETCH_MS) this.reached.add('time');
      const e = err as Error & { code?: string };
      return { ok: false, reason: e.code ? `${e.code}: ${e.message}` : e.message };
    }
  }
}
