import { robotsRules, sitemapsOfRobotsTxt } from './robots-txt';

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

describe('robotsRules', () => {
  const text = [
    'User-agent: Googlebot',
    'Disallow: /',
    '',
    'User-agent: *',
    'Disallow: /private',
    'Allow: /private/pricing',
    'Disallow: /*.pdf$',
    'Disallow: /search*q=',
    '',
  ].join('\n');

  it('applies the * group: the longest matching rule wins, Allow on a tie; wildcards and the end anchor', () => {
    const allows = robotsRules(text);
    expect(allows('/pricing')).toBe(true);
    expect(allows('/private')).toBe(false);
    expect(allows('/private/team')).toBe(false);
    expect(allows('/private/pricing')).toBe(true);
    expect(allows('/docs/guide.pdf')).toBe(false);
    expect(allows('/docs/guide.pdf.html')).toBe(true);
    expect(allows('/search?q=demo')).toBe(false);
    const tie = robotsRules('User-agent: *\nDisallow: /a\nAllow: /a\n');
    expect(tie('/a')).toBe(true);
  });

  it('prefers a group naming kenbun, and allows everything without rules or with an empty Disallow', () => {
    const own = robotsRules(`${text}\nUser-agent: kenbun\nUser-agent: other\nDisallow: /blog\n`);
    expect(own('/private')).toBe(true);
    expect(own('/blog/post')).toBe(false);
    expect(robotsRules('')('/anything')).toBe(true);
    expect(robotsRules('User-agent: *\nDisallow:\n')('/anything')).toBe(true);
    expect(robotsRules('<html><body>Not found</body></html>')('/x')).toBe(true);
  });
});
