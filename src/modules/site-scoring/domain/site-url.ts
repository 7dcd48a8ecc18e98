const SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;

/** `https://` in front of an address given without a scheme; null for what is not an http(s) URL with a host. */
export function siteUrlOf(input: string): URL | null {
  const text = input.trim();
  let url: URL;
  try {
    url = new URL(SCHEME.test(text) ? text : `https://${text}`);
  } catch {
    return null;
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.hostname === '') return null;
  url.hash = '';
  return url;
}

/** The site's name: host name in lower case without a leading `www.` (`https://www.Example.com:8443/x` → example.com). */
export function domainOf(url: URL): string {
  return url.hostname.toLowerCase().replace(/^www\./, '');
}

/** Two URLs of one site: same scheme-less host and port, `www.` or not. */
export function sameSite(a: URL, b: URL): boolean {
  return domainOf(a) === domainOf(b) && a.port === b.port;
}

const NOT_A_PAGE = /\.(png|jpe?g|gif|svg|webp|avif|ico|css|js|mjs|json|xml|txt|rss|atom|zip|gz|tgz|pdf|docx?|xlsx?|pptx?|mp3|mp4|mov|webm|woff2?|ttf|eot)$/i;

/**
 * A page's identity for counting: origin and path, without query, fragment or trailing slash (`/pricing/?utm=x` is
 * `/pricing`); null for files that are not pages (images, style sheets, PDFs, feeds).
 */
export function pageKey(url: URL): string | null {
  if (NOT_A_PAGE.test(url.pathname)) return null;
  const path = url.pathname.length > 1 ? url.pathname.replace(/\/+$/, '') : '/';
  return `${url.origin}${path || '/'}`;
}
