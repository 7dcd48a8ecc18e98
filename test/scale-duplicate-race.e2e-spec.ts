import { Client } from 'pg';
import { LeadEvent } from '../src/modules/leads';
import { LeadStreamType } from '../src/modules/leads/domain/lead-events';
import { callProcess, processedBy, ServerProcess, serviceAccountOf, startMetricsWorker, startServerProcess, useProcessFixture } from './support/server-process';

const ADMIN = { email: 'dup-race@example.com', password: 'dup-race-test-admin-password' };
const LEADS = 50;
const ROUNDS = 6;

/**
 * The same client event id through two apis at the same moment, taken by two workers at the same moment.
 *
 * Worker A appends [a regular event, the duplicate] to a lead's stream; worker B, whose pre-check ran before A
 * committed, appends [the duplicate] alone to the same stream at the same expected version. B's INSERT waits on
 * the event-id unique index, then skips the row (ON CONFLICT (event_id) DO NOTHING). Before d57da67 the event
 * store's shortfall check took B's append for an idempotent resend (all its events stored, in that stream) and
 * answered success: B counted the event as recorded (twice across the workers), marked its Lead committed at A's
 * version with a state lacking A's regular event, cached it, and wrote snapshots of it at later versions
 * (EVENT_STORE_SNAPSHOT_EVERY=2 here, so every other version gets one). Now that append is a conflict and B
 * re-runs its batch. Every lead's snapshot must remember exactly the events stored in its stream, and the
 * workers' counters must add up to the events stored. (With one worker this passes before the fix as well.)
 */
describe('two workers recording the same client event ids at once', () => {
  const procs: ServerProcess[] = [];
  let pg: Client | undefined;
  afterAll(async () => {
    for (const p of procs) p.kill();
    await Promise.all(procs.map((p) => p.exited));
    await pg?.end();
  });
  const fixture = useProcessFixture();

  it('count each event once and keep each lead snapshot equal to its stored stream', async () => {
    const env = {
      ...fixture.env(),
      RATE_LIMIT_ENABLED: 'false',
      SCHEDULER_ENABLED: 'false',
      KENBUN_ADMIN_EMAIL: ADMIN.email,
      KENBUN_ADMIN_PASSWORD: ADMIN.password,
      EVENT_STORE_SNAPSHOT_EVERY: '2',
      INGEST_PARTITIONS: '1',
    };
    const api1 = await startServerProcess({ ...env, KENBUN_ROLES: 'api', LOG_LEVEL: 'warn' });
    procs.push(api1);
    const api2 = await startServerProcess({ ...env, KENBUN_ROLES: 'api', LOG_LEVEL: 'warn' });
    procs.push(api2);
    const call = callProcess;
    const auth = await serviceAccountOf(api1, ADMIN, 'dup-race');
    await call(api1, 'POST', '/org-units/active', auth, { ouId: 'unit_default' });
    const workers = await Promise.all([startMetricsWorker(env), startMetricsWorker(env)]);
    procs.push(...workers);

    const client = new Client({ connectionString: fixture.db.url });
    pg = client;
    await client.connect();
    const projected = async () => Number((await client.query(`SELECT count(DISTINCT event_id)::int AS n FROM lead_events`)).rows[0].n);
    const until = async (n: number) => {
      const by = Date.now() + 30_000;
      while ((await projected()) < n && Date.now() < by) await new Promise((r) => setTimeout(r, 50));
      expect(await projected()).toBe(n);
    };
    const event = (i: number, type: string, event_id: string) => ({
      aliases: [{ alias_kind: 'external_id', raw_value: `dup-race-${i}` }],
      event_type: type,
      event_id,
    });
    const leads = Array.from({ length: LEADS }, (_, i) => i);
    let total = 0;
    await call(
      api1,
      'POST',
      '/ingest',
      auth,
      leads.map((i) => event(i, 'Page View', `seed-${i}`)),
      [202],
    );
    await until((total += LEADS));
    for (let round = 0; round < ROUNDS; round++) {
      // api1: a regular event and the duplicate per lead; api2: the duplicate alone, at the same moment
      await Promise.all([
        call(
          api1,
          'POST',
          '/ingest',
          auth,
          leads.flatMap((i) => [event(i, 'Page View', `r${round}-${i}`), event(i, 'Form Submit', `d${round}-${i}`)]),
          [202],
        ),
        call(
          api2,
          'POST',
          '/ingest',
          auth,
          leads.map((i) => event(i, 'Form Submit', `d${round}-${i}`)),
          [202],
        ),
      ]);
      await until((total += 2 * LEADS));
    }

    // the store and the read model are exact
    const stored = await client.query(
      `SELECT count(*)::int AS rows, count(DISTINCT payload->>'event_id')::int AS ids FROM event_store_events WHERE event_type = $1`,
      [LeadEvent.EventRecorded],
    );
    expect(stored.rows[0]).toEqual({ rows: total, ids: total });

    // each lead's snapshot remembers exactly the events stored in its stream up to the snapshot's version
    const snapshots = await client.query(
      `SELECT s.stream_id, s.stream_version,
              (SELECT array_agg(r->>'id' ORDER BY r->>'id') FROM jsonb_each(s.state->'recent') t, jsonb_array_elements(t.value) r) AS remembered,
              (SELECT array_agg(e.event_id::text ORDER BY e.event_id::text) FROM event_store_events e
                WHERE e.stream_id = s.stream_id AND e.stream_version <= s.stream_version AND e.event_type = $1) AS stored
         FROM event_store_snapshots s WHERE s.stream_type = $2`,
      [LeadEvent.EventRecorded, LeadStreamType],
    );
    expect(snapshots.rows.length).toBeGreaterThan(0);
    const diverged = snapshots.rows.filter((r) => JSON.stringify(r.remembered) !== JSON.stringify(r.stored));
    // and the workers' counters add up to the events stored, each recorded once
    const recorded = await Promise.all(workers.map((w) => processedBy(w)));
    expect({ recorded: recorded[0] + recorded[1], divergedSnapshots: diverged.length }).toEqual({ recorded: total, divergedSnapshots: 0 });
  }, 120_000);
});
