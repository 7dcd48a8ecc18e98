import { createHmac, randomBytes, scrypt as scryptCb, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';

const scrypt = promisify(scryptCb) as (
  password: string,
  salt: Buffer,
  keylen: number,
  options: { N: number; r: number; p: number; maxmem: number },
) => Promise<Buffer>;

/** scrypt parameters for passwords: memory-hard (N=2^15, r=8 → 32 MiB per hash). */
const SCRYPT = { N: 2 ** 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password.normalize('NFKC'), salt, 32, SCRYPT);
  return `scrypt$${SCRYPT.N}$${SCRYPT.r}$${SCRYPT.p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, key] = stored.split('$');
  if (scheme !== 'scrypt' || !key) return false;
  const expected = Buffer.from(key, 'base64');
  const actual = await scrypt(password.normalize('NFKC'), Buffer.from(salt, 'base64'), expected.length, {
    N: Number(n),
    r: Number(r),
    p: Number(p),
    maxmem: SCRYPT.maxmem,
  });
  return timingSafeEqual(actual, expected);
}

/**
 * Client secrets and tokens are long random values, so a keyed fast hash is enough (no dictionary to
 * guess from) and keeps credential checks on the ingest hot path in microseconds.
 */
export function hashSecret(key: Buffer, secret: string): string {
  return createHmac('sha256', key).update(secret).digest('hex');
}

export const PAT_PREFIX = 'kbn_pat_';

export function newPersonalAccessToken(): { token: string; prefix: string } {
  const token = PAT_PREFIX + randomBytes(16).toString('hex');
  return { token, prefix: token.slice(0, 16) };
}

export function newServiceAccountCredentials(): { clientId: string; clientSecret: string } {
  return { clientId: 'kbn_sa_' + randomBytes(10).toString('hex'), clientSecret: 'kbn_sk_' + randomBytes(24).toString('base64url') };
}

/** A generated password for the first admin: 20 characters from a 62-letter alphabet (~119 bits). */
export function generatePassword(): string {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';
  return Array.from(randomBytes(20), (b) => alphabet[b % alphabet.length]).join('');
}

export function slugify(name: string): string {
  return (
    name
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 60) || 'unit'
  );
}

/** `U12•••XYZ`: enough to recognise a Slack id without exposing it. */
export function maskSlackId(id: string | null | undefined): string | null {
  if (!id) return null;
  return id.length <= 6 ? `${id.slice(0, 1)}•••` : `${id.slice(0, 3)}•••${id.slice(-3)}`;
}
