/**
 * The sample data set (ADM-4): fixed tables and a fixed-seed PRNG, so the same request day always gives the same
 * sample. Pure: no framework, no I/O; the service turns the plan into product commands.
 */

/** mulberry32: a tiny 32-bit PRNG; the same seed gives the same sequence on every platform. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const SAMPLE_SEED = 0x6b656e62; // "kenb"
export const SAMPLE_LEADS = 240;
export const SAMPLE_DAYS = 30;

/** Companies on reserved `.example` domains (RFC 2606): realistic, never a real company's mail domain. */
export const COMPANIES = [
  { name: 'Northwind', domain: 'northwind.example', industry: 'Logistics', country: 'US', employees: 1200 },
  { name: 'Contoso', domain: 'contoso.example', industry: 'Software', country: 'US', employees: 5400 },
  { name: 'Fabrikam', domain: 'fabrikam.example', industry: 'Manufacturing', country: 'DE', employees: 2300 },
  { name: 'Tailspin', domain: 'tailspin.example', industry: 'Aviation', country: 'GB', employees: 800 },
  { name: 'Wingtip', domain: 'wingtip.example', industry: 'Retail', country: 'US', employees: 350 },
  { name: 'Litware', domain: 'litware.example', industry: 'Software', country: 'CA', employees: 150 },
  { name: 'Adatum', domain: 'adatum.example', industry: 'Financial Services', country: 'GB', employees: 9800 },
  { name: 'Proseware', domain: 'proseware.example', industry: 'Healthcare', country: 'FR', employees: 640 },
  { name: 'Woodgrove', domain: 'woodgrove.example', industry: 'Banking', country: 'US', employees: 15000 },
  { name: 'Lamna', domain: 'lamna.example', industry: 'Healthcare', country: 'NL', employees: 420 },
  { name: 'Relecloud', domain: 'relecloud.example', industry: 'Telecommunications', country: 'JP', employees: 3100 },
  { name: 'Trey', domain: 'trey.example', industry: 'Research', country: 'AU', employees: 90 },
] as const;

const FIRST_NAMES = [
  'Olivia',
  'Liam',
  'Emma',
  'Noah',
  'Ava',
  'Lucas',
  'Mia',
  'Ethan',
  'Sofia',
  'Mateo',
  'Aiko',
  'Hiroshi',
  'Chloé',
  'Louis',
  'Hannah',
  'Jonas',
  'Priya',
  'Arjun',
  'Fatima',
  'Omar',
  'Grace',
  'Daniel',
  'Isabella',
  'Leon',
  'Zoe',
  'Samuel',
  'Nora',
  'Felix',
  'Amara',
  'Kai',
] as const;
const LAST_NAMES = [
  'Smith',
  'Johnson',
  'Brown',
  'Garcia',
  'Müller',
  'Schmidt',
  'Dubois',
  'Martin',
  'Tanaka',
  'Sato',
  'Patel',
  'Khan',
  'Nguyen',
  'Kim',
  'Rossi',
  'Jansen',
  'de Vries',
  'Wilson',
  'Taylor',
  'Anderson',
  'Lopez',
  'Clark',
  'Lewis',
  'Walker',
  'Young',
  'Hall',
  'Wright',
  'Scott',
] as const;
const TITLES = [
  { title: 'VP of Marketing', seniority: 'VP' },
  { title: 'Head of Growth', seniority: 'Director' },
  { title: 'Marketing Manager', seniority: 'Manager' },
  { title: 'Demand Generation Manager', seniority: 'Manager' },
  { title: 'Chief Revenue Officer', seniority: 'C-Level' },
  { title: 'Sales Director', seniority: 'Director' },
  { title: 'Account Executive', seniority: 'Individual Contributor' },
  { title: 'Marketing Operations Specialist', seniority: 'Individual Contributor' },
  { title: 'CTO', seniority: 'C-Level' },
  { title: 'Software Engineer', seniority: 'Individual Contributor' },
  { title: 'Product Manager', seniority: 'Manager' },
  { title: 'Business Analyst', seniority: 'Individual Contributor' },
] as const;

