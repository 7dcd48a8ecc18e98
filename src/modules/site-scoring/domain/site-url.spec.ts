import { domainOf, pageKey, sameSite, siteUrlOf } from './site-url';

describe('siteUrlOf', () => {
  it('adds https:// when the scheme is missing and keeps a given one', () => {
    expect(siteUrlOf(' example.com ')!.toString()).toBe('https://example.com/');
    expect(siteUrlOf('www.example.com/en/')!.toString()).toBe('https://www.example.com/en/');
    expect(siteUrlOf('http://127.0.0.1:8080#top')!.toString()).toBe('http://127.0.0.1:8080/');
  });

  it('refuses what is not an http(s) URL with a host', () => {
    expect(siteUrlOf('ftp://example.com')).toBeNull();
    expect(siteUrlOf('javascript:alert(1)')).toBeNull();
    expect(siteUrlOf('')).toBeNull();
    expect(siteUrlOf('http://')).toBeNull();
    expect(siteUrlOf('exa mple.com')).toBeNull();
  });
});

describe('domainOf / sameSite / pageKey', () => {
  it('names the site without www. and compares hosts with their port', () => {
    expect(domainOf(new URL('https://WWW.Example.com:8443/x'))).toBe('example.com');
    expect(sameSite(new URL('https://www.example.com/a'), new URL('https://example.com/b'))).toBe(true);
    expect(sameSite(new URL('http://127.0.0.1:1000/'), new URL('http://127.0.0.1:2000/'))).toBe(false);
    expect(sameSite(new URL('https://example.com/'), new URL('https://blog.example.com/'))).toBe(false);
  });

  it('identifies a page by origin and path, and skips files that are not pages', () => {
    expect(pageKey(new URL('https://example.com/pricing/?utm_source=x#plans'))).toBe('https://example.com/pricing');
    expect(pageKey(new URL('https://example.com'))).toBe('https://example.com/');
    expect(pageKey(new URL('https://example.com/whitepaper.PDF'))).toBeNull();
    expect(pageKey(new URL('https://example.com/feed.xml'))).toBeNull();
  });
});
