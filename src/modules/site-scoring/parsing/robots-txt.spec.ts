import { sitemapsOfRobotsTxt } from './robots-txt';

describe('sitemapsOfRobotsTxt', () => {
  it('reads every Sitemap line, any case, relative ones against the robots.txt URL, without repeats', () => {
    const text = [
      'User-agent: *',
      'Disallow: /admin',
      'Sitemap: https://example.com/sitemap_index.xml',
      'sitemap:/news-sitemap.xml   # the news',
      'SITEMAP: https://example.com/sitemap_index.xml',
      '',
      'User-agent: Googlebot',
      'Sitemap: ftp://example.com/old.xml',
      'Sitemap:',
    ].join('\r\n');
    expect(sitemapsOfRobotsTxt(text, 'https://example.com/robots.txt')).toEqual([
      'https://example.com/sitemap_index.xml',
      'https://example.com/news-sitemap.xml',
    ]);
  });

  it('finds nothing in a robots.txt without Sitemap lines, or in an HTML error page', () => {
    expect(sitemapsOfRobotsTxt('User-agent: *\nDisallow:\n', 'https://example.com/robots.txt')).toEqual([]);
    expect(sitemapsOfRobotsTxt('<html><body>Not found</body></html>', 'https://example.com/robots.txt')).toEqual([]);
  });
});
