import type { Condition } from '../../scoring/domain';
import { classifyPage } from './classify-page';
import { INTENT_CATEGORIES, IntentCategoryId } from './intent-categories';

export interface DiscoveredPage {
  /** absolute URL of a page of the analyzed site */
  url: string;
  /** text of a link to it, when it was found as a link */
  text?: string;
}

export interface CategoryFinding {
  category: IntentCategoryId;
  label: string;
  page_count: number;
  suggested_weight: number;
  /** the proposed rule's filter, readable (`path contains /pricing`) */
  filter_label: string;
  /** up to SAMPLE_SIZE of the category's URLs, sorted */
  sample_urls: string[];
}

/** Exactly the body `POST /rules` accepts: a client posts it unchanged (to the primary ruleset, or adds `ruleset_id`). */
export interface ProposedRule {
  event_type: string;
  weight: number;
  filters: Condition[];
}

export interface SiteProposal {
  categories: CategoryFinding[];
  proposed_rules: ProposedRule[];
}

export const PAGE_VIEW = 'Page View';
export const SAMPLE_SIZE = 5;

/** The most frequent segment; ties go to the shorter, then the alphabetically first (deterministic). */
function commonest(segments: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const s of segments) counts.set(s, (counts.get(s) ?? 0) + 1);
  return [...counts.entries()].sort((x, y) => y[1] - x[1] || x[0].length - y[0].length || x[0].localeCompare(y[0]))[0][0];
}

/**
 * Classifies the pages and proposes one Page View rule per category found, in the categories' order (highest
 * intent first); `proposed_rules[i]` is the rule of `categories[i]`. Its one filter, `path contains /<segment>`,
 * uses the segment most of the category's pages share.
 */
export function proposeRules(pages: readonly DiscoveredPage[]): SiteProposal {
  const found = new Map<IntentCategoryId, { urls: Set<string>; segments: string[] }>();
  for (const page of pages) {
    const c = classifyPage(new URL(page.url).pathname, page.text);
    if (!c) continue;
    const entry = found.get(c.category.id) ?? { urls: new Set<string>(), segments: [] };
    if (entry.urls.has(page.url)) continue;
    entry.urls.add(page.url);
    entry.segments.push(c.segment);
    found.set(c.category.id, entry);
  }
  const categories: CategoryFinding[] = [];
  const proposed_rules: ProposedRule[] = [];
  for (const category of INTENT_CATEGORIES) {
    const entry = found.get(category.id);
    if (!entry) continue;
    const value = `/${commonest(entry.segments)}`;
    categories.push({
      category: category.id,
      label: category.label,
      page_count: entry.urls.size,
      suggested_weight: category.weight,
      filter_label: `path contains ${value}`,
      sample_urls: [...entry.urls].sort().slice(0, SAMPLE_SIZE),
    });
    proposed_rules.push({ event_type: PAGE_VIEW, weight: category.weight, filters: [{ key: 'path', operator: 'contains', value }] });
  }
  return { categories, proposed_rules };
}
