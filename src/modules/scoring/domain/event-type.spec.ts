import { canonicalEventType, eventTypeDisplayName, sameEventType } from './event-type';

describe('canonicalEventType (ING-10)', () => {
  it.each([
    ['Page View', 'page_view'],
    ['page_view', 'page_view'],
    ['page-view ', 'page_view'],
    ['  PAGE   VIEW  ', 'page_view'],
    ['__Page__View__', 'page_view'],
    ['Demo Request!', 'demo_request'],
    ['email.click', 'email_click'],
    ['Step 2 / Checkout', 'step_2_checkout'],
    ['Démo Request', 'démo_request'],
    ['De\u0301mo', 'démo'], // decomposed accent is normalised, not split
    ['PageView', 'pageview'], // camelCase is not split
    ['', ''],
    ['  -_- ', ''],
  ])('%j → %j', (raw, key) => {
    expect(canonicalEventType(raw)).toBe(key);
  });

  it('is idempotent', () => {
    expect(canonicalEventType(canonicalEventType(' Web-Beacon  Hit '))).toBe('web_beacon_hit');
  });
});

describe('eventTypeDisplayName', () => {
  it.each([
    ['page_view', 'Page View'],
    ['Page View', 'Page View'],
    ['page-view ', 'Page View'],
    ['DEMO_REQUEST', 'Demo Request'],
    ['step_2_checkout', 'Step 2 Checkout'],
    ['démo_request', 'Démo Request'],
    ['', ''],
  ])('%j → %j', (raw, display) => {
    expect(eventTypeDisplayName(raw)).toBe(display);
  });
});

describe('sameEventType', () => {
  it('treats every spelling of one type as equal', () => {
    expect(sameEventType('Page View', 'page_view')).toBe(true);
    expect(sameEventType('page-view ', 'PAGE VIEW')).toBe(true);
  });

  it('keeps different types apart', () => {
    expect(sameEventType('Page View', 'Pricing Page View')).toBe(false);
    expect(sameEventType('page_view', 'pageview')).toBe(false);
  });
});
