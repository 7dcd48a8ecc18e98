/**
 * Inactivity decay and rescoring at scale, in one worker process (`dist/bench/decay.js`):
 *
 *   npm run bench:decay            (builds, then runs dist/bench/decay.js)
 *
 * (1) `decay.apply` (the hourly job, called as an operator's run would call it) over BENCH_LEADS (default 1,000,000)
 *     leads in one OU, BENCH_INACTIVE_PCT (default 10) % of them inactive for 1–2 periods of the one rule (7 days,
 *     −25), two engagement rulesets with scores of 0–100 (so the floor bites for some): leads/s over the OU, wall
 *     time, DECAY events written; then the same run again (the steady hourly case: nothing new is due).
 * (2) score-now of one ruleset (RescoreService, the code the score-now queue job runs) over BENCH_EVENTS (default
 *     1,000,000) stored events of BENCH_EVENTS / 10 leads in another OU, after every rule's weight doubled (every
 *     contribution changes): the job's wall time, then until the lead-events projection has applied the rescores
 *     (scores visible), and a check that every contribution was rescored.
 *
 * Data is generated with SQL (generate_series) straight into the read models (and one LeadCreated per lead of (2)
 * in the event store: its aggregate loads are a one-event stream, lighter than a real lead's history). A throwaway
 * database `kenbun_bench_decay_<random>` is created on TEST_DATABASE_SERVER (default postgres://postgres@127.0.0.1:5432)
 * and dropped afterwards (BENCH_KEEP_DB=1 keeps it). BENCH_SKIP_RESCORE=1 runs (1) only.
 */
import 'reflect-metadata';
import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { DataSource } from 'typeorm';
import { AppModule } from '../src/app.module';
import { AppConfig } from '../src/config/app-config';
import { DecayApplyJob } from '../src/modules/decays';
import { FirstRunService } from '../src/modules/identity';
import { RescoreService } from '../src/modules/scoring/rescore.service';
import { dropDatabase, ensureDatabase } from '../src/platform/database/ensure-database';

const LEADS = Number(process.env.BENCH_LEADS ?? 1_000_000);
const INACTIVE_PCT = Number(process.env.BENCH_INACTIVE_PCT ?? 10);
const EVENTS = Number(process.env.BENCH_EVENTS ?? 1_000_000);
const EVENTS_PER_LEAD = 10;
const TARGET_DECAY_LPS = 20_000;
const TARGET_RESCORE_S = 60;
const server = process.env.TEST_DATABASE_SERVER ?? 'postgres://postgres@127.0.0.1:5432';
const dbUrl = `${server.replace(/\/+$/, '')}/kenbun_bench_decay_${randomBytes(4).toString('hex')}`;
const DECAY_UNIT = 'unit_default';
const RESCORE_UNIT = 'unit_bench_rescore';
const TYPES = ['Page View', 'Email Open', 'Form Submit', 'Webinar'];

const fmt = (n: number, d = 0) => (Number.isFinite(n) ? n.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d }) : '-');
const seconds = (from: number) => (performance.now() - from) / 1000;

/** Bulk load without the tables' secondary indexes, then rebuild them exactly as the migrations defined them. */
async function bulkLoad(ds: DataSource, tables: string[], load: () => Promise<void>): Promise<void> {
  const indexes: { indexname: string; indexdef: string }[] = await ds.query(
    `SELECT i.indexname, i.indexdef FROM pg_indexes i
      WHERE i.schemaname = 'public' AND i.tablename = ANY($1::text[])
        AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)`,
    [tables],
  );
  for (const i of indexes) await ds.query(`DROP INDEX ${i.indexname}`);
  await load();
  const runner = ds.createQueryRunner();
  try {
    await runner.query(`SET maintenance_work_mem = '512MB'`);
    for (const i of indexes) await runner.query(i.indexdef);
  } finally {
    await runner.query(`RESET maintenance_work_mem`).catch(() => undefined);
    await runner.release();
  }
  for (const t of tables) await ds.query(`VACUUM ANALYZE ${t}`);
}

