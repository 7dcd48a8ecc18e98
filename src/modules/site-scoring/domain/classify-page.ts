import { INTENT_CATEGORIES, IntentCategory } from './intent-categories';

export interface PageClassification {
  category: IntentCategory;
  /** the path segment the category's Page View filter matches (`path contains /<segment>`) */
  segment: string;
}

const PAGE_EXTENSION = /\.(html?|php|aspx?|jsp)$/;
/** `en`, `de`, `en-us`, `pt-br`, `zh-hant`: a locale prefix before the section */
const LOCALE = /^[a-z]{2}([-_][a-z]{2,4})?$/;

const BY_SLUG = new Map<string, IntentCategory>();
for (const category of INTENT_CATEGORIES) for (const slug of category.slugs) if (!BY_SLUG.has(slug)) BY_SLUG.set(slug, category);

/** Lower-case, decoded path segments without page extensions; a leading locale segment is dropped. */
export function pathSegments(pathname: string): string[] {
  const segments = pathname
    .split('/')
    .map((s) => {
      try {
        return decodeURIComponent(s);
      } catch {
        return s;
      }
    })
    .map((s) => s.trim().toLowerCase().replace(PAGE_EXTENSION, ''))
    .filter((s) => s !== '' && s !== 'index');
  if (segments.length > 1 && LOCALE.test(segments[0]) && !BY_SLUG.has(segments[0])) segments.shift();
  return segments;
}

function words(text: string): string[] {
  return text
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w !== '');
}

function byWords(tokens: readonly string[]): IntentCategory | undefined {
  return INTENT_CATEGORIES.find((c) => c.words.some((w) => tokens.includes(w)));
}

/**
 * The intent category of a page, from its URL path and (when the URL says nothing) the text of a link to it.
 * Deterministic, in this order:
 * 1. whole path segments that are a category's slug: the deepest one wins (`/products/pricing` is pricing), except
 *    below an article section (`/blog/…`, `/docs/…`), whose deeper segments are titles;
 * 2. words inside the first segment (`/request-a-demo-today` is demo; categories in priority order);
 * 3. the link text, as a slug (`Sign up` → `sign-up`) and then by its words.
 * The home page and unmatched pages are not classified (null).
 */
export function classifyPage(pathname: string, linkText?: string): PageClassification | null {
  const segments = pathSegments(pathname);
  if (segments.length === 0) return null;

  let found: PageClassification | null = null;
  for (const segment of segments) {
    const category = BY_SLUG.get(segment);
    if (!category) continue;
    found = { category, segment };
    if (category.articles) break;
  }
  if (found) return found;

  const first = segments[0];
  const fromPath = byWords(words(first));
  if (fromPath) return { category: fromPath, segment: first };

  const text = (linkText ?? '').trim();
  if (text === '') return null;
  const fromText = BY_SLUG.get(words(text).join('-')) ?? byWords(words(text));
  return fromText ? { category: fromText, segment: first } : null;
}
