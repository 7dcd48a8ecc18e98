/**
 * The `Sitemap:` locations of a robots.txt (any group, any case), absolute against the robots.txt URL, in order and
 * without repeats. robots.txt is a line format (RFC 9309 §2.2.4 keeps `Sitemap` outside the groups), so reading
 * it needs no parser library.
 */
export function sitemapsOfRobotsTxt(text: string, robotsUrl: string): string[] {
  const found: string[] = [];
  for (const raw of text.split(/\r\n|\r|\n/)) {
    const line = raw.replace(/#.*$/, '').trim();
    const colon = line.indexOf(':');
    if (colon < 0 || line.slice(0, colon).trim().toLowerCase() !== 'sitemap') continue;
    const value = line.slice(colon + 1).trim();
    if (value === '') continue;
    let url: URL;
    try {
      url = new URL(value, robotsUrl);
    } catch {
      continue;
    }
    if ((url.protocol === 'http:' || url.protocol === 'https:') && !found.includes(url.toString())) found.push(url.toString());
  }
  return found;
}
