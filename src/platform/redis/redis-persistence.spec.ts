import { redisPersistenceVerdict, REQUIRED_REDIS_SETTINGS } from './redis-persistence';

describe('redisPersistenceVerdict', () => {
  const rdbDefault = '3600 1 300 100 60 10000';

  it.each([
    ['AOF only', { appendonly: 'yes', save: '', maxmemoryPolicy: 'noeviction' }],
    ['both', { appendonly: 'yes', save: rdbDefault, maxmemoryPolicy: 'noeviction' }],
    ['upper-case answers', { appendonly: 'YES', save: '', maxmemoryPolicy: 'NoEviction' }],
  ])('accepts %s', (_, settings) => {
    expect(redisPersistenceVerdict(settings)).toEqual({ ok: true });
  });

  it('rejects no AOF and no snapshots, naming the settings to use', () => {
    const settings = { appendonly: 'no', save: '', maxmemoryPolicy: 'noeviction' };
    expect(redisPersistenceVerdict(settings)).toEqual({
      ok: false,
      problems: [expect.stringContaining('neither AOF')],
      settings,
      use: { appendonly: 'yes', appendfsync: 'everysec', 'maxmemory-policy': 'noeviction' },
    });
  });

  it('rejects RDB snapshots alone (the redis.conf default): a crash loses the jobs since the last snapshot', () => {
    expect(redisPersistenceVerdict({ appendonly: 'no', save: rdbDefault, maxmemoryPolicy: 'noeviction' })).toMatchObject({
      ok: false,
      problems: [expect.stringContaining('only RDB snapshots')],
    });
  });

  it('reads save "" as snapshots off', () => {
    expect(redisPersistenceVerdict({ appendonly: 'no', save: '""', maxmemoryPolicy: 'noeviction' }).ok).toBe(false);
  });

  it.each(['allkeys-lru', 'volatile-lru', 'allkeys-random', 'volatile-ttl', 'allkeys-lfu', ''])('rejects maxmemory-policy %j even with AOF on', (policy) => {
    const verdict = redisPersistenceVerdict({ appendonly: 'yes', save: rdbDefault, maxmemoryPolicy: policy });
    expect(verdict).toMatchObject({ ok: false, problems: [expect.stringContaining('maxmemory-policy')] });
  });

  it('lists both problems when both are wrong', () => {
    const verdict = redisPersistenceVerdict({ appendonly: 'no', save: '', maxmemoryPolicy: 'allkeys-lru' });
    expect(verdict.ok === false && verdict.problems).toHaveLength(2);
  });

  it('asks for settings that it accepts itself', () => {
    const use = REQUIRED_REDIS_SETTINGS;
    expect(redisPersistenceVerdict({ appendonly: use.appendonly, save: '', maxmemoryPolicy: use['maxmemory-policy'] })).toEqual({ ok: true });
  });
});
