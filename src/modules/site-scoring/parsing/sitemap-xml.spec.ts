import { parseSitemap } from './sitemap-xml';

describe('parseSitemap', () => {
  it('reads a urlset', () => {
    const xml = `<?xml version="1.0" encoding="UTF-8"?>
      <urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
        <url><loc> https://example.com/pricing </loc><lastmod>2026-01-01</lastmod></url>
        <url><loc>https://example.com/blog?a=1&amp;b=2</loc></url>
        <url><lastmod>2026-01-01</lastmod></url>
      </urlset>`;
    expect(parseSitemap(xml)).toEqual({ kind: 'urlset', urls: ['https://example.com/pricing', 'https://example.com/blog?a=1&b=2'] });
  });

  it('reads a sitemap index, also with a single entry and a namespace prefix', () => {
    const xml = `<sm:sitemapindex xmlns:sm="http://www.sitemaps.org/schemas/sitemap/0.9">
        <sm:sitemap><sm:loc>https://example.com/pages.xml</sm:loc></sm:sitemap>
      </sm:sitemapindex>`;
    expect(parseSitemap(xml)).toEqual({ kind: 'index', sitemaps: ['https://example.com/pages.xml'] });
  });

  it('reads an empty urlset as no URLs', () => {
    expect(parseSitemap('<urlset></urlset>')).toEqual({ kind: 'urlset', urls: [] });
    expect(parseSitemap('<sitemapindex/>')).toEqual({ kind: 'index', sitemaps: [] });
  });

  it('refuses what is not a sitemap: an HTML page, truncated XML', () => {
    expect(parseSitemap('<!doctype html><html><body><h1>Not found</h1></body></html>')).toEqual({ kind: 'invalid', reason: expect.any(String) });
    expect(parseSitemap('<urlset><url><loc>https://example.com/a</loc></url><url><loc>https://exa').kind).toBe('invalid');
    expect(parseSitemap('').kind).toBe('invalid');
  });

  it('expands no nested entities (billion laughs) and no external ones', () => {
    let entities = '<!ENTITY lol "lol">';
    for (let i = 1; i < 10; i++) entities += `<!ENTITY lol${i} "${`&lol${i === 1 ? '' : i - 1};`.repeat(10)}">`;
    const laughs = parseSitemap(`<?xml version="1.0"?><!DOCTYPE urlset [${entities}]><urlset><url><loc>https://x.example/&lol9;</loc></url></urlset>`);
    expect(laughs.kind === 'urlset' && laughs.urls[0].length).toBeLessThan(100);
    const external = `<?xml version="1.0"?><!DOCTYPE urlset [<!ENTITY x SYSTEM "file:///etc/passwd">]><urlset><url><loc>https://x.example/&x;</loc></url></urlset>`;
    expect(parseSitemap(external).kind).toBe('invalid');
  });
});
