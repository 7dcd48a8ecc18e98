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

/** The user agent the analyzer's crawl answers to in robots.txt groups (besides `*`). */
export const CRAWLER_AGENT = 'kenbun';

interface PathRule {
  allow: boolean;
  /** the rule's path pattern as written (its length decides between matching rules) */
  pattern: string;
  regex: RegExp;
}

/** A robots.txt path pattern (`*` any characters, a final `$` the end of the path) as an anchored regular expression. */
function patternRegex(pattern: string): RegExp {
  const anchored = pattern.endsWith('$');
  const body = (anchored ? pattern.slice(0, -1) : pattern)
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${body}${anchored ? '$' : ''}`);
}

/**
 * RFC 9309 access rules of a robots.txt for the analyzer's crawl: the group(s) naming `kenbun` if any, else those of
 * `*`; among the Allow/Disallow rules that match a path the longest wins, Allow on a tie; no matching rule (or no
 * robots.txt) allows. An empty `Disallow:` allows everything.
 */
export function robotsRules(text: string): (path: string) => boolean {
  const groups: { agents: string[]; rules: PathRule[] }[] = [];
  let current: { agents: string[]; rules: PathRule[] } | null = null;
  let lastWasAgent = false;
  for (const raw of text.split(/\r\n|\r|\n/)) {
    const line = raw.replace(/#.*$/, '').trim();
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const key = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (key === 'user-agent') {
      if (!current || !lastWasAgent) groups.push((current = { agents: [], rules: [] }));
      current.agents.push(value.toLowerCase());
      lastWasAgent = true;
      continue;
    }
    lastWasAgent = false;
    if ((key === 'allow' || key === 'disallow') && current && value !== '') {
      current.rules.push({ allow: key === 'allow', pattern: value, regex: patternRegex(value) });
    }
  }
  const named = groups.filter((g) => g.agents.some((a) => a === CRAWLER_AGENT));
  const chosen = named.length ? named : groups.filter((g) => g.agents.includes('*'));
  const rules = chosen.flatMap((g) => g.rules);
  return (path: string) => {
    let best: PathRule | null = null;
    for (const rule of rules) {
      if (!rule.regex.test(path)) continue;
      if (!best || rule.pattern.length > best.pattern.length || (rule.pattern.length === best.pattern.length && rule.allow)) best = rule;
    }
    return best?.allow ?? true;
  };
}
