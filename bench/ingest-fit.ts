/**
 * Issue 12's ingest target in one command: how much fit scoring (BENCH_FIT=1: 2 profile mappings and a primary profile
 * ruleset of 10 rules) lowers bench:ingest's end-to-end rate (b). Runs (b) alternately without and with it, BENCH_PAIRS
 * pairs (default 3), each run a separate bench:ingest process (its own database and server processes), and prints the
 * rate and the CPU per event of every run, the change per pair, and the change of the medians against the target
 * (no more than 10 % below).
 *
 *   npm run bench:ingest-fit                 (BENCH_PAIRS=5 for more; bench:ingest's settings pass through)
 *
 * One run is not enough on a small machine: on 2 cores single pairs spread over about ±5 points, and the machine
 * drifts between runs; alternating the order within each pair puts that drift on both sides.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fmt, gitCommit, int } from './support/common';
import { loadAverage, machinePairs, printPairs } from './support/environment';

const PAIRS = int('BENCH_PAIRS', 3);
const EVENTS = int('BENCH_E2E_EVENTS', 50_000);
const TARGET = -10;

interface Run {
  fit: boolean;
  rate: number;
  workerS: number;
  postgresS: number;
}

/** One bench:ingest (b) run; its figures read from what it prints. */
function runOnce(fit: boolean): Promise<Run> {
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
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
