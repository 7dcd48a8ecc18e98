import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Environment, validateEnvironment } from './environment';

describe('configuration', () => {
  it('starts from safe defaults', () => {
    const env = validateEnvironment({});
    expect(env.PORT).toBe(3000);
    expect(env.DATABASE_URL).toBe('postgres://postgres@127.0.0.1:5432/kenbun');
    expect(env.REDIS_URL).toBe('redis://127.0.0.1:6379');
    expect(env.DATABASE_MIGRATE_ON_START).toBe(true);
  });

  it('converts numbers and booleans from strings', () => {
    const env = validateEnvironment({ PORT: '8080', DATABASE_MIGRATE_ON_START: 'false', LOG_PRETTY: '1' });
    expect(env.PORT).toBe(8080);
    expect(env.DATABASE_MIGRATE_ON_START).toBe(false);
    expect(env.LOG_PRETTY).toBe(true);
  });

  it('names every malformed setting and why', () => {
    let message = '';
    try {
      validateEnvironment({ PORT: 'eighty', DATABASE_URL: 'mysql://x/y', LOG_LEVEL: 'loud', DATABASE_MIGRATE_ON_START: 'maybe' });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain('PORT ("eighty")');
    expect(message).toContain('DATABASE_URL');
    expect(message).toContain('postgres://');
    expect(message).toContain('LOG_LEVEL');
    expect(message).toContain('DATABASE_MIGRATE_ON_START');
  });

  it('.env.example lists every setting with the default the server uses', () => {
    const example = readFileSync(join(__dirname, '..', '..', '.env.example'), 'utf8');
    const listed = new Map(
      example
        .split('\n')
        .filter((l) => /^[A-Z_]+=/.test(l))
        .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    );
    const defaults = new Environment() as unknown as Record<string, unknown>;
    for (const key of [...Object.keys(defaults), 'KENBUN_ROLES']) {
      expect(listed.has(key)).toBe(true);
      if (key in defaults && defaults[key] !== undefined) expect(listed.get(key)).toBe(String(defaults[key]));
    }
    for (const key of listed.keys()) expect([...Object.keys(defaults), 'KENBUN_ROLES']).toContain(key);
  });
});
