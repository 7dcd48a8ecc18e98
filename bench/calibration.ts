/**
 * Calibration at scale (issue 16): `calibration.run` on one OU with BENCH_LEADS (default 100,000) leads,
 * BENCH_EVENTS (default 1,000,000) scored events and BENCH_RULESETS (default 3) engagement rulesets of
 * BENCH_RULES (default 20) rules each, against the built api and worker processes.
 *
 *   npm run bench:calibration        (builds, then runs dist/bench/calibration.js)
 *   BENCH_LEADS=10000 BENCH_EVENTS=100000 npm run bench:calibration   (a quick run)
 *
 * The api migrates a throwaway database and creates the first organization; the rulesets and rules are created over
 * HTTP, the conversion definition (event_type_match "Signed Up") too. Leads, their events (rule types "Signal 01"…,
 * one in ten leads converting and favouring the first five signals) and each event's contribution under every ruleset
 * (`event_scores`, what the scoring pipeline writes) are generated with SQL straight into the read models, the
 * secondary indexes rebuilt and the tables VACUUM ANALYZEd. Then the `calibration.run` job is run by hand through
 * `POST /admin/scheduled-jobs/calibration.run/run` (target <= 30 s) and run a second time to show that memory stays
 * flat; wall time, the worker's CPU seconds and peak RSS are printed per run.
 *
 * Settings: BENCH_LEADS, BENCH_EVENTS, BENCH_RULESETS, BENCH_RULES, BENCH_KEEP_DB=1 keeps the database.
 */
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { Client } from 'pg';
import { fmt, freePort, int, sleep } from './support/common';
import { environmentPairs, loadAverage, printPairs } from './support/environment';
import { json } from './support/http';
import { BenchRun, runBench } from './support/processes';
import { adminBearer, seedCredential } from './support/workload';
import { bulkLoad } from './support/bulk-load';

const LEADS = int('BENCH_LEADS', 100_000);
const EVENTS = int('BENCH_EVENTS', 1_000_000);
const RULESETS = int('BENCH_RULESETS', 3);
const RULES = int('BENCH_RULES', 20);
const OPS = { user: 'bench-ops', password: 'bench-ops-password' };
const UNIT = 'unit_default';

const signal = (i: number) => `Signal ${String(i).padStart(2, '0')}`;
const leadRef = (g: string) => `'${UNIT}-' || lpad(${g}::text, 8, '0')`;

/**
 * Lead g converts when g % 10 = 0 (one "Signed Up" event); half of a converting lead's events are among the first five
 * signals, so those rules show lift > 1 and the others < 1.
 */
