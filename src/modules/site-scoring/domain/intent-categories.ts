/**
 * The 17 intent categories of the site analyzer, highest buying intent first. `slugs` are whole path segments
 * (`/book-a-demo`); `words` are words inside the first path segment (`/request-a-demo-today`) and inside link text
 * ("Book a demo"). The weights are suggestions for a Page View rule: a pricing visit outweighs a blog visit, and a
 * careers visit (a job seeker, not a buyer) takes points away.
 */
export interface IntentCategory {
  id: IntentCategoryId;
  label: string;
  weight: number;
  slugs: readonly string[];
  words: readonly string[];
  /** sections whose deeper segments are article titles (/blog/pricing-tips is a blog post, not pricing) */
  articles?: boolean;
}

export const INTENT_CATEGORY_IDS = [
  'demo',
  'pricing',
  'signup',
  'contact',
  'comparison',
  'product',
  'solutions',
  'integrations',
  'customers',
  'security',
  'resources',
  'events',
  'docs',
  'partners',
  'blog',
  'about',
  'careers',
] as const;
export type IntentCategoryId = (typeof INTENT_CATEGORY_IDS)[number];

export const INTENT_CATEGORIES: readonly IntentCategory[] = [
  { id: 'demo', label: 'Demo', weight: 25, slugs: ['demo', 'demos', 'book-a-demo', 'request-a-demo', 'schedule-a-demo'], words: ['demo'] },
  {
    id: 'pricing',
    label: 'Pricing',
    weight: 20,
    slugs: ['pricing', 'prices', 'price', 'plans', 'plans-and-pricing', 'quote'],
    words: ['pricing', 'plans', 'quote'],
  },
  {
    id: 'signup',
    label: 'Sign-up',
    weight: 20,
    slugs: ['signup', 'sign-up', 'register', 'registration', 'trial', 'free-trial', 'get-started', 'start', 'join'],
    words: ['signup', 'trial', 'register'],
  },
  {
    id: 'contact',
    label: 'Contact',
    weight: 15,
    slugs: ['contact', 'contact-us', 'contact-sales', 'talk-to-sales', 'sales', 'support-contact'],
    words: ['contact'],
  },
  {
    id: 'comparison',
    label: 'Comparison',
    weight: 12,
    slugs: ['compare', 'comparison', 'vs', 'alternatives', 'alternative'],
    words: ['vs', 'versus', 'alternative', 'alternatives', 'compare'],
  },
  {
    id: 'product',
    label: 'Product',
    weight: 8,
    slugs: ['product', 'products', 'features', 'feature', 'platform', 'how-it-works', 'tour', 'overview'],
    words: ['product', 'products', 'features'],
  },
  {
    id: 'solutions',
    label: 'Solutions',
    weight: 8,
    slugs: ['solutions', 'solution', 'use-cases', 'use-case', 'industries', 'industry'],
    words: ['solutions', 'solution'],
  },
  {
    id: 'integrations',
    label: 'Integrations',
    weight: 6,
    slugs: ['integrations', 'integration', 'apps', 'marketplace', 'connectors'],
    words: ['integrations', 'integration'],
  },
  {
    id: 'customers',
    label: 'Customers',
    weight: 6,
    slugs: ['customers', 'customer-stories', 'case-studies', 'case-study', 'success-stories', 'testimonials', 'reviews'],
    words: ['customers', 'testimonials'],
  },
  {
    id: 'security',
    label: 'Security',
    weight: 5,
    slugs: ['security', 'trust', 'trust-center', 'compliance', 'gdpr', 'privacy-and-security'],
    words: ['security', 'compliance'],
  },
  {
    id: 'resources',
    label: 'Resources',
    weight: 5,
    slugs: ['resources', 'resource', 'whitepapers', 'whitepaper', 'ebooks', 'ebook', 'guides', 'reports', 'downloads', 'library'],
    words: ['whitepaper', 'ebook', 'resources'],
  },
  {
    id: 'events',
    label: 'Webinars & events',
    weight: 5,
    slugs: ['webinars', 'webinar', 'events', 'event', 'conference'],
    words: ['webinar', 'webinars', 'events'],
  },
  {
    id: 'docs',
    label: 'Documentation',
    weight: 3,
    slugs: ['docs', 'documentation', 'developers', 'developer', 'api', 'help', 'support', 'knowledge-base', 'kb', 'faq', 'faqs'],
    words: ['docs', 'documentation', 'faq'],
    articles: true,
  },
  {
    id: 'partners',
    label: 'Partners',
    weight: 3,
    slugs: ['partners', 'partner', 'partner-program', 'resellers', 'affiliates'],
    words: ['partners', 'partner'],
  },
  {
    id: 'blog',
    label: 'Blog',
    weight: 2,
    slugs: ['blog', 'news', 'articles', 'article', 'insights', 'press', 'stories'],
    words: ['blog', 'news'],
    articles: true,
  },
  { id: 'about', label: 'About', weight: 2, slugs: ['about', 'about-us', 'company', 'team', 'leadership', 'our-story', 'mission'], words: ['about'] },
  {
    id: 'careers',
    label: 'Careers',
    weight: -5,
    slugs: ['careers', 'career', 'jobs', 'job', 'join-us', 'work-with-us', 'hiring'],
    words: ['careers', 'jobs', 'hiring'],
  },
];

export function intentCategory(id: IntentCategoryId): IntentCategory {
  return INTENT_CATEGORIES.find((c) => c.id === id)!;
}
