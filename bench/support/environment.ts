/** The environment a bench ran in (machine, versions, settings, commit), printed before its figures. */
import os from 'node:os';
import Redis from 'ioredis';
import { Client } from 'pg';
import { gitCommit } from './common';

/** The machine: CPU, memory, OS and Node.js, as label/value pairs. */
export function machinePairs(): [string, string][] {
  const cpus = os.cpus();
  return [
    ['CPU', `${cpus[0]?.model ?? 'unknown'} x ${cpus.length} (available parallelism ${os.availableParallelism()})`],
    ['memory', `${(os.totalmem() / 2 ** 30).toFixed(1)} GiB total`],
    ['OS', `${os.type()} ${os.release()} ${os.arch()}`],
    ['Node.js', process.version],
  ];
}

/** Machine, OS, Node.js, PostgreSQL (version and durability settings), Redis and the git commit, as label/value pairs. */
export async function environmentPairs(pg: Client, redisUrl: string): Promise<[string, string][]> {
  const redis = new Redis(redisUrl);
  const redisVersion = /redis_version:(\S+)/.exec(await redis.info('server'))?.[1] ?? 'unknown';
  redis.disconnect();
  const pgVersion = (await pg.query('SELECT version()')).rows[0].version as string;
  const pgSettings: string[] = [];
  for (const name of ['synchronous_commit', 'fsync', 'shared_buffers', 'max_wal_size']) {
    pgSettings.push(`${name}=${(await pg.query('SELECT current_setting($1) AS v', [name])).rows[0].v}`);
  }
  return [...machinePairs(), ['PostgreSQL', pgVersion], ['PG settings', pgSettings.join(', ')], ['Redis', redisVersion], ['git commit', gitCommit()]];
}

/** The load averages, one decimal each. */
export const loadAverage = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');

/** Prints label/value pairs as an aligned two-column block. */
export function printPairs(pairs: [string, string][]): void {
  const width = Math.max(...pairs.map(([k]) => k.length));
  console.log(pairs.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n'));
}