async function generate(pg: Client, orgId: string, now: Date): Promise<void> {
  const p = [orgId, UNIT, LEADS, now.toISOString()];
  process.stdout.write(`generating ${fmt(LEADS)} leads ... `);
  await pg.query(
    `INSERT INTO leads (id, org_id, unit_id, lead_id, metadata, status, last_event_at, last_event_type, event_count, created_at, updated_at)
     SELECT ${leadRef('g')}, $1, $2, 'ld_' || md5($2 || g::text), jsonb_build_object('plan', CASE WHEN g % 3 = 0 THEN 'pro' ELSE 'free' END),
            'active', $4::timestamptz - interval '1 hour', 'Signal 01', 10, $4::timestamptz - interval '120 days', $4::timestamptz
       FROM generate_series(1, $3) g`,
    p,
  );
  process.stdout.write('done\n');
  const chunk = 1_000_000;
  const types = `(SELECT array_agg('Signal ' || lpad(i::text, 2, '0') ORDER BY i) FROM generate_series(1, ${RULES}) i)`;
  for (let from = 1; from <= EVENTS; from += chunk) {
    const to = Math.min(EVENTS, from + chunk - 1);
    process.stdout.write(`\rgenerating events ${fmt(from - 1)} / ${fmt(EVENTS)} ...`);
    await pg.query(
      `WITH types AS (SELECT ${types} AS t)
       INSERT INTO lead_events (event_id, org_id, unit_id, lead_ref, lead_id, event_type, event_type_key, occurred_at, received_at, recorded_at, metadata, channel, source)
       SELECT md5('ev' || e)::uuid, $1, $2, ${leadRef('l')}, 'ld_' || md5($2 || l::text), tt, lower(replace(tt, ' ', '_')), at, at, at, '{}'::jsonb, 'web', 'api'
         FROM (SELECT e, l, at,
                      (SELECT t FROM types)[CASE WHEN l % 10 = 0 AND e % 2 = 0 THEN 1 + (hashint4(e * 37) & 2147483647) % least(5, ${RULES})
                                                 ELSE 1 + (hashint4(e * 37) & 2147483647) % ${RULES} END] AS tt
                 FROM (SELECT e, 1 + (hashint4(e * 29) & 2147483647) % $3 AS l,
                              $4::timestamptz - interval '1 hour' - (hashint4(e * 41) & 2147483647) % (80 * 86400) * interval '1 second' AS at
                         FROM generate_series($5::int, $6::int) e) x) y`,
      [...p, from, to],
    );
  }
  process.stdout.write(`\rgenerating events ${fmt(EVENTS)} / ${fmt(EVENTS)} done\n`);
  await pg.query(
    `INSERT INTO lead_events (event_id, org_id, unit_id, lead_ref, lead_id, event_type, event_type_key, occurred_at, received_at, recorded_at, metadata, channel, source)
     SELECT md5('su' || g)::uuid, $1, $2, ${leadRef('g')}, 'ld_' || md5($2 || g::text), 'Signed Up', 'signed_up', at, at, at, '{}'::jsonb, 'web', 'api'
       FROM (SELECT g, $4::timestamptz - interval '30 minutes' AS at FROM generate_series(10, $3, 10) g) s`,
    p,
  );
  await pg.query(
    `INSERT INTO event_type_stats (unit_id, key, org_id, name, event_count, first_seen, last_seen)
     SELECT $2, event_type_key, $1, min(event_type), count(*), min(occurred_at), max(occurred_at) FROM lead_events GROUP BY event_type_key`,
    [orgId, UNIT],
  );
  process.stdout.write('generating contributions (event_scores) ... ');
  await pg.query(
    `INSERT INTO event_scores (event_id, ruleset_id, org_id, unit_id, lead_ref, rule_id, base_points, multiplier, half_life_days, occurred_at)
     SELECT e.event_id, r.ruleset_id, e.org_id, e.unit_id, e.lead_ref, r.id, r.weight, 1, NULL, e.occurred_at
       FROM lead_events e JOIN rules r ON r.unit_id = e.unit_id AND r.event_type_key = e.event_type_key
      WHERE e.unit_id = $1`,
    [UNIT],
  );
  process.stdout.write('done\n');
}