async function ruleset(ds: DataSource, org: string, unit: string, id: string, name: string, primary: boolean, now: Date): Promise<void> {
  await ds.query(
    `INSERT INTO rulesets (id, org_id, unit_id, dimension, name, score_column, is_primary, active, created_at, updated_at)
     VALUES ($1, $2, $3, 'engagement', $4, 'total_score', $5, true, $6, $6)`,
    [id, org, unit, name, primary, now.toISOString()],
  );
}

/** (1): leads active within the last 6 days, except INACTIVE_PCT % idle for 8–20 days (1 or 2 periods of 7 days). */
async function seedDecay(ds: DataSource, org: string, now: Date): Promise<void> {
  const p = [org, DECAY_UNIT, LEADS, now.toISOString(), INACTIVE_PCT];
  await ruleset(ds, org, DECAY_UNIT, 'rs_bench_main', 'Main', true, now);
  await ruleset(ds, org, DECAY_UNIT, 'rs_bench_webinars', 'Webinars', false, now);
  await bulkLoad(ds, ['leads', 'lead_scores'], async () => {
    await ds.query(
      `INSERT INTO leads (id, org_id, unit_id, lead_id, metadata, status, last_event_at, last_event_type, event_count, created_at, updated_at, score)
       SELECT $2 || '-' || lpad(g::text, 8, '0'), $1, $2, 'ld_' || md5($2 || g::text), '{}'::jsonb, 'active',
              $4::timestamptz - CASE WHEN g % 100 < $5 THEN interval '8 days' + (hashint4(g) & 65535) * interval '15 seconds'
                                      ELSE (hashint4(g) & 65535) * interval '7 seconds' END,
              'Page View', 1 + g % 40, $4::timestamptz - interval '400 days', $4::timestamptz, (hashint4(g * 31) & 127) % 101
         FROM generate_series(1, $3) g`,
      p.slice(0, 5),
    );
    for (const [rs, salt] of [
      ['rs_bench_main', 31],
      ['rs_bench_webinars', 37],
    ] as const) {
      await ds.query(
        `INSERT INTO lead_scores (lead_ref, ruleset_id, org_id, unit_id, score, decays, event_count, computed_at, terms)
         SELECT $2 || '-' || lpad(g::text, 8, '0'), $5, $1, $2, x.score, false, 1 + g % 40, $4::timestamptz, jsonb_build_object('0', x.score)
           FROM generate_series(1, $3) g, LATERAL (SELECT ((hashint4(g * ${salt}) & 127) % 101)::float8 AS score) x`,
        [...p.slice(0, 4), rs],
      );
    }
  });
  await ds.query(
    `INSERT INTO decay_rules (id, org_id, unit_id, name, inactive_for, unit, decrease, active) VALUES ('dc_bench_weekly', $1, $2, 'Weekly', 7, 'days', 25, true)`,
    [org, DECAY_UNIT],
  );
}

