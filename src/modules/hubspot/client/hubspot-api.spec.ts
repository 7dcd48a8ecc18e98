import { HubSpotHttpError, retryAfterMs } from './hubspot-api';

describe('HubSpot API helpers', () => {
  it('reads Retry-After as seconds or an HTTP date, 1 s when absent', () => {
    expect(retryAfterMs('2')).toBe(2000);
    expect(retryAfterMs(['0'])).toBe(0);
    expect(retryAfterMs(undefined)).toBe(1000);
    expect(retryAfterMs('garbage')).toBe(1000);
    const at = new Date(Date.now() + 5000).toUTCString();
    expect(retryAfterMs(at)).toBeGreaterThan(3000);
  });

  it('counts a 401 and a refused refresh as revoked access, not a 500 or a 429', () => {
    expect(new HubSpotHttpError(401, 'INVALID_AUTHENTICATION', 'x').revoked).toBe(true);
    expect(new HubSpotHttpError(400, 'invalid_grant', 'x').revoked).toBe(true);
    expect(new HubSpotHttpError(500, 'http_500', 'x').revoked).toBe(false);
    expect(new HubSpotHttpError(429, 'RATE_LIMITS', 'x').revoked).toBe(false);
  });
});
