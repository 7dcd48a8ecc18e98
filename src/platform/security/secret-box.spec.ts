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
    // flip one bit of the ciphertext (replacing its last characters by "AA" left it unchanged when its last byte was 0)
    const [v, iv, tag, body] = sealed.split('.');
    const bytes = Buffer.from(body, 'base64url');
    bytes[bytes.length - 1] ^= 0x01;
    expect(() => openSecret(key, [v, iv, tag, bytes.toString('base64url')].join('.'))).toThrow();
  });

  it('masks long secrets to 3+3 characters and short ones entirely', () => {
    expect(maskSecret('Bearer s3cr3t-token')).toBe('Bea•••ken');
    expect(maskSecret('short')).toBe('•••');
  });
});
