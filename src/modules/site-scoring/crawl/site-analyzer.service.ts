import { Injectable, Logger } from '@nestjs/common';
import { gunzipSync } from 'node:zlib';
import { AppConfig } from '../../../config/app-config';
import { OutboundClient, OutboundErrors } from '../../../platform/outbound';
import { DiscoveredPage, proposeRules, SiteProposal } from '../domain/propose-rules';
import { domainOf, pageKey, sameSite } from '../domain/site-url';
import { extractLinks, PageLink } from '../parsing/html-links';
import { robotsRules, sitemapsOfRobotsTxt } from '../parsing/robots-txt';
import { parseSitemap } from '../parsing/sitemap-xml';
import { SiteScoringErrors } from '../site-scoring.errors';
import { Fetched, FetchBudget, LimitName, SiteAnalyzerLimits } from './fetch-budget';

export type SiteSource = 'sitemap' | 'crawl';

export interface SiteAnalysis extends SiteProposal {
  domain: string;
  fetched_url: string;
  page_count: number;
  skipped_urls: number;
  source: SiteSource;
  limits_reached: LimitName[];
}

const HTML = 'text/html,application/xhtml+xml;q=0.9,*/*;q=0.1';
const XML = 'application/xml,text/xml;q=0.9,*/*;q=0.1';
const GZIP = 'application/gzip,application/x-gzip,application/xml;q=0.9,*/*;q=0.1';

/** gzip's magic number (RFC 1952). */
const isGzip = (bytes: Buffer) => bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;

/** The text of a gzip body, never inflating past `max` bytes (a gzip bomb stops there). */
function gunzipWithin(bytes: Buffer, max: number): string | 'too_large' | 'invalid' {
  try {
    return gunzipSync(bytes, { maxOutputLength: max }).toString('utf8');
  } catch (err) {
    return (err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE' ? 'too_large' : 'invalid';
  }
}
/** navigation pages fetched at once */
const CONCURRENCY = 4;

/** The pages found so far, by page key, capped at SITE_ANALYZER_MAX_URLS; what does not fit is counted as skipped. */
class PageSet {
  readonly pages = new Map<string, DiscoveredPage>();
  skipped = 0;

  constructor(
    private readonly site: URL,
    private readonly budget: FetchBudget,
  ) {}

  /** Adds a page of the site (other sites and non-page files are ignored); false when the cap turned it away. */
  add(raw: string, text?: string): boolean {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      return true;
    }
    if (!sameSite(url, this.site)) return true;
    const key = pageKey(url);
    if (!key) return true;
    const known = this.pages.get(key);
    if (known) {
      if (!known.text && text) known.text = text;
      return true;
    }
    if (this.pages.size >= this.budget.limits.maxUrls) {
      this.skipped++;
      this.budget.reached.add('max_urls');
      return false;
    }
    this.pages.set(key, { url: key, ...(text ? { text } : {}) });
    return true;
  }
}

function failure(fetched: Fetched): string {
  if (!fetched.ok) return fetched.reason;
  return `HTTP ${fetched.response.status}`;
}

const isSuccess = (f: Fetched): f is Extract<Fetched, { ok: true }> => f.ok && f.response.status >= 200 && f.response.status < 300;

/**
 * INT-5: reads robots.txt for sitemap locations (else /sitemap.xml), follows sitemap index files, and takes the page
 * URLs they list; a site without a usable sitemap is crawled instead: the homepage and the pages of its top-level
 * navigation, whose links are taken as well (one level deep). Every fetch is bounded (see FetchBudget); what was found
 * is classified into intent categories with one proposed Page View rule each.
 */
@Injectable()
export class SiteAnalyzer {
  private readonly logger = new Logger('SiteAnalyzer');

  constructor(
    private readonly outbound: OutboundClient,
    private readonly config: AppConfig,
  ) {}

  limits(): SiteAnalyzerLimits {
    const env = this.config.env;
    return {
      maxPages: env.SITE_ANALYZER_MAX_PAGES,
      maxSitemaps: env.SITE_ANALYZER_MAX_SITEMAPS,
      maxUrls: env.SITE_ANALYZER_MAX_URLS,
      maxPageBytes: env.SITE_ANALYZER_MAX_PAGE_BYTES,
      maxTotalBytes: env.SITE_ANALYZER_MAX_TOTAL_BYTES,
      timeoutMs: env.SITE_ANALYZER_TIMEOUT_MS,
    };
  }