const SITE = 'https://www.acme-analytics.example';
const PAGES = [
  { path: '/', title: 'Home' },
  { path: '/product', title: 'Product overview' },
  { path: '/pricing', title: 'Pricing' },
  { path: '/customers', title: 'Customer stories' },
  { path: '/blog/lead-scoring-101', title: 'Lead scoring 101' },
  { path: '/blog/intent-signals', title: 'Reading intent signals' },
  { path: '/integrations', title: 'Integrations' },
  { path: '/docs/getting-started', title: 'Getting started' },
] as const;
const CAMPAIGNS = [
  { utm_source: 'google', utm_medium: 'cpc', utm_campaign: 'q3-lead-scoring' },
  { utm_source: 'linkedin', utm_medium: 'paid_social', utm_campaign: 'abm-enterprise' },
  { utm_source: 'newsletter', utm_medium: 'email', utm_campaign: 'monthly-digest' },
  { utm_source: 'partner', utm_medium: 'referral', utm_campaign: 'partner-webinar' },
] as const;
const FORMS = ['Newsletter signup', 'Ebook: The B2B scoring playbook', 'Contact sales'] as const;
const EMAILS = ['Welcome to Acme Analytics', 'Monthly digest', 'Webinar invitation', 'Case study: Contoso'] as const;

/** The sample engagement ruleset: event types, points and half-lives (days) a marketer would start with. */
export const SAMPLE_RULESET = { name: 'Sample: Website & email engagement', score_column: 'sample_engagement' } as const;
export const SAMPLE_RULES = [
  { event_type: 'Page View', weight: 2, half_life_days: 14, icon: 'eye', filters: [] },
  { event_type: 'Page View', weight: 8, half_life_days: 14, icon: 'tag', filters: [{ key: 'path', operator: 'contains' as const, value: '/pricing' }] },
  { event_type: 'Email Open', weight: 1, half_life_days: 7, icon: 'mail', filters: [] },
  { event_type: 'Email Click', weight: 3, half_life_days: 7, icon: 'mouse-pointer', filters: [] },
  { event_type: 'Form Submit', weight: 15, half_life_days: 30, icon: 'file-text', filters: [] },
  { event_type: 'Webinar Attended', weight: 10, half_life_days: 30, icon: 'video', filters: [] },
  { event_type: 'Demo Request', weight: 30, half_life_days: null, icon: 'calendar', filters: [] },
] as const;

/** Engagement levels of the sample ruleset (displayed score ranges). */
export const SAMPLE_LEVELS = [
  { name: 'Cold', min_score: 0, max_score: 19, color: '#3b82f6' },
  { name: 'Warm', min_score: 20, max_score: 59, color: '#f59e0b' },
  { name: 'Hot', min_score: 60, max_score: null, color: '#ef4444' },
] as const;

/** A milestone trigger without destination: visible in the product, inactive so it never fires for real leads. */
export const SAMPLE_TRIGGER = {
  name: 'Sample: Lead turned hot',
  description: 'Fires when a lead’s engagement score reaches 60 (sample data; add a destination and activate it to try notifications).',
  score_threshold: 60,
  active: false,
} as const;

/** A segment of the sample: warm or hot leads who looked at pricing (an engagement-level rule and an event rule). */
export const SAMPLE_SEGMENT = {
  name: 'Sample: Warm or hot, looked at pricing',
  description: 'Sample data: leads at the Warm or Hot level that viewed a pricing page.',
  active: true,
} as const;
export const SAMPLE_SEGMENT_RULES = [
  {
    rule_name: 'Not cold',
    rule_type: 'engagement_level',
    field_name: 'engagement_level',
    operator: 'not_equals',
    value: 'Cold',
    logic_group: 1,
    order_index: 1,
  },
  {
    rule_name: 'Viewed pricing',
    rule_type: 'event_metadata',
    event_type: 'Page View',
    field_name: 'path',
    operator: 'contains',
    value: '/pricing',
    logic_group: 1,
    order_index: 2,
    logic_op: 'AND' as const,
  },
] as const;

export interface SampleLead {
  lead_id: string;
  email: string;
  metadata: Record<string, string | number>;
  /** the account the product will group the lead into (by its e-mail domain) */
  account_id: string;
}

export interface SampleEvent {
  event_id: string;
  lead_id: string;
  email: string;
  event_type: string;
  timestamp: string;
  metadata: Record<string, string>;
}

export interface SamplePlan {
  leads: SampleLead[];
  events: SampleEvent[];
  account_ids: string[];
}

const DAY_MS = 86_400_000;

/** The UTC midnight of `now`'s day: the sample's times are relative to it. */
export function sampleDay(now: Date): Date {
  return new Date(Math.floor(now.getTime() / DAY_MS) * DAY_MS);
}