/** (2): EVENTS events of EVENTS / 10 leads over the last 30 days, scored by one ruleset of four rules. */
async function seedRescore(ds: DataSource, org: string, now: Date): Promise<void> {
  const leads = Math.ceil(EVENTS / EVENTS_PER_LEAD);
  await ds.query(`INSERT INTO org_units (id, org_id, name, slug) VALUES ($1, $2, 'Rescore bench', 'rescore-bench')`, [RESCORE_UNIT, org]);
  await ruleset(ds, org, RESCORE_UNIT, 'rs_bench_rescore', 'Rescored', true, now);
  for (const [i, type] of TYPES.entries()) {
    await ds.query(
      `INSERT INTO rules (id, ruleset_id, org_id, unit_id, event_type, event_type_key, weight, active, priority, created_at, updated_at)
       VALUES ($1, 'rs_bench_rescore', $2, $3, $4, $5, $6, true, $7, $8, $8)`,
      [`rule_bench_${i}`, org, RESCORE_UNIT, type, type.toLowerCase().replace(/ /g, '_'), i + 1, i, now.toISOString()],
    );
  }
  const types = `(ARRAY[${TYPES.map((x) => `'${x}'`).join(', ')}])`;
  const p = [org, RESCORE_UNIT, leads, now.toISOString()];
  await bulkLoad(ds, ['leads', 'lead_events', 'event_scores', 'lead_scores', 'event_store_events'], async () => {
    await ds.query(
      `INSERT INTO leads (id, org_id, unit_id, lead_id, metadata, status, last_event_at, last_event_type, event_count, created_at, updated_at, score)
       SELECT $2 || '-' || lpad(g::text, 8, '0'), $1, $2, 'ld_rs_' || g, '{}'::jsonb, 'active', $4::timestamptz, 'Page View', ${EVENTS_PER_LEAD},
              $4::timestamptz - interval '40 days', $4::timestamptz, 0
         FROM generate_series(1, $3) g`,
      p,
    );
    await ds.query(
      `INSERT INTO event_store_events (event_id, stream_id, stream_type, stream_version, event_type, payload, metadata, org_id, unit_id, occurred_at)
       SELECT gen_random_uuid(), $2 || '-' || lpad(g::text, 8, '0'), 'lead', 1, 'LeadCreated',
              jsonb_build_object('lead_id', 'ld_rs_' || g, 'metadata', '{}'::jsonb, 'account_id', NULL, 'source', 'api'),
              jsonb_build_object('org_id', $1::text, 'unit_id', $2::text), $1, $2, $4::timestamptz - interval '40 days'
         FROM generate_series(1, $3) g`,
      p,
    );
    await ds.query(
      `INSERT INTO lead_events (event_id, org_id, unit_id, lead_ref, lead_id, event_type, event_type_key, occurred_at, received_at, recorded_at, metadata, channel, source)
       SELECT gen_random_uuid(), $1, $2, $2 || '-' || lpad(((e - 1) / ${EVENTS_PER_LEAD} + 1)::text, 8, '0'), 'ld_rs_' || ((e - 1) / ${EVENTS_PER_LEAD} + 1),
              ${types}[1 + e % 4], lower(replace(${types}[1 + e % 4], ' ', '_')),
              $4::timestamptz - (hashint4(e) & 65535) * interval '39 seconds', $4::timestamptz, $4::timestamptz, '{}'::jsonb, 'web', 'api'
         FROM generate_series(1, $3::int * ${EVENTS_PER_LEAD}) e`,
      p,
    );
    await ds.query(
      `INSERT INTO event_scores (event_id, ruleset_id, org_id, unit_id, lead_ref, rule_id, base_points, multiplier, half_life_days, occurred_at)
       SELECT le.event_id, 'rs_bench_rescore', le.org_id, le.unit_id, le.lead_ref, r.id, r.weight, 1, NULL, le.occurred_at
         FROM lead_events le JOIN rules r ON r.ruleset_id = 'rs_bench_rescore' AND r.event_type_key = le.event_type_key
        WHERE le.unit_id = $1`,
      [RESCORE_UNIT],
    );
    await ds.query(
      `INSERT INTO lead_scores (lead_ref, ruleset_id, org_id, unit_id, score, decays, event_count, computed_at, terms)
       SELECT lead_ref, ruleset_id, org_id, unit_id, sum(base_points), false, count(*), $2::timestamptz, jsonb_build_object('0', sum(base_points))
         FROM event_scores WHERE unit_id = $1 GROUP BY lead_ref, ruleset_id, org_id, unit_id`,
      [RESCORE_UNIT, now.toISOString()],
    );
  });
}

