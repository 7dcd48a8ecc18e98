/**
 * Profile re-evaluation at scale, in one worker process (`dist/bench/profile.js`):
 *
 *   npm run bench:profile            (builds, then runs dist/bench/profile.js)
 *
 * BENCH_LEADS (default 100,000) leads in one OU with profile metadata (industry, employees, title, country, email,
 * phone; a few percent without any contact path), a primary profile ruleset of 10 rules (8 add_points, 2
 * hard_disqualify, one with a compound group) and 3 profile levels. Measures `ProfileScoring.reevaluateUnit` — the
 * code the `profile.reevaluate-unit` job runs after a profile ruleset or rule change — (1) on first scoring (every
 * lead changes) and (2) after a rule's weight changed (a third of the leads change score, some change level), and
 * checks the stored scores against an SQL recomputation. Target: ≤ 30 s for 100,000 leads after a rule change.
 *
 * A throwaway database `kenbun_bench_profile_<random>` is created on TEST_DATABASE_SERVER (default
 * postgres://postgres@127.0.0.1:5432) and dropped afterwards (BENCH_KEEP_DB=1 keeps it).
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
import { FirstRunService } from '../src/modules/identity';
import { ProfileScoring } from '../src/modules/scoring';
import { dropDatabase, ensureDatabase } from '../src/platform/database/ensure-database';

const LEADS = Number(process.env.BENCH_LEADS ?? 100_000);
const TARGET_S = 30;
const server = process.env.TEST_DATABASE_SERVER ?? 'postgres://postgres@127.0.0.1:5432';
const dbUrl = `${server.replace(/\/+$/, '')}/kenbun_bench_profile_${randomBytes(4).toString('hex')}`;
const UNIT = 'unit_default';
const RULESET = 'rs_bench_fit';

const fmt = (n: number, d = 0) => (Number.isFinite(n) ? n.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d }) : '-');
const seconds = (from: number) => (performance.now() - from) / 1000;

/** [property, condition, comparison_value, weight, rule_type, conditions] */
const RULES: [string, string, string, number, string, object | null][] = [
  ['industry', 'in', 'SaaS, Fintech, Healthtech', 20, 'add_points', null],
  ['employees', 'gte', '1000', 25, 'add_points', null],
  ['employees', 'gte', '100', 10, 'add_points', null],
  ['title', 'contains', 'vp', 15, 'add_points', null],
  ['title', 'starts_with', 'chief', 20, 'add_points', null],
  ['country', 'in', 'US, GB, DE, FR', 10, 'add_points', null],
  ['title', 'contains', 'intern', -10, 'add_points', null],
  ['industry', 'equals', 'Education', -5, 'add_points', null],
  ['email', 'is_empty', '', 0, 'hard_disqualify', { op: 'AND', items: [{ property: 'phone', condition: 'is_empty', comparison_value: '' }] }],
  ['company', 'equals', 'Rival Corp', 0, 'hard_disqualify', null],
];

async function seed(ds: DataSource, org: string, now: Date): Promise<void> {
  const at = now.toISOString();
  await ds.query(
    `INSERT INTO rulesets (id, org_id, unit_id, dimension, name, score_column, is_primary, active, score_floor_pct, created_at, updated_at)
     VALUES ($1, $2, $3, 'profile', 'Fit', 'profile_score', true, true, 0.5, $4, $4)`,
    [RULESET, org, UNIT, at],
  );
  for (const [i, [property, condition, value, weight, type, conditions]] of RULES.entries()) {
    await ds.query(
      `INSERT INTO rules (id, ruleset_id, org_id, unit_id, dimension, property, condition, comparison_value, weight, rule_type, conditions, ui_order,
                          active, priority, filters, created_at, updated_at)
       VALUES ($1, $2, $3, $4, 'profile', $5, $6, $7, $8, $9, $10::jsonb, $11, true, $11, '[]'::jsonb, $12, $12)`,
      [`rl_bench_${i}`, RULESET, org, UNIT, property, condition, value, weight, type, conditions ? JSON.stringify(conditions) : null, i, at],
    );
  }
  for (const [i, [name, min, max]] of (
    [
      ['Poor fit', -100, 19],
      ['Fair fit', 20, 49],
      ['Strong fit', 50, null],
    ] as const
  ).entries()) {
    await ds.query(
      `INSERT INTO levels (id, org_id, unit_id, kind, ruleset_id, name, min_score, max_score, position, created_at, updated_at)
       VALUES ($1, $2, $3, 'profile', $4, $5, $6, $7, $8, $9, $9)`,
      [`lvl_bench_${i}`, org, UNIT, RULESET, name, min, max, i, at],
    );
  }
  await ds.query(
    `INSERT INTO leads (id, org_id, unit_id, lead_id, metadata, status, created_at, updated_at)
     SELECT $2 || '-' || lpad(g::text, 8, '0'), $1, $2, 'ld_fit_' || g,
            jsonb_strip_nulls(jsonb_build_object(
              'industry', (ARRAY['SaaS', 'Fintech', 'Retail', 'Education', 'Healthtech', 'Manufacturing'])[1 + g % 6],
              'employees', ((hashint4(g) & 65535) % 5000)::text,
              'title', (ARRAY['VP Sales', 'Chief Revenue Officer', 'Engineer', 'Marketing Intern', 'Director', 'svp growth', 'Analyst'])[1 + g % 7],
              'country', (ARRAY['US', 'GB', 'DE', 'FR', 'IN', 'BR', 'JP', 'us'])[1 + (g / 7) % 8],
              'company', CASE WHEN g % 97 = 0 THEN 'Rival Corp' ELSE 'Company ' || (g % 5000) END,
              'email', CASE WHEN g % 23 = 0 THEN NULL ELSE 'p' || g || '@example.com' END,
              'phone', CASE WHEN g % 23 = 0 OR g % 2 = 0 THEN NULL ELSE '+1555' || g END)),
            'active', $3::timestamptz, $3::timestamptz
       FROM generate_series(1, $4) g`,
    [org, UNIT, at, LEADS],
  );
  await ds.query(`VACUUM ANALYZE leads`);
}

