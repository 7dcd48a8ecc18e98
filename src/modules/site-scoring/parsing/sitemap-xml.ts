import { XMLParser } from 'fast-xml-parser';

export type SitemapDocument =
  | { kind: 'index'; sitemaps: string[] }
  | { kind: 'urlset'; urls: string[] }
  /** not a sitemap (HTML error page, truncated or malformed XML, another root element) */
  | { kind: 'invalid'; reason: string };

const parser = new XMLParser({
  ignoreAttributes: true,
  removeNSPrefix: true,
  parseTagValue: false,
  trimValues: true,
  processEntities: true,
  isArray: (name) => name === 'url' || name === 'sitemap',
});

function locs(entries: unknown): string[] {
  if (!Array.isArray(entries)) return [];
  const out: string[] = [];
  for (const entry of entries) {
    const loc = (entry as { loc?: unknown } | null)?.loc;
    if (typeof loc === 'string' && loc.trim() !== '') out.push(loc.trim());
  }
  return out;
}

/**
 * A sitemap document (sitemaps.org protocol): `<sitemapindex>` lists further sitemaps, `<urlset>` lists pages.
 * Namespace prefixes are ignored (`<ns:urlset>`); entries without `<loc>` are dropped.
 */
export function parseSitemap(xml: string): SitemapDocument {
  let doc: Record<string, unknown>;
  try {
    doc = parser.parse(xml, true) as Record<string, unknown>;
  } catch (err) {
    return { kind: 'invalid', reason: `not well-formed XML: ${(err as Error).message.split('\n')[0]}` };
  }
  const index = doc.sitemapindex as { sitemap?: unknown } | undefined;
  if (index !== undefined) return { kind: 'index', sitemaps: locs((index as { sitemap?: unknown } | null)?.sitemap) };
  const urlset = doc.urlset as { url?: unknown } | undefined;
  if (urlset !== undefined) return { kind: 'urlset', urls: locs((urlset as { url?: unknown } | null)?.url) };
  return { kind: 'invalid', reason: 'neither <urlset> nor <sitemapindex>' };
}