  /** `site` has passed siteUrlOf; 400 destination_not_allowed (field url) for a refused address, 422 site_unreachable. */
  async analyze(site: URL): Promise<SiteAnalysis> {
    const started = Date.now();
    await this.outbound.assertAllowed(site.toString(), 'url');
    const budget = new FetchBudget(this.outbound, this.limits());
    const found = new PageSet(site, budget);

    // sitemap files that were listed but could not be read stay counted when the analysis falls back to a crawl
    const { skipped: skippedSitemaps, allows } = await this.readSitemaps(site, budget, found);
    let source: SiteSource = 'sitemap';
    let fetchedUrl = site.toString();
    let skippedPages = 0;
    if (found.pages.size === 0) {
      source = 'crawl';
      ({ fetchedUrl, skippedPages } = await this.crawl(site, budget, found, allows));
    }
    const pages = [...found.pages.values()];
    const proposal = proposeRules(pages);
    const analysis: SiteAnalysis = {
      domain: domainOf(site),
      fetched_url: fetchedUrl,
      page_count: pages.length,
      skipped_urls: found.skipped + skippedSitemaps + skippedPages,
      source,
      limits_reached: [...budget.reached].sort(),
      ...proposal,
    };
    this.logger.log({
      msg: 'site analyzed',
      domain: analysis.domain,
      source,
      page_count: analysis.page_count,
      skipped_urls: analysis.skipped_urls,
      categories: proposal.categories.map((c) => c.category),
      limits_reached: analysis.limits_reached,
      fetches: budget.fetches,
      bytes: budget.bytes,
      ms: Date.now() - started,
    });
    return analysis;
  }

  private refused(fetched: Fetched): void {
    if (!fetched.ok && fetched.refused) {
      throw OutboundErrors.error('destination_not_allowed', `url: destination not allowed: ${fetched.reason}`, [{ field: 'url', reason: fetched.reason }]);
    }
  }

  /**
   * Sitemap files breadth-first from robots.txt's `Sitemap:` lines (or /sitemap.xml), index files followed up to
   * SITE_ANALYZER_MAX_SITEMAPS files; gzip-compressed ones (`.xml.gz`) are inflated within the page budget. Returns
   * how many listed sitemap files were not read (over the cap, too large, failing, corrupt, out of budget); a missing /sitemap.xml guess is not one of them. Also answers
   * robots.txt's access rules for a crawl (everything allowed without a robots.txt).
   */
  private async readSitemaps(site: URL, budget: FetchBudget, found: PageSet): Promise<{ skipped: number; allows: (path: string) => boolean }> {
    const robotsUrl = new URL('/robots.txt', site).toString();
    const robots = await budget.get(robotsUrl, 'text/plain,*/*;q=0.1');
    this.refused(robots);
    const listed = isSuccess(robots) ? sitemapsOfRobotsTxt(robots.response.body, robotsUrl) : [];
    const allows = robotsRules(isSuccess(robots) ? robots.response.body : '');
    const queue = listed.length > 0 ? [...listed] : [new URL('/sitemap.xml', site).toString()];
    /** /sitemap.xml tried without robots.txt naming it: its absence is no skipped URL */
    const guess = listed.length === 0 ? queue[0] : null;
    const seen = new Set(queue);
    let read = 0;
    let skipped = 0;
    while (queue.length > 0) {
      if (read >= budget.limits.maxSitemaps) {
        budget.reached.add('max_sitemaps');
        skipped += queue.length;
        break;
      }
      if (budget.exhausted()) {
        skipped += queue.length;
        break;
      }
      const url = queue.shift()!;
      read++;
      const fetched = await budget.get(url, /\.gz$/i.test(new URL(url).pathname) ? GZIP : XML);
      if (isSuccess(fetched) && fetched.response.truncated) {
        skipped++; // cut off at the page budget: XML that cannot be parsed
        continue;
      }
      let text = isSuccess(fetched) ? fetched.response.body : '';
      if (isSuccess(fetched) && isGzip(fetched.response.bytes)) {
        // a .xml.gz sitemap (or one served compressed without saying so): inflated within the page budget
        const inflated = gunzipWithin(fetched.response.bytes, budget.limits.maxPageBytes);
        if (inflated === 'too_large') budget.reached.add('max_page_bytes');
        if (typeof inflated !== 'string') {
          skipped++;
          continue;
        }
        text = inflated;
      }
      const doc = isSuccess(fetched) ? parseSitemap(text) : null;
      if (!doc || doc.kind === 'invalid') {
        if (url !== guess) skipped++;
        continue;
      }
      if (doc.kind === 'index') {
        for (const child of doc.sitemaps) {
          let absolute: string;
          try {
            absolute = new URL(child, url).toString();
          } catch {
            continue;
          }
          if (!seen.has(absolute)) {
            seen.add(absolute);
            queue.push(absolute);
          }
        }
        continue;
      }
      for (const loc of doc.urls) found.add(loc);
    }
    return { skipped, allows };
  }