/** Until every projection has applied everything in the store (polls the checkpoints). */
async function projectionsCaughtUp(ds: DataSource, names: string[] | null, timeoutS: number): Promise<boolean> {
  const deadline = performance.now() + timeoutS * 1000;
  for (;;) {
    const [{ behind }] = await ds.query(
      `SELECT count(*)::int AS behind FROM projection_checkpoints c
        WHERE ($1::text[] IS NULL OR c.name = ANY($1::text[])) AND c.last_position < (SELECT coalesce(max(global_position), 0) FROM event_store_events)`,
      [names],
    );
    if (!behind) return true;
    if (performance.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function main(): Promise<void> {
  const started = performance.now();
  await ensureDatabase(dbUrl);
  Object.assign(process.env, {
    DATABASE_URL: dbUrl,
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
    SCHEDULER_ENABLED: 'false',
    KENBUN_ADMIN_EMAIL: 'bench@example.com',
    KENBUN_ADMIN_PASSWORD: 'bench-admin-password',
    QUEUE_PREFIX: `bench_${randomBytes(3).toString('hex')}`,
  });
  let app: INestApplicationContext | undefined;
  const stop = async () => {
    await app?.close().catch(() => undefined);
    if (process.env.BENCH_KEEP_DB) console.log(`database kept: ${dbUrl}`);
    else await dropDatabase(dbUrl);
  };
  const onSignal = (signal: NodeJS.Signals) => {
    process.stderr.write(`\n${signal}: stopping and dropping the database\n`);
    stop().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    app = await NestFactory.createApplicationContext(AppModule.forRoles(AppConfig.fromProcess(), ['worker']), { logger: ['error', 'warn'] });
    const ds = app.get(DataSource);
    const created = await app.get(FirstRunService).ensure();
    const org = created?.orgId ?? (await ds.query(`SELECT org_id FROM org_units WHERE id = 'unit_default'`))[0].org_id;
    const now = new Date();

    const [{ version }] = await ds.query('SELECT version()');
    const settings = (
      await ds.query(
        `SELECT name, setting, unit FROM pg_settings WHERE name IN ('shared_buffers', 'work_mem', 'max_parallel_workers_per_gather', 'synchronous_commit', 'jit')`,
      )
    )
      .map((r: { name: string; setting: string; unit: string | null }) => `${r.name}=${r.setting}${r.unit ?? ''}`)
      .join(', ');
    const cpus = os.cpus();
    console.log('kenbun decay and rescore benchmark\n');
    console.log(
      `CPU          ${cpus[0]?.model ?? 'unknown'} x ${cpus.length} (load average ${os
        .loadavg()
        .map((x) => x.toFixed(2))
        .join(' ')})`,
    );
    console.log(`memory       ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`);
    console.log(`Node.js      ${process.version}`);
    console.log(`PostgreSQL   ${version}`);
    console.log(`PG settings  ${settings}\n`);

    // (1) decay.apply
    let t0 = performance.now();
    await seedDecay(ds, org, now);
    const [{ inactive }] = await ds.query(
      `SELECT count(*)::int AS inactive FROM leads WHERE unit_id = $1 AND last_event_at <= $2::timestamptz - interval '7 days'`,
      [DECAY_UNIT, now.toISOString()],
    );
    console.log(
      `(1) data     ${fmt(LEADS)} leads in one OU, ${fmt(inactive)} inactive ≥ 7 days, 2 engagement rulesets, rule −25 per 7 days; generated in ${fmt(seconds(t0), 1)} s`,
    );
    const job = app.get(DecayApplyJob);
    let lastLog = 0;
    const progress = {
      trigger: 'manual' as const,
      progress: (done: number, total?: number) => {
        if (performance.now() - lastLog > 5000 || done === total) {
          lastLog = performance.now();
          process.stdout.write(`    progress ${fmt(done)} / ${fmt(total ?? 0)} inactive leads\n`);
        }
      },
    };
    t0 = performance.now();
    const first = await job.apply(progress);
    const firstS = seconds(t0);
    t0 = performance.now();
    const second = await job.apply(progress);
    const secondS = seconds(t0);
    const [check] = await ds.query(
      `SELECT count(*)::int AS events, count(DISTINCT lead_ref)::int AS leads FROM lead_events WHERE unit_id = $1 AND event_type = 'DECAY'`,
      [DECAY_UNIT],
    );
    const [negative] = await ds.query(`SELECT count(*)::int AS n FROM lead_scores WHERE unit_id = $1 AND score < 0`, [DECAY_UNIT]);
    // each spell's charged periods add up to the last period charged: no period was charged twice
    const [ledger] = await ds.query(
      `SELECT count(*)::int AS spells, count(*) FILTER (WHERE periods <> last_k)::int AS inconsistent
         FROM (SELECT sum(periods) AS periods, max(k) AS last_k FROM decay_applications GROUP BY lead_ref, decay_id, ruleset_id, inactive_since) x`,
    );
    const lps = LEADS / firstS;
    console.log(
      `(1) decay.apply, first run:  ${fmt(firstS, 2)} s wall = ${fmt(lps)} leads/s over the OU (target >= ${fmt(TARGET_DECAY_LPS)}: ${lps >= TARGET_DECAY_LPS ? 'MET' : 'MISSED'})`,
    );
    console.log(
      `                             ${fmt(Number(first.leads_scanned))} inactive leads read (${fmt(Number(first.leads_scanned) / firstS)} /s), ${fmt(Number(first.leads_decayed))} decayed,`,
    );
    console.log(
      `                             ${fmt(Number(first.applications))} applications, ${fmt(Number(first.events_written))} DECAY events written, ${fmt(Number(first.points_subtracted))} points subtracted`,
    );
    console.log(
      `(1) decay.apply, second run: ${fmt(secondS, 2)} s wall = ${fmt(LEADS / secondS)} leads/s; ${fmt(Number(second.events_written))} events written ` +
        `(only leads whose next period ended in the ${fmt(firstS, 0)} s between the runs)`,
    );
    console.log(`    stored: ${fmt(check.events)} DECAY events on ${fmt(check.leads)} leads; ${fmt(negative.n)} negative ruleset scores (must be 0)`);
    console.log(`    ledger: ${fmt(ledger.spells)} (lead, rule, ruleset, spell) rows, ${fmt(ledger.inconsistent)} with a period charged twice (must be 0)\n`);

    // (2) score-now
    if (!process.env.BENCH_SKIP_RESCORE) {
      t0 = performance.now();
      await seedRescore(ds, org, now);
      const genS = seconds(t0);
      const settled = await projectionsCaughtUp(ds, null, 300);
      console.log(
        `(2) data     ${fmt(EVENTS)} stored events of ${fmt(Math.ceil(EVENTS / EVENTS_PER_LEAD))} leads, 1 ruleset of 4 rules; generated in ${fmt(genS, 1)} s${settled ? '' : ' (projections still catching up)'}`,
      );
      await ds.query(`UPDATE rules SET weight = weight * 2, updated_at = now() WHERE ruleset_id = 'rs_bench_rescore'`);
      const head = Number((await ds.query(`SELECT coalesce(max(global_position), 0) AS p FROM event_store_events`))[0].p);
      let shown = 0;
      t0 = performance.now();
      const result = await app
        .get(RescoreService)
        .rescoreRuleset(
          org,
          RESCORE_UNIT,
          'rs_bench_rescore',
          'bench',
          { org_id: org, unit_id: RESCORE_UNIT, actor: 'bench', correlation_id: 'bench' },
          async (done, total) => {
            if (performance.now() - shown > 5000 || done === total) {
              shown = performance.now();
              process.stdout.write(`    progress ${fmt(done)} / ${fmt(total)} leads\n`);
            }
          },
        );
      const jobS = seconds(t0);
      const visible = await projectionsCaughtUp(ds, ['lead-events'], 1800);
      const allS = seconds(t0);
      const [after] = await ds.query(
        `SELECT count(*)::int AS n, count(*) FILTER (WHERE s.base_points = r.weight)::int AS doubled, (SELECT count(*) FROM event_store_events WHERE global_position > $2)::int AS appended
           FROM event_scores s JOIN rules r ON r.id = s.rule_id WHERE s.unit_id = $1`,
        [RESCORE_UNIT, head],
      );
      console.log(
        `(2) score-now: job ${fmt(jobS, 1)} s (${fmt(EVENTS / jobS)} events/s; ${fmt(result.leads_changed)} leads, ${fmt(result.events_changed)} events changed, ${fmt(after.appended)} LeadRescored appended)`,
      );
      console.log(
        `               scores visible after ${fmt(allS, 1)} s${visible ? '' : ' (NOT caught up: timed out)'} (target <= ${TARGET_RESCORE_S} s: ${visible && allS <= TARGET_RESCORE_S ? 'MET' : 'MISSED'}); ${fmt(after.doubled)} of ${fmt(after.n)} contributions rescored`,
      );
    }
  } finally {
    await stop();
  }
  console.log(
    `\nTotal run time ${fmt(seconds(started), 1)} s; ${process.env.BENCH_KEEP_DB ? 'database kept' : 'database dropped'}. The machine is shared: figures are under whatever load it had.`,
  );
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
