/**
 * Whether Redis keeps the jobs it accepted across a restart. Pure: the boot check and /metrics feed it the answers of
 * `CONFIG GET appendonly`, `CONFIG GET save` and `CONFIG GET maxmemory-policy`.
 */
export interface RedisPersistenceSettings {
  appendonly: string;
  save: string;
  maxmemoryPolicy: string;
}

export type RedisPersistenceVerdict =
  | { ok: true }
  | { ok: false; problems: string[]; settings: RedisPersistenceSettings; use: Record<string, string> }
  /** CONFIG is disabled or renamed (managed Redis): the settings could not be read. */
  | { ok: 'unknown'; reason: string };

/** What this server needs, as redis.conf lines (and `redis-server --…` flags). */
export const REQUIRED_REDIS_SETTINGS = { appendonly: 'yes', appendfsync: 'everysec', 'maxmemory-policy': 'noeviction' } as const;

export function redisPersistenceVerdict(s: RedisPersistenceSettings): RedisPersistenceVerdict {
  const problems: string[] = [];
  const aof = s.appendonly.trim().toLowerCase() === 'yes';
  // `save ""` (or an empty answer) turns RDB snapshots off; "3600 1 300 100" keeps them on
  const rdb = s.save.trim() !== '' && s.save.trim() !== '""';
  if (!aof && !rdb) problems.push('neither AOF (appendonly no) nor RDB snapshots (save "") are on: a restart loses every queued job');
  // snapshots alone are written every few minutes at best: a crash (kill -9, OOM, power) loses the jobs since the last
  else if (!aof) problems.push('only RDB snapshots are on (appendonly no): a crash loses every job accepted since the last snapshot');
  const policy = s.maxmemoryPolicy.trim().toLowerCase();
  if (policy !== 'noeviction') problems.push(`maxmemory-policy is ${policy || '(empty)'}: at maxmemory Redis evicts keys, queued jobs among them`);
  return problems.length ? { ok: false, problems, settings: s, use: { ...REQUIRED_REDIS_SETTINGS } } : { ok: true };
}
