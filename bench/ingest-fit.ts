/**
 * Issue 12's ingest target in one command: how much fit scoring (BENCH_FIT=1: 2 profile mappings and a primary profile
 * ruleset of 10 rules) lowers bench:ingest's end-to-end rate (b). Runs (b) alternately without and with it, BENCH_PAIRS
 * pairs (default 3), each run a separate bench:ingest process (its own database and server processes), and prints the
 * rate and the CPU per event of every run, the change per pair, and the change of the medians against the target
 * (no more than 10 % below).
 *
 *   npm run bench:ingest-fit                 (BENCH_PAIRS=5 for more; bench:ingest's settings pass through)
 *
 * One run is not enough on a small machine: on 2 cores single pairs spread over about ±5 points (±10 seen), and the
 * machine drifts between runs; alternating the order within each pair puts that drift on both sides. It also prints
 * the steadier figure: the CPU an event costs (api + worker + PostgreSQL) with and without, and the rate change that
 * implies while the work saturates the machine. Each run starts after a CHECKPOINT and BENCH_SETTLE_MS (5000) of rest.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { Client } from 'pg';
import { fmt, gitCommit, int, sleep } from './support/common';
import { loadAverage, machinePairs, printPairs } from './support/environment';

const PAIRS = int('BENCH_PAIRS', 3);
const EVENTS = int('BENCH_E2E_EVENTS', 50_000);
const TARGET = -10;
const SETTLE_MS = int('BENCH_SETTLE_MS', 5000);

interface Run {
  fit: boolean;
  rate: number;
  workerS: number;
  postgresS: number;
  apiS: number;
}

/**
 * Before each run: the previous run's dirty pages written out (CHECKPOINT) and a short rest, so that no run pays for
 * its predecessor's background writes (without it the second run of every pair was the slower, by several points).
 */
async function settle(): Promise<void> {
  const pg = new Client({ connectionString: `${(process.env.TEST_DATABASE_SERVER ?? 'postgres://postgres@127.0.0.1:5432').replace(/\/+$/, '')}/postgres` });
  await pg.connect();
  try {
    await pg.query('CHECKPOINT');
  } finally {
    await pg.end();
  }
  await sleep(SETTLE_MS);
}

/** One bench:ingest (b) run; its figures read from what it prints. */
async function runOnce(fit: boolean): Promise<Run> {
  await settle();
  return runProcess(fit);
}

function runProcess(fit: boolean): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(__dirname, 'ingest.js')], {
      env: { ...process.env, BENCH_ONLY: 'b', BENCH_FIT: fit ? '1' : '0' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      const num = (re: RegExp) => Number(re.exec(out)?.[1]?.replace(/,/g, '') ?? NaN);
      const run = {
        fit,
        rate: num(/\(b\) end to end \.\.\. ([\d,]+) events\/s/),
        workerS: num(/worker#1 CPU s in \(b\): ([\d.]+)/),
        postgresS: num(/postgres CPU s in \(b\): ([\d.]+)/),
        apiS: num(/api#1 CPU s in \(b\): ([\d.]+)/),
      };
      if (code !== 0 || !Number.isFinite(run.rate)) reject(new Error(`bench:ingest (BENCH_FIT=${fit ? 1 : 0}) failed (exit ${code}):\n${out.slice(-2000)}`));
      else resolve(run);
    });
  });
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const change = (without: number, withFit: number) => ((withFit - without) / without) * 100;
const perEvent = (s: number) => (s * 1e6) / EVENTS;

async function main(): Promise<void> {
  console.log('\nkenbun ingest benchmark: fit scoring on and off (issue 12)\n');
  printPairs([
    ...machinePairs(),
    ['git commit', gitCommit()],
    ['load average', `${loadAverage()} at the start`],
    ['runs', `${PAIRS} pairs of bench:ingest (b), ${fmt(EVENTS)} events each, alternating which goes first`],
  ]);
  console.log('');
  const pairs: { without: Run; withFit: Run }[] = [];
  for (let i = 0; i < PAIRS; i++) {
    const first = await runOnce(i % 2 === 1);
    const second = await runOnce(i % 2 === 0);
    const [without, withFit] = first.fit ? [second, first] : [first, second];
    pairs.push({ without, withFit });
    console.log(
      `pair ${i + 1}: without ${fmt(without.rate)} events/s (worker ${fmt(perEvent(without.workerS))} µs, PostgreSQL ${fmt(perEvent(without.postgresS))} µs per event), ` +
        `with ${fmt(withFit.rate)} events/s (worker ${fmt(perEvent(withFit.workerS))} µs, PostgreSQL ${fmt(perEvent(withFit.postgresS))} µs): ${fmt(change(without.rate, withFit.rate), 1)} %`,
    );
  }
  const without = median(pairs.map((p) => p.without.rate));
  const withFit = median(pairs.map((p) => p.withFit.rate));
  const overall = change(without, withFit);
  console.log(
    `\nmedians: without ${fmt(without)} events/s, with ${fmt(withFit)} events/s: ${fmt(overall, 1)} % ` +
      `(target no more than 10 % below: ${overall >= TARGET ? 'MET' : 'MISSED'}); median of the pairs' changes ${fmt(median(pairs.map((p) => change(p.without.rate, p.withFit.rate))), 1)} %`,
  );
  console.log(
    `extra CPU per event with fit (medians): worker ${fmt(median(pairs.map((p) => perEvent(p.withFit.workerS - p.without.workerS))))} µs, ` +
      `PostgreSQL ${fmt(median(pairs.map((p) => perEvent(p.withFit.postgresS - p.without.postgresS))))} µs; load average at the end ${loadAverage()}`,
  );
  // the rate moves with whatever else the machine does; the CPU each event costs much less: on a machine the work
  // saturates (as (b) does 2 cores), the rate falls by about the share fit scoring adds to it
  const cpu = (r: Run) => perEvent(r.workerS + r.postgresS + r.apiS);
  const cpuWithout = median(pairs.map((p) => cpu(p.without)));
  const cpuWith = median(pairs.map((p) => cpu(p.withFit)));
  const implied = change(cpuWith, cpuWithout);
  console.log(
    `CPU per event, api + worker + PostgreSQL (medians): without ${fmt(cpuWithout)} µs, with ${fmt(cpuWith)} µs: ${fmt(change(cpuWithout, cpuWith), 1)} %, ` +
      `so the rate CPU-bound: ${fmt(implied, 1)} % (target: ${implied >= TARGET ? 'MET' : 'MISSED'})`,
  );
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
