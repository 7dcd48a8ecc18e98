import { proposeRules } from './propose-rules';

const site = (...paths: string[]) => paths.map((p) => ({ url: `https://example.com${p}` }));

describe('proposeRules', () => {
  it('proposes one Page View rule per category found, highest intent first, rule i belonging to category i', () => {
    const result = proposeRules(site('/', '/blog/a', '/blog/b', '/pricing', '/demo', '/terms', '/careers'));
    expect(result.categories.map((c) => [c.category, c.page_count, c.suggested_weight])).toEqual([
      ['demo', 1, 25],
      ['pricing', 1, 20],
      ['blog', 2, 2],
      ['careers', 1, -5],
    ]);
    expect(result.proposed_rules).toEqual([
      { event_type: 'Page View', weight: 25, filters: [{ key: 'path', operator: 'contains', value: '/demo' }] },
      { event_type: 'Page View', weight: 20, filters: [{ key: 'path', operator: 'contains', value: '/pricing' }] },
      { event_type: 'Page View', weight: 2, filters: [{ key: 'path', operator: 'contains', value: '/blog' }] },
      { event_type: 'Page View', weight: -5, filters: [{ key: 'path', operator: 'contains', value: '/careers' }] },
    ]);
    expect(result.categories[2]).toEqual({
      category: 'blog',
      label: 'Blog',
      page_count: 2,
      suggested_weight: 2,
      filter_label: 'path contains /blog',
      sample_urls: ['https://example.com/blog/a', 'https://example.com/blog/b'],
    });
  });

  it('filters on the segment most of the category’s pages share (ties: shorter, then alphabetical)', () => {
    const r = proposeRules(site('/plans', '/pricing', '/en/pricing/teams', '/products/pricing'));
    expect(r.categories).toHaveLength(1);
    expect(r.categories[0].page_count).toBe(4);
    expect(r.proposed_rules[0].filters).toEqual([{ key: 'path', operator: 'contains', value: '/pricing' }]);
    expect(proposeRules(site('/plans', '/quote')).proposed_rules[0].filters[0].value).toBe('/plans');
  });

  it('counts a page once and keeps at most five sorted samples', () => {
    const r = proposeRules(site('/blog/f', '/blog/e', '/blog/d', '/blog/c', '/blog/b', '/blog/a', '/blog/a'));
    expect(r.categories[0].page_count).toBe(6);
    expect(r.categories[0].sample_urls).toEqual(['a', 'b', 'c', 'd', 'e'].map((x) => `https://example.com/blog/${x}`));
  });

  it('uses link text for pages whose path says nothing', () => {
    const r = proposeRules([{ url: 'https://example.com/landing/start-now', text: 'Book a demo' }]);
    expect(r.categories.map((c) => c.category)).toEqual(['demo']);
    expect(r.proposed_rules[0].filters[0].value).toBe('/landing');
  });

  it('proposes nothing for a site without categorized pages', () => {
    expect(proposeRules(site('/', '/terms'))).toEqual({ categories: [], proposed_rules: [] });
  });
});
