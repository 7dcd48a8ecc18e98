import { campaignDimension, utmColumn } from './campaign-dimension';

describe('campaignDimension', () => {
  it('keeps a known key and falls back to campaign for anything else', () => {
    expect(campaignDimension('source')).toBe('source');
    expect(campaignDimension('medium')).toBe('medium');
    expect(campaignDimension(undefined)).toBe('campaign');
    expect(campaignDimension('content')).toBe('campaign');
    expect(campaignDimension('SOURCE')).toBe('campaign');
    expect(utmColumn('medium')).toBe('utm_medium');
  });
});
