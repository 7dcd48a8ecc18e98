import { Parser } from 'htmlparser2';

export interface PageLink {
  /** absolute URL, without its #fragment */
  url: string;
  /** the link's visible text, whitespace collapsed */
  text: string;
  /** inside <nav> or <header>: the site's top-level navigation */
  navigation: boolean;
}

const NAVIGATION = new Set(['nav', 'header']);

/**
 * The http(s) links (`<a href>`) of an HTML page with their text, resolved against the page URL (or its
 * `<base href>`), first occurrence kept. Uses htmlparser2's streaming tokenizer, which copes with the broken
 * markup real sites serve and with a page cut off at its byte budget.
 */
export function extractLinks(html: string, pageUrl: string): PageLink[] {
  let base = pageUrl;
  let navDepth = 0;
  let current: { href: string; text: string; navigation: boolean } | null = null;
  const seen = new Map<string, PageLink>();
  const close = () => {
    if (!current) return;
    let url: URL | null;
    try {
      url = new URL(current.href, base);
    } catch {
      url = null;
    }
    if (url && (url.protocol === 'http:' || url.protocol === 'https:')) {
      url.hash = '';
      const key = url.toString();
      const text = current.text.replace(/\s+/g, ' ').trim();
      const known = seen.get(key);
      if (!known) seen.set(key, { url: key, text, navigation: current.navigation });
      else {
        if (!known.text && text) known.text = text;
        if (current.navigation) known.navigation = true;
      }
    }
    current = null;
  };
  const parser = new Parser(
    {
      onopentag(name, attrs) {
        if (NAVIGATION.has(name)) navDepth++;
        if (name === 'base' && attrs.href) {
          try {
            base = new URL(attrs.href, pageUrl).toString();
          } catch {
            /* a broken <base> is ignored, as browsers do */
          }
        }
        if (name === 'a') {
          close();
          if (attrs.href !== undefined) current = { href: attrs.href.trim(), text: '', navigation: navDepth > 0 };
        }
        if (name === 'img' && current && attrs.alt) current.text += ` ${attrs.alt}`;
      },
      ontext(text) {
        if (current) current.text += text;
      },
      onclosetag(name) {
        if (name === 'a') close();
        if (NAVIGATION.has(name) && navDepth > 0) navDepth--;
      },
    },
    { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true },
  );
  parser.write(html);
  parser.end();
  close();
  return [...seen.values()];
}