/** The public account id the product gives a lead grouped by e-mail domain (accounts module, ABM-2). */
export const accountIdOf = (domain: string) => `acct_${domain}`;

/**
 * The whole sample for a request day: leads (10% hot, 30% warm, the rest cold) and their events over the 30 days
 * before `day` (UTC midnight), newest activity skewed towards the end for hot leads.
 */
export function samplePlan(day: Date): SamplePlan {
  const rnd = mulberry32(SAMPLE_SEED);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rnd() * list.length)];
  const int = (min: number, max: number) => min + Math.floor(rnd() * (max - min + 1));
  const leads: SampleLead[] = [];
  const events: SampleEvent[] = [];
  const start = day.getTime() - SAMPLE_DAYS * DAY_MS;
  for (let i = 1; i <= SAMPLE_LEADS; i++) {
    const company = COMPANIES[Math.floor(Math.pow(rnd(), 1.4) * COMPANIES.length)];
    const first = pick(FIRST_NAMES);
    const last = pick(LAST_NAMES);
    const role = pick(TITLES);
    const lead_id = `sample_lead_${String(i).padStart(3, '0')}`;
    const local = `${first}.${last}`
      .normalize('NFD')
      .replace(/[\u0300-\u036f]/g, '')
      .replace(/[^A-Za-z.]/g, '')
      .toLowerCase();
    const email = `${local}.${i}@${company.domain}`;
    leads.push({
      lead_id,
      email,
      account_id: accountIdOf(company.domain),
      metadata: {
        first_name: first,
        last_name: last,
        name: `${first} ${last}`,
        job_title: role.title,
        seniority: role.seniority,
        company: company.name,
        industry: company.industry,
        country: company.country,
        employees: company.employees,
        source: 'sample data',
      },
    });
    const heat = rnd();
    const tier = heat < 0.1 ? 'hot' : heat < 0.4 ? 'warm' : 'cold';
    const count = tier === 'hot' ? int(16, 28) : tier === 'warm' ? int(7, 14) : int(1, 5);
    const campaign = pick(CAMPAIGNS);
    for (let n = 1; n <= count; n++) {
      // hot leads are active lately, cold ones whenever
      const spread = tier === 'hot' ? 1 - Math.pow(rnd(), 2.5) * 0.5 : rnd();
      const at = new Date(start + Math.floor(spread * (SAMPLE_DAYS * DAY_MS - 60_000)));
      const roll = rnd();
      let event_type: string;
      let metadata: Record<string, string>;
      if (tier === 'hot' && n === count) {
        event_type = 'Demo Request';
        metadata = { form: 'Book a demo', page_url: `${SITE}/demo`, ...campaign };
      } else if (roll < 0.55) {
        const page = tier === 'cold' ? pick(PAGES.slice(0, 5)) : pick(PAGES);
        event_type = 'Page View';
        metadata = { url: `${SITE}${page.path}`, path: page.path, title: page.title, ...campaign };
      } else if (roll < 0.75) {
        event_type = 'Email Open';
        metadata = { email_name: pick(EMAILS), utm_medium: 'email', utm_source: 'newsletter', utm_campaign: 'monthly-digest' };
      } else if (roll < 0.87) {
        event_type = 'Email Click';
        metadata = { email_name: pick(EMAILS), link_url: `${SITE}/customers`, utm_medium: 'email', utm_source: 'newsletter', utm_campaign: 'monthly-digest' };
      } else if (roll < 0.95 || tier === 'cold') {
        event_type = 'Form Submit';
        metadata = { form: pick(FORMS), page_url: `${SITE}/resources`, ...campaign };
      } else {
        event_type = 'Webinar Attended';
        metadata = { webinar: 'Scoring leads that convert', utm_source: 'partner', utm_medium: 'referral', utm_campaign: 'partner-webinar' };
      }
      events.push({ event_id: `sample_${lead_id}_${String(n).padStart(2, '0')}`, lead_id, email, event_type, timestamp: at.toISOString(), metadata });
    }
  }
  events.sort((a, b) => (a.timestamp === b.timestamp ? (a.event_id < b.event_id ? -1 : 1) : a.timestamp < b.timestamp ? -1 : 1));
  return { leads, events, account_ids: [...new Set(leads.map((l) => l.account_id))].sort() };
}