  /**
   * The homepage and its top-level navigation (links inside <nav> or <header>; all its links when it has neither),
   * up to SITE_ANALYZER_MAX_PAGES pages; links of every page read are taken. Navigation pages robots.txt disallows
   * (RFC 9309, user agent `kenbun` or `*`) are not fetched; the homepage is read as any visitor's would be. Returns
   * the homepage's final URL and how many navigation pages were not read.
   */
  private async crawl(
    site: URL,
    budget: FetchBudget,
    found: PageSet,
    allows: (path: string) => boolean,
  ): Promise<{ fetchedUrl: string; skippedPages: number }> {
    const home = await budget.get(site.toString(), HTML);
    this.refused(home);
    if (!isSuccess(home)) {
      const reason = `neither a sitemap nor the homepage could be read (homepage: ${failure(home)})`;
      throw SiteScoringErrors.error('site_unreachable', `url: ${reason}`, [{ field: 'url', reason }]);
    }
    const homeUrl = new URL(home.response.url);
    found.add(homeUrl.toString());
    const homeLinks = this.linksOf(home, homeUrl);
    for (const link of homeLinks) found.add(link.url, link.text);

    const homeKey = pageKey(homeUrl);
    const sameSiteLinks = homeLinks.filter((l) => sameSite(new URL(l.url), site) && pageKey(new URL(l.url)) !== null);
    const navigation = sameSiteLinks.some((l) => l.navigation) ? sameSiteLinks.filter((l) => l.navigation) : sameSiteLinks;
    const targets: string[] = [];
    const disallowed = new Set<string>();
    for (const link of navigation) {
      const url = new URL(link.url);
      const key = pageKey(url)!;
      if (key === homeKey || targets.includes(key)) continue;
      if (allows(url.pathname + url.search)) targets.push(key);
      else disallowed.add(key);
    }
    const room = Math.max(0, budget.limits.maxPages - 1);
    const overflow = Math.max(0, targets.length - room);
    if (overflow > 0) budget.reached.add('max_pages');
    let skippedPages = disallowed.size + overflow;
    const toRead = targets.slice(0, room);

    const results: Fetched[] = new Array<Fetched>(toRead.length);
    let next = 0;
    const worker = async () => {
      while (next < toRead.length) {
        const i = next++;
        results[i] = await budget.get(toRead[i], HTML);
      }
    };
    await Promise.all(Array.from({ length: Math.min(CONCURRENCY, toRead.length) }, worker));
    // links are taken in navigation order, whatever order the pages arrived in: the answer does not depend on timing
    for (const fetched of results) {
      if (!isSuccess(fetched)) {
        skippedPages++;
        continue;
      }
      const pageUrl = new URL(fetched.response.url);
      for (const link of this.linksOf(fetched, pageUrl)) found.add(link.url, link.text);
    }
    return { fetchedUrl: homeUrl.toString(), skippedPages };
  }

  /** The links of an HTML answer (one that says it is something else has none). */
  private linksOf(fetched: Extract<Fetched, { ok: true }>, pageUrl: URL): PageLink[] {
    const type = fetched.response.headers['content-type'];
    const contentType = (Array.isArray(type) ? type[0] : (type ?? '')).toLowerCase();
    if (contentType !== '' && !contentType.includes('html')) return [];
    return extractLinks(fetched.response.body, pageUrl.toString());
  }
}
