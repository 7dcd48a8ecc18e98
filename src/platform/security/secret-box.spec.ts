import { randomBytes } from 'node:crypto';
import { maskSecret, openSecret, sealSecret } from './secret-box';

describe('secret box', () => {
  const key = randomBytes(32);

  it('round-trips and never stores the clear text', () => {
    const sealed = sealSecret(key, 'Bearer s3cr3t-token');
    expect(sealed).not.toContain('s3cr3t');
    expect(openSecret(key, sealed)).toBe('Bearer s3cr3t-token');
  });

  it('refuses a tampered value or another key', () => {
    const sealed = sealSecret(key, 'Bearer abc');
    expect(() => openSecret(randomBytes(32), sealed)).toThrow();
    expect(() => openSecret(key, sealed.slice(0, -2) + 'AA')).toThrow();
  });

  it('masks long secrets to 3+3 characters and short ones entirely', () => {
    expect(maskSecret('Bearer s3cr3t-token')).toBe('Bea•••ken');
    expect(maskSecret('short')).toBe('•••');
  });
});