const bench = new BenchRun('calibration');
runBench(bench, async () => {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
  const opsAuth = 'Basic ' + Buffer.from(`${OPS.user}:${OPS.password}`).toString('base64');
  const env = { QUEUE_DASHBOARD_USER: OPS.user, QUEUE_DASHBOARD_PASSWORD: OPS.password };
  await bench.startApi(1, await freePort(), env);
  const worker = await bench.startWorker(1, env);
  const admin = await adminBearer(agent);
  const auth = await seedCredential(agent, admin, 'bench-calibration');

  const rulesetIds: string[] = [];
  for (let s = 1; s <= RULESETS; s++) {
    const rs = await json(agent, 'POST', '/rulesets', auth, { name: `Engagement ${s}` });
    rulesetIds.push(rs.ruleset_id);
    for (let i = 1; i <= RULES; i++)
      await json(agent, 'POST', '/rules', auth, { ruleset_id: rs.ruleset_id, event_type: signal(i), weight: 1 + ((i * s * 7) % 30) });
  }

  const pg = new Client({ connectionString: bench.dbUrl });
  pg.on('error', () => undefined);
  await pg.connect();
  bench.ownBackend((await pg.query('SELECT pg_backend_pid() AS pid')).rows[0].pid);
  const [{ org_id: orgId }] = (await pg.query(`SELECT org_id FROM rulesets WHERE id = $1`, [rulesetIds[0]])).rows;
  const now = new Date();

  bench.enter('generate');
  let t0 = performance.now();
  const indexSeconds = await bulkLoad(pg, ['leads', 'lead_events', 'event_scores', 'event_type_stats'], () => generate(pg, orgId, now));
  for (const t of ['leads', 'lead_events', 'event_scores', 'event_type_stats']) await pg.query(`VACUUM ANALYZE ${t}`);
  const genSeconds = (performance.now() - t0) / 1000;
  const [{ size }] = (await pg.query(`SELECT pg_size_pretty(pg_database_size(current_database())) AS size`)).rows;
  const [{ n: contributions }] = (await pg.query(`SELECT count(*)::int AS n FROM event_scores`)).rows;

  await json(agent, 'PUT', '/settings/ou/conversion-definition', auth, { conversion_type: 'event_type_match', event_type_id: 'Signed Up', lookback_days: 90 });

  console.log('\nkenbun calibration benchmark\n');
  printPairs([
    ...(await environmentPairs(pg, bench.redisUrl)),
    [
      'data',
      `${fmt(LEADS)} leads, ${fmt(EVENTS)} events, ${fmt(contributions)} contributions, ${RULESETS} rulesets × ${RULES} rules in one OU; database ${size}`,
    ],
    ['generated', `in ${fmt(genSeconds, 1)} s (of which index builds ${fmt(indexSeconds, 1)} s), load ${loadAverage()}`],
  ]);
  console.log();

  const results: [string, string, string, string][] = [];
  for (const pass of ['calibration.run #1', 'calibration.run #2']) {
    bench.enter(pass);
    t0 = performance.now();
    let run = await json(agent, 'POST', '/admin/scheduled-jobs/calibration.run/run', opsAuth, undefined, [200, 201, 202]);
    while (run.run_id && !['succeeded', 'failed', 'skipped'].includes(run.status)) {
      await sleep(500);
      run = { ...(await json(agent, 'GET', `/admin/scheduled-jobs/calibration.run/runs/${run.run_id}`, opsAuth, undefined, [200, 202])), run_id: run.run_id };
    }
    const seconds = (performance.now() - t0) / 1000;
    if (run.status !== 'succeeded') throw new Error(`calibration.run ${run.status}: ${JSON.stringify(run)}`);
    const peak = worker.peaks.get(pass) ?? 0;
    results.push([`${pass} (${JSON.stringify(run.result)})`, fmt(seconds, 2), `${fmt(peak / 1024)} MiB`, seconds <= 30 ? 'MET (<= 30 s)' : 'MISSED (<= 30 s)']);
  }
  bench.enter('end');

  // what the run found, as a sanity check: the favoured signals have lift > 1
  const top = (
    await pg.query(
      `SELECT r.event_type, x.sample_size, x.conversions_count, round(x.raw_lift::numeric, 3) AS lift, x.confidence, x.weight_at_run, x.suggested_weight
         FROM calibration_rule_results x JOIN rules r ON r.id = x.rule_id
        WHERE x.ruleset_id = $1 AND x.run_id = (SELECT id FROM calibration_runs WHERE ruleset_id = $1 ORDER BY computed_at DESC LIMIT 1)
        ORDER BY r.event_type LIMIT 7`,
      [rulesetIds[0]],
    )
  ).rows;
  await pg.end();

  const headers = ['measure', 'wall s', 'worker peak RSS', 'target'];
  const widths = headers.map((h, c) => Math.max(h.length, ...results.map((r) => r[c].length)));
  const line = (cells: string[]) => cells.map((x, c) => (c === 0 || c === 3 ? x.padEnd(widths[c]) : x.padStart(widths[c]))).join('  ');
  console.log('\n' + [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...results.map(line)].join('\n'));
  console.log('\nfirst rules of ruleset 1 (Signal 01–05 are favoured by converting leads):');
  for (const r of top)
    console.log(
      `  ${r.event_type}: sample ${fmt(r.sample_size)}, conversions ${fmt(r.conversions_count)}, lift ${r.lift}, ${r.confidence}, weight ${r.weight_at_run} → ${r.suggested_weight}`,
    );
  console.log('\nCPU seconds and peak RSS per process and phase:');
  // 'generate': the processes idle while the data is written (the baseline of the runs' peaks)
  for (const phase of ['generate', 'calibration.run #1', 'calibration.run #2']) {
    const m = bench.machine.get(phase);
    const procs = bench.procs.map((p) => `${p.role} ${fmt(p.cpu.get(phase) ?? 0, 2)} s / ${fmt((p.peaks.get(phase) ?? 0) / 1024)} MiB`).join(', ');
    console.log(`  ${phase.padEnd(20)} wall ${fmt(bench.phaseWall.get(phase) ?? 0, 1)} s; ${procs}; postgres ${fmt(m?.postgres ?? 0, 2)} s`);
  }
});
