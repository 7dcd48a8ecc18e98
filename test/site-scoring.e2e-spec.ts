import { AddressInfo, createServer } from 'node:net';
import { gzipSync } from 'node:zlib';
import { DataSource } from 'typeorm';
import { emailAliases, ingestAndWait, leadOfEvent, scoreOf } from './support/ingest';
import { FakeAnswer, FakeSite, fakeSite, html, sitemapIndex, urlset } from './support/fake-site';
import { activateOu, api, Auth, firstRunTenant, memberWithRole, ServiceAccount, Tenant } from './support/tenants';
import { startScenario } from './support/scenario';
import { startTestApp, TestApp } from './support/test-app';

const rule = (weight: number, value: string) => ({ event_type: 'Page View', weight, filters: [{ key: 'path', operator: 'contains', value }] });

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

describe('Site analyzer (POST /site-scoring/analyze)', () => {
  let t: TestApp;
  let a: Tenant;
  let sa: ServiceAccount;
  let viewer: Auth;
  const sites: FakeSite[] = [];
  const site = async (build: Parameters<typeof fakeSite>[0]) => {
    const s = await fakeSite(build);
    sites.push(s);
    return s;
  };
  const analyze = (url: unknown, auth: Auth = a.admin) => api(t, auth).post('/site-scoring/analyze', { url });

  beforeAll(async () => {
    ({ t, a, sa } = await startScenario({
      serviceAccount: 'site-analyzer',
      env: {
        // small bounds, so the bounded sites stay small; no per-organization analysis limit (its own test below)
        SITE_ANALYZER_MAX_PAGES: 5,
        SITE_ANALYZER_MAX_SITEMAPS: 4,
        SITE_ANALYZER_MAX_URLS: 100,
        SITE_ANALYZER_MAX_PAGE_BYTES: 65536,
        SITE_ANALYZER_TIMEOUT_MS: 3000,
        SITE_ANALYZER_PER_MINUTE: 0,
      },
    }));
    await activateOu(t, a.admin, a.unitId);
    viewer = (await memberWithRole(t, a, 'viewer@site.example', 'Viewer')).auth;
  });
  afterAll(async () => {
    await t.close();
    for (const s of sites) await s.close();
  });

  describe('a site with robots.txt → sitemap index → sitemaps', () => {
    let s: FakeSite;
    beforeAll(async () => {
      s = await site((base) => ({
        '/robots.txt': { type: 'text/plain', body: `User-agent: *\nDisallow: /admin\n\nSitemap: ${base}/sitemap_index.xml\n` },
        '/sitemap_index.xml': sitemapIndex([`${base}/sitemaps/pages.xml`, '/sitemaps/blog.xml']),
        '/sitemaps/pages.xml': urlset(
          [
            '/',
            '/pricing',
            '/plans/enterprise',
            '/en/pricing/teams',
            '/book-a-demo',
            '/contact',
            '/features',
            '/integrations/salesforce',
            '/about',
            '/careers',
            '/terms',
            '/pricing/?utm_source=newsletter',
            '/whitepaper.pdf',
          ]
            .map((p) => `${base}${p}`)
            .concat(['https://elsewhere.example/pricing']),
        ),
        '/sitemaps/blog.xml': urlset(['/blog/a', '/blog/b', '/blog/c'].map((p) => `${base}${p}`)),
      }));
    });

    it('takes the URLs of every sitemap, classifies them and proposes one Page View rule per category', async () => {
      const res = await analyze(s.base).expect(200);
      expect(res.body).toEqual({
        domain: '127.0.0.1',
        fetched_url: `${s.base}/`,
        page_count: 14,
        skipped_urls: 0,
        source: 'sitemap',
        limits_reached: [],
        categories: [
          {
            category: 'demo',
            label: 'Demo',
            page_count: 1,
            suggested_weight: 25,
            filter_label: 'path contains /book-a-demo',
            sample_urls: [`${s.base}/book-a-demo`],
          },
          {
            category: 'pricing',
            label: 'Pricing',
            page_count: 3,
            suggested_weight: 20,
            filter_label: 'path contains /pricing',
            sample_urls: [`${s.base}/en/pricing/teams`, `${s.base}/plans/enterprise`, `${s.base}/pricing`],
          },
          {
            category: 'contact',
            label: 'Contact',
            page_count: 1,
            suggested_weight: 15,
            filter_label: 'path contains /contact',
            sample_urls: [`${s.base}/contact`],
          },
          {
            category: 'product',
            label: 'Product',
            page_count: 1,
            suggested_weight: 8,
            filter_label: 'path contains /features',
            sample_urls: [`${s.base}/features`],
          },
          {
            category: 'integrations',
            label: 'Integrations',
            page_count: 1,
            suggested_weight: 6,
            filter_label: 'path contains /integrations',
            sample_urls: [`${s.base}/integrations/salesforce`],
          },
          {
            category: 'blog',
            label: 'Blog',
            page_count: 3,
            suggested_weight: 2,
            filter_label: 'path contains /blog',
            sample_urls: [`${s.base}/blog/a`, `${s.base}/blog/b`, `${s.base}/blog/c`],
          },
          { category: 'about', label: 'About', page_count: 1, suggested_weight: 2, filter_label: 'path contains /about', sample_urls: [`${s.base}/about`] },
          {
            category: 'careers',
            label: 'Careers',
            page_count: 1,
            suggested_weight: -5,
            filter_label: 'path contains /careers',
            sample_urls: [`${s.base}/careers`],
          },
        ],
        proposed_rules: [
          rule(25, '/book-a-demo'),
          rule(20, '/pricing'),
          rule(15, '/contact'),
          rule(8, '/features'),
          rule(6, '/integrations'),
          rule(2, '/blog'),
          rule(2, '/about'),
          rule(-5, '/careers'),
        ],
      });
      // sitemap mode reads robots.txt and the three sitemap files, no page and no /sitemap.xml guess; it writes no rule
      expect(s.requests).toEqual(['/robots.txt', '/sitemap_index.xml', '/sitemaps/pages.xml', '/sitemaps/blog.xml']);
      expect((await api(t, a.admin).get('/rules').expect(200)).body).toEqual([]);
    });

    it('proposes rules POST /rules accepts unchanged, and the pricing rule scores a pricing page view', async () => {
      const { body } = await analyze(s.base).expect(200);
      await api(t, a.admin).post('/rulesets', { name: 'Site rules' }).expect(201);
      const created = [];
      for (const proposed of body.proposed_rules) created.push((await api(t, a.admin).post('/rules', proposed).expect(201)).body);
      expect(created.map((r) => [r.event_type, r.weight, r.filter_label])).toEqual([
        ['Page View', 25, 'path contains /book-a-demo'],
        ['Page View', 20, 'path contains /pricing'],
        ['Page View', 15, 'path contains /contact'],
        ['Page View', 8, 'path contains /features'],
        ['Page View', 6, 'path contains /integrations'],
        ['Page View', 2, 'path contains /blog'],
        ['Page View', 2, 'path contains /about'],
        ['Page View', -5, 'path contains /careers'],
      ]);
      const at = t.clock.now().toISOString();
      const ids = await ingestAndWait(t, sa.auth, {
        ...emailAliases('buyer@site.example'),
        event_type: 'Page View',
        timestamp: at,
        metadata: { path: '/pricing/teams' },
      });
      expect(await scoreOf(t, sa.auth, await leadOfEvent(t, sa.auth, ids[0]))).toBe(20);
    });

    it('adds https:// to an address without a scheme (refused here: a private address)', async () => {
      const res = await analyze('10.0.0.1').expect(400);
      expect(res.body).toEqual({
        error: 'destination_not_allowed',
        message: expect.stringContaining('url: destination not allowed'),
        details: [{ field: 'url', reason: expect.any(String) }],
      });
    });

    it('writes an audit entry naming the site', async () => {
      const rows = await t.app
        .get(DataSource)
        .query(`SELECT verb, entity_type, entity_id, summary, status FROM audit_logs WHERE path = '/site-scoring/analyze' ORDER BY created_at, id LIMIT 1`);
      expect(rows[0]).toEqual({
        verb: 'viewed',
        entity_type: 'site',
        entity_id: '127.0.0.1',
        summary: expect.stringContaining('analyzed site 127.0.0.1 (sitemap: 14 pages, 8 categories, 0 URLs skipped)'),
        status: 200,
      });
    });
  });

  describe('a site without a sitemap', () => {
    it('crawls the homepage and its navigation one level deep', async () => {
      const s = await site((base) => ({
        '/': html(
          [
            ['/product', 'Product'],
            ['/pricing', 'Pricing'],
            ['/get-going', 'Sign up'],
            [`${base}/resources#top`, 'Resources'],
            ['https://twitter.example/acme', 'Twitter'],
          ],
          [
            ['/blog/post-1', 'Our first post'],
            ['/terms', 'Terms'],
            ['/logo.png', 'Logo'],
          ],
        ),
        '/product': html(
          [],
          [
            ['/product/analytics', 'Analytics'],
            ['/integrations', 'Integrations'],
          ],
        ),
        '/pricing': html([], [['/contact-sales', 'Talk to sales']]),
        '/get-going': html([], []),
        '/resources': html(
          [],
          [
            ['/resources/whitepapers/x', 'X'],
            ['/webinars/launch', 'Launch webinar'],
          ],
        ),
        '/blog/post-1': html([], [['/demo', 'Demo']]),
      }));
      const res = await analyze(s.base).expect(200);
      expect(res.body).toMatchObject({ domain: '127.0.0.1', fetched_url: `${s.base}/`, page_count: 12, skipped_urls: 0, source: 'crawl', limits_reached: [] });
      expect(
        res.body.categories.map((c: { category: string; page_count: number; filter_label: string }) => [c.category, c.page_count, c.filter_label]),
      ).toEqual([
        ['pricing', 1, 'path contains /pricing'],
        ['signup', 1, 'path contains /get-going'],
        ['contact', 1, 'path contains /contact-sales'],
        ['product', 2, 'path contains /product'],
        ['integrations', 1, 'path contains /integrations'],
        ['resources', 2, 'path contains /resources'],
        ['events', 1, 'path contains /webinars'],
        ['blog', 1, 'path contains /blog'],
      ]);
      expect(res.body.proposed_rules).toEqual([
        rule(20, '/pricing'),
        rule(20, '/get-going'),
        rule(15, '/contact-sales'),
        rule(8, '/product'),
        rule(6, '/integrations'),
        rule(5, '/resources'),
        rule(5, '/webinars'),
        rule(2, '/blog'),
      ]);
      // robots.txt and the /sitemap.xml guess (both 404), the homepage and its four navigation pages; nothing deeper
      expect([...s.requests].sort()).toEqual(['/', '/get-going', '/pricing', '/product', '/resources', '/robots.txt', '/sitemap.xml']);
    });
  });

  describe('gzip sitemaps', () => {
    it('inflates .xml.gz sitemaps within the page budget; a gzip bomb stops at it and is skipped', async () => {
      const gz =
        (answer: FakeAnswer): FakeAnswer =>
        (_req, res) =>
          res.writeHead(200, { 'Content-Type': 'application/gzip' }).end(gzipSync((answer as { body: string }).body));
      const s = await site((base) => ({
        '/robots.txt': { type: 'text/plain', body: `Sitemap: ${base}/pages.xml.gz\nSitemap: ${base}/bomb.xml.gz\n` },
        '/pages.xml.gz': gz(urlset([`${base}/pricing`, `${base}/demo`, `${base}/blog/launch`])),
        // 64 KiB compressed to a few hundred bytes: more than SITE_ANALYZER_MAX_PAGE_BYTES once inflated
        '/bomb.xml.gz': gz(urlset(Array.from({ length: 3000 }, (_, i) => `${base}/careers/job-${i}`))),
      }));
      const res = await analyze(s.base).expect(200);
      expect(res.body).toMatchObject({ source: 'sitemap', page_count: 3, skipped_urls: 1, limits_reached: ['max_page_bytes'] });
      expect(res.body.categories.map((c: { category: string }) => c.category)).toEqual(['demo', 'pricing', 'blog']);
    });
  });

  describe('robots.txt access rules', () => {
    it('does not fetch navigation pages robots.txt disallows (user agent kenbun, else *), counting them as skipped', async () => {
      const s = await site(() => ({
        '/robots.txt': {
          type: 'text/plain',
          body: 'User-agent: *\nDisallow: /\n\nUser-agent: kenbun\nDisallow: /partners\nDisallow: /customers\nAllow: /customers/stories\n',
        },
        '/': html([
          ['/pricing', 'Pricing'],
          ['/partners', 'Partners'],
          ['/customers', 'Customers'],
          ['/customers/stories', 'Stories'],
        ]),
        '/pricing': html([], [['/demo', 'Book a demo']]),
        '/partners': html([], [['/partners/apply', 'Apply']]),
        '/customers': html([], []),
        '/customers/stories': html([], [['/security', 'Security']]),
      }));
      const res = await analyze(s.base).expect(200);
      expect(res.body).toMatchObject({ source: 'crawl', skipped_urls: 2, limits_reached: [] });
      // known from the homepage's links, but only the allowed pages were read (their links count)
      expect(res.body.categories.map((c: { category: string }) => c.category)).toEqual(['demo', 'pricing', 'customers', 'security', 'partners', 'blog']);
      expect([...s.requests].sort()).toEqual(['/', '/customers/stories', '/pricing', '/robots.txt', '/sitemap.xml']);
    });
  });

  describe('bounds', () => {
    it('stops at the sitemap, URL and per-file byte caps and counts what it skipped', async () => {
      let hugeFinished = false;
      const s = await site((base) => ({
        '/robots.txt': { type: 'text/plain', body: `Sitemap: ${base}/index.xml\n` },
        '/index.xml': sitemapIndex(['a', 'b', 'huge', 'd', 'e'].map((n) => `${base}/${n}.xml`)),
        '/a.xml': urlset(Array.from({ length: 60 }, (_, i) => `${base}/blog/p${i}`)),
        '/b.xml': urlset(Array.from({ length: 60 }, (_, i) => `${base}/docs/d${i}`)),
        // 128 MB in 64 KiB chunks, each after the previous one drained: the analyzer hangs up after its 64 KiB. More than
        // both ends' socket buffers hold on loopback (here up to 4 MB sent and 32 MB received): 4 MB were once taken
        // whole by them before the analyzer hung up, on a loaded machine, and the response counted as finished
        '/huge.xml': (_req, res) => {
          res.writeHead(200, { 'Content-Type': 'application/xml' });
          res.on('finish', () => (hugeFinished = true));
          const chunk = `<url><loc>${base}/pricing</loc></url>`.repeat(Math.ceil(65536 / 40)).slice(0, 65536);
          const chunks = 2048;
          let left = chunks;
          const more = () => {
            while (left > 0) {
              left--;
              if (!res.write(left === chunks - 1 ? `<urlset>${chunk}` : chunk)) return void res.once('drain', more);
            }
            res.end('</urlset>');
          };
          more();
        },
        '/d.xml': urlset([`${base}/pricing`]),
        '/e.xml': urlset([`${base}/demo`]),
      }));
      const res = await analyze(s.base).expect(200);
      expect(res.body).toMatchObject({
        page_count: 100,
        // 20 URLs of b.xml over the cap of 100, huge.xml cut off at 64 KiB, d.xml and e.xml over the cap of 4 files
        skipped_urls: 23,
        source: 'sitemap',
        limits_reached: ['max_page_bytes', 'max_sitemaps', 'max_urls'],
      });
      expect(res.body.categories.map((c: { category: string; page_count: number }) => [c.category, c.page_count])).toEqual([
        ['docs', 40],
        ['blog', 60],
      ]);
      expect(s.requests).toEqual(['/robots.txt', '/index.xml', '/a.xml', '/b.xml', '/huge.xml']);
      expect(hugeFinished).toBe(false);
    });

    it('reads at most SITE_ANALYZER_MAX_PAGES pages, each up to its byte budget', async () => {
      const filler = `<p>${'x'.repeat(1000)}</p>`.repeat(100); // 100 KB, past the 64 KiB budget
      const s = await site(() => ({
        '/': html([
          ['/pricing', 'Pricing'],
          ['/big', 'Big'],
          ['/n1', 'N1'],
          ['/n2', 'N2'],
          ['/n3', 'N3'],
          ['/n4', 'N4'],
          ['/n5', 'N5'],
          ['/n6', 'N6'],
        ]),
        '/pricing': html([], []),
        '/big': { body: `<html><body><a href="/demo">Demo</a>${filler}<a href="/contact">Contact</a></body></html>` },
        '/n1': html([], []),
        '/n2': html([], []),
      }));
      const res = await analyze(s.base).expect(200);
      // the homepage and 4 navigation pages are read; /n3 to /n6 are not (skipped), though their URLs count as pages
      expect(res.body).toMatchObject({ page_count: 10, skipped_urls: 4, source: 'crawl', limits_reached: ['max_page_bytes', 'max_pages'] });
      expect(res.body.categories.map((c: { category: string }) => c.category)).toEqual(['demo', 'pricing']);
      expect([...s.requests].sort()).toEqual(['/', '/big', '/n1', '/n2', '/pricing', '/robots.txt', '/sitemap.xml']);
    });

    it('answers with what it found when its time is up (a page that never answers)', async () => {
      const s = await site(() => ({
        '/': html([
          ['/pricing', 'Pricing'],
          ['/slow', 'Slow'],
        ]),
        '/pricing': html([], [['/demo', 'Demo']]),
        '/slow': () => undefined, // never answers
      }));
      const started = Date.now();
      const res = await analyze(s.base).expect(200);
      expect(Date.now() - started).toBeLessThan(6000);
      expect(res.body).toMatchObject({ page_count: 4, skipped_urls: 1, source: 'crawl', limits_reached: ['time'] });
      expect(res.body.categories.map((c: { category: string }) => c.category)).toEqual(['demo', 'pricing']);
    });
  });

  describe('sites that cannot be analyzed', () => {
    it('answers 422 site_unreachable naming url when nothing listens', async () => {
      const res = await analyze(`http://127.0.0.1:${await closedPort()}`).expect(422);
      expect(res.body).toEqual({
        error: 'site_unreachable',
        message: expect.stringMatching(/^url: neither a sitemap nor the homepage could be read \(homepage: ECONNREFUSED/),
        details: [{ field: 'url', reason: expect.stringContaining('ECONNREFUSED') }],
      });
    });

    it('answers 422 site_unreachable when every page is 404', async () => {
      const s = await site(() => ({}));
      const res = await analyze(`${s.base}/`).expect(422);
      expect(res.body.error).toBe('site_unreachable');
      expect(res.body.message).toBe('url: neither a sitemap nor the homepage could be read (homepage: HTTP 404)');
    });

    it.each(['http://10.0.0.1', 'http://192.168.1.1/', 'https://169.254.169.254/latest/meta-data', 'http://127.0.0.2:8080', 'http://localhost:3000'])(
      'refuses the private address %s with 400 destination_not_allowed naming url',
      async (url) => {
        const res = await analyze(url).expect(400);
        expect(res.body.error).toBe('destination_not_allowed');
        expect(res.body.details).toEqual([{ field: 'url', reason: expect.any(String) }]);
      },
    );

    it('refuses a site that redirects to a private address', async () => {
      const s = await site(() => ({ '/robots.txt': { status: 302, headers: { Location: 'http://10.0.0.1/robots.txt' }, body: '' } }));
      const res = await analyze(s.base).expect(400);
      expect(res.body.error).toBe('destination_not_allowed');
      expect(res.body.details[0].field).toBe('url');
    });
  });

  describe('access and input', () => {
    it('needs a credential (401)', async () => {
      await api(t).post('/site-scoring/analyze', { url: 'example.com' }).expect(401);
    });

    it('refuses a Viewer (403): the analysis makes the server fetch a site and only serves creating rules', async () => {
      const res = await analyze('http://10.0.0.1', viewer).expect(403);
      expect(res.body.error).toBe('forbidden');
    });

    it.each([
      [{}, 'url'],
      [{ url: 42 }, 'url'],
      [{ url: '   ' }, 'url'],
      [{ url: 'ftp://example.com' }, 'url'],
      [{ url: 'http://' }, 'url'],
      [{ url: 'example.com', depth: 3 }, 'depth'],
    ])('answers 400 naming the field for %j', async (body, field) => {
      const res = await api(t, a.admin).post('/site-scoring/analyze', body).expect(400);
      expect(res.body.error).toBe('validation_failed');
      expect(res.body.details.map((d: { field: string }) => d.field)).toContain(field);
    });
  });
});

describe('Site analyzer rate limit (SITE_ANALYZER_PER_MINUTE)', () => {
  it('allows that many analyses per minute per organization, then 429 with Retry-After', async () => {
    const t = await startTestApp({ env: { SITE_ANALYZER_PER_MINUTE: 2 } });
    const s = await fakeSite(() => ({ '/': html([['/pricing', 'Pricing']]) }));
    try {
      const a = await firstRunTenant(t);
      await activateOu(t, a.admin, a.unitId);
      await api(t, a.admin).post('/site-scoring/analyze', { url: s.base }).expect(200);
      await api(t, a.admin).post('/site-scoring/analyze', { url: s.base }).expect(200);
      const res = await api(t, a.admin).post('/site-scoring/analyze', { url: s.base }).expect(429);
      expect(res.body.error).toBe('rate_limited');
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
      // a bad body is refused before it costs an analysis
      await api(t, a.admin).post('/site-scoring/analyze', { url: 'ftp://x' }).expect(400);
    } finally {
      await t.close();
      await s.close();
    }
  });
});