/** The expected profile score of every lead in SQL (the rules above, written out), for the check. */
const EXPECTED_SQL = `
  (CASE WHEN lower(metadata->>'industry') IN ('saas', 'fintech', 'healthtech') THEN 20 ELSE 0 END)
  + (CASE WHEN (metadata->>'employees')::int >= 1000 THEN $1::int ELSE 0 END)
  + (CASE WHEN (metadata->>'employees')::int >= 100 THEN 10 ELSE 0 END)
  + (CASE WHEN lower(metadata->>'title') LIKE '%vp%' THEN 15 ELSE 0 END)
  + (CASE WHEN lower(metadata->>'title') LIKE 'chief%' THEN 20 ELSE 0 END)
  + (CASE WHEN lower(metadata->>'country') IN ('us', 'gb', 'de', 'fr') THEN 10 ELSE 0 END)
  + (CASE WHEN lower(metadata->>'title') LIKE '%intern%' THEN -10 ELSE 0 END)
  + (CASE WHEN lower(metadata->>'industry') = 'education' THEN -5 ELSE 0 END)`;

async function check(ds: DataSource, bigWeight: number): Promise<{ wrong: number; dq: number; dqWrong: number; levels: string }> {
  const [r] = await ds.query(
    `SELECT count(*) FILTER (WHERE profile_score <> ${EXPECTED_SQL})::int AS wrong,
            count(*) FILTER (WHERE disqualified)::int AS dq,
            count(*) FILTER (WHERE disqualified <> ((metadata->>'email' IS NULL AND metadata->>'phone' IS NULL) OR metadata->>'company' = 'Rival Corp'))::int AS dq_wrong
       FROM leads WHERE unit_id = '${UNIT}'`,
    [bigWeight],
  );
  const levels = await ds.query(`SELECT coalesce(profile_level, '(none)') AS level, count(*)::int AS n FROM leads WHERE unit_id = $1 GROUP BY 1 ORDER BY 1`, [
    UNIT,
  ]);
  return { wrong: r.wrong, dq: r.dq, dqWrong: r.dq_wrong, levels: levels.map((l: { level: string; n: number }) => `${l.level} ${fmt(l.n)}`).join(', ') };
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
    const [{ version }] = await ds.query('SELECT version()');
    const settings = (
      await ds.query(
        `SELECT name, setting, unit FROM pg_settings WHERE name IN ('shared_buffers', 'work_mem', 'max_parallel_workers_per_gather', 'synchronous_commit', 'jit')`,
      )
    )
      .map((r: { name: string; setting: string; unit: string | null }) => `${r.name}=${r.setting}${r.unit ?? ''}`)
      .join(', ');
    const cpus = os.cpus();
    console.log('kenbun profile re-evaluation benchmark\n');
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

    let t0 = performance.now();
    await seed(ds, org, new Date());
    console.log(
      `data         ${fmt(LEADS)} leads in one OU, 1 primary profile ruleset of ${RULES.length} rules, 3 profile levels; generated in ${fmt(seconds(t0), 1)} s`,
    );
    const profiles = app.get(ProfileScoring);
    const run = async (label: string, bigWeight: number) => {
      let shown = 0;
      t0 = performance.now();
      const out = await profiles.reevaluateUnit(org, UNIT, async (done, total) => {
        if (performance.now() - shown > 5000 || done === total) {
          shown = performance.now();
          process.stdout.write(`    progress ${fmt(done)} / ${fmt(total)} leads\n`);
        }
      });
      const s = seconds(t0);
      const c = await check(ds, bigWeight);
      console.log(
        `${label} ${fmt(s, 2)} s wall = ${fmt(LEADS / s)} leads/s; ${fmt(out.scores_changed)} scores changed, ${fmt(out.disqualified)} disqualified, ${fmt(out.requalified)} re-qualified`,
      );
      console.log(
        `             check: ${fmt(c.wrong)} scores differing from the SQL recomputation (must be 0), ${fmt(c.dq)} disqualified (${fmt(c.dqWrong)} wrong, must be 0)`,
      );
      console.log(`             levels: ${c.levels}`);
      return { s, ok: c.wrong === 0 && c.dqWrong === 0 };
    };
    await run('(1) first scoring:', 25);
    // a rule change as the API makes it (the projection of RuleUpdated writes this row); the job then runs
    await ds.query(`UPDATE rules SET weight = 40, updated_at = now() WHERE id = 'rl_bench_1'`);
    const second = await run('(2) after a rule change:', 40);
    const met = second.ok && second.s <= TARGET_S;
    console.log(`\ntarget: ${fmt(LEADS)} leads re-evaluated after a rule change in <= ${TARGET_S} s: ${met ? 'MET' : 'MISSED'}`);
  } finally {
    await stop();
  }
  console.log(
    `Total run time ${fmt(seconds(started), 1)} s; ${process.env.BENCH_KEEP_DB ? 'database kept' : 'database dropped'}. The machine is shared: figures are under whatever load it had.`,
  );
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
