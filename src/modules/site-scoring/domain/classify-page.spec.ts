import { classifyPage, pathSegments } from './classify-page';
import { INTENT_CATEGORIES, INTENT_CATEGORY_IDS } from './intent-categories';

const category = (path: string, text?: string) => classifyPage(path, text)?.category.id ?? null;

describe('intent categories', () => {
  it('are 17, each once, highest weight first, pricing above blog and careers negative', () => {
    expect(INTENT_CATEGORIES.map((c) => c.id)).toEqual([...INTENT_CATEGORY_IDS]);
    expect(INTENT_CATEGORIES).toHaveLength(17);
    const weights = INTENT_CATEGORIES.map((c) => c.weight);
    expect([...weights].sort((a, b) => b - a)).toEqual(weights);
    const weight = (id: string) => INTENT_CATEGORIES.find((c) => c.id === id)!.weight;
    expect(weight('pricing')).toBeGreaterThan(weight('blog'));
    expect(weight('demo')).toBeGreaterThan(weight('product'));
    expect(weight('careers')).toBeLessThan(0);
  });
});

describe('pathSegments', () => {
  it('lower-cases, decodes, drops page extensions, index and a leading locale', () => {
    expect(pathSegments('/EN-us/Pricing.html')).toEqual(['pricing']);
    expect(pathSegments('/de/kontakt/')).toEqual(['kontakt']);
    expect(pathSegments('/caf%C3%A9/index.php')).toEqual(['café']);
    expect(pathSegments('/')).toEqual([]);
    expect(pathSegments('/vs/hubspot')).toEqual(['vs', 'hubspot']);
  });
});

describe('classifyPage', () => {
  it.each([
    ['/demo', 'demo'],
    ['/book-a-demo', 'demo'],
    ['/pricing', 'pricing'],
    ['/plans', 'pricing'],
    ['/sign-up', 'signup'],
    ['/free-trial', 'signup'],
    ['/contact-us', 'contact'],
    ['/compare/acme-vs-us', 'comparison'],
    ['/product/analytics', 'product'],
    ['/features', 'product'],
    ['/solutions/healthcare', 'solutions'],
    ['/integrations/salesforce', 'integrations'],
    ['/case-studies/acme', 'customers'],
    ['/security', 'security'],
    ['/resources/whitepapers', 'resources'],
    ['/webinars/q3-launch', 'events'],
    ['/docs/getting-started', 'docs'],
    ['/partners', 'partners'],
    ['/blog/why-we-built-it', 'blog'],
    ['/about-us', 'about'],
    ['/careers/senior-engineer', 'careers'],
  ])('%s is %s', (path, expected) => {
    expect(category(path)).toBe(expected);
  });

  it('takes the deepest category segment (/products/pricing is pricing, /company/careers is careers)', () => {
    expect(category('/products/pricing')).toBe('pricing');
    expect(category('/company/careers')).toBe('careers');
    expect(category('/resources/webinars/launch')).toBe('events');
    expect(category('/pricing/enterprise')).toBe('pricing');
  });

  it('does not look below an article section: a blog post about pricing is a blog page', () => {
    expect(category('/blog/pricing')).toBe('blog');
    expect(category('/docs/api/demo')).toBe('docs');
  });

  it('finds words inside the first segment when no segment is a slug, in priority order', () => {
    expect(classifyPage('/request-a-demo-today')).toEqual({ category: expect.objectContaining({ id: 'demo' }), segment: 'request-a-demo-today' });
    expect(category('/enterprise-pricing')).toBe('pricing');
    expect(category('/acme-vs-hubspot')).toBe('comparison');
    expect(category('/demo-pricing-overview')).toBe('demo');
    // words deeper down are titles, not sections
    expect(category('/stories-of-growth/how-we-price')).toBe(null);
  });

  it('skips a locale prefix', () => {
    expect(category('/en/pricing')).toBe('pricing');
    expect(category('/fr-fr/contact')).toBe('contact');
  });

  it('uses link text only when the path says nothing', () => {
    expect(classifyPage('/get-going', 'Sign up')).toEqual({ category: expect.objectContaining({ id: 'signup' }), segment: 'get-going' });
    expect(category('/lp/q4', 'Book a demo')).toBe('demo');
    expect(category('/talk', 'Contact our team')).toBe('contact');
    expect(category('/pricing', 'Read our blog')).toBe('pricing');
    expect(category('/xyz', 'Welcome')).toBe(null);
  });

  it('leaves the home page and unknown pages unclassified', () => {
    expect(category('/')).toBe(null);
    expect(category('/', 'Pricing')).toBe(null);
    expect(category('/terms-of-service')).toBe(null);
  });

  it('is case-insensitive and deterministic', () => {
    expect(category('/PRICING/')).toBe('pricing');
    expect(classifyPage('/Contact', 'x')).toEqual(classifyPage('/contact', 'x'));
  });
});
