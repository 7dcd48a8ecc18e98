import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { EventStore } from '../src/platform/event-store/event-store.service';
import { StoredEvent } from '../src/platform/event-store/event-store.types';
import { Projection, ProjectionSourcesBehind, ReadModelProjection } from '../src/platform/projections/projection';
import { ProjectionRebuilder } from '../src/platform/projections/projection-rebuilder.service';
import { ProjectionRegistry } from '../src/platform/projections/projection.registry';
import { ProjectionRunner } from '../src/platform/projections/projection-runner.service';
import { createTestDatabase, TestDatabase } from './support/test-database';
import { eventually, startTestApp, TestApp } from './support/test-app';

/**
 * A probe read model that records every delivery without de-duplicating, so a double delivery or a
 * skipped event shows up as a wrong row count. It can be told to crash in the middle of a batch.
 */
@ReadModelProjection()
@Injectable()
class ProbeProjection implements Projection {
  readonly name = 'probe';
  readonly tables = ['probe_deliveries'];
  crashAfterRows = 0; // >0: write that many rows of the next batch, then throw (once)
  crashes = 0;

  async handle(events: StoredEvent[], m: EntityManager): Promise<void> {
    for (const [i, e] of events.entries()) {
      if (this.crashAfterRows && i === this.crashAfterRows) {
        this.crashAfterRows = 0;
        this.crashes++;
        throw new Error('probe crashed mid-batch');
      }
      await m.query(`INSERT INTO probe_deliveries (event_id, stream_id, stream_version) VALUES ($1, $2, $3)`, [e.eventId, e.streamId, e.streamVersion]);
    }
  }
}

/** The same, for one event type only: exercises the filtered read that skips non-matching events. */
@ReadModelProjection()
@Injectable()
class EvenProbeProjection implements Projection {
  readonly name = 'probe_even';
  readonly tables = ['probe_even_deliveries'];
  readonly eventTypes = ['ProbeEven'];

  async handle(events: StoredEvent[], m: EntityManager): Promise<void> {
    for (const e of events) await m.query(`INSERT INTO probe_even_deliveries (event_id, event_type) VALUES ($1, $2)`, [e.eventId, e.eventType]);
  }
}

/** Waits for its "sources": throws ProjectionSourcesBehind for a while before applying a batch of WaitProbe events. */
@ReadModelProjection()
@Injectable()
class WaitingProbeProjection implements Projection {
  readonly name = 'probe_waiting';
  readonly tables = ['probe_waiting_deliveries'];
  readonly eventTypes = ['WaitProbe'];
  behindUntil = 0;
  waits = 0;

  async handle(events: StoredEvent[], m: EntityManager): Promise<void> {
    if (Date.now() < this.behindUntil) {
      this.waits++;
      throw new ProjectionSourcesBehind(['probe'], 50);
    }
    for (const e of events) await m.query(`INSERT INTO probe_waiting_deliveries (event_id) VALUES ($1)`, [e.eventId]);
  }
}

async function createProbeTable(ds: DataSource) {
  await ds.query(`CREATE TABLE IF NOT EXISTS probe_waiting_deliveries (event_id uuid NOT NULL)`);
  await ds.query(`CREATE TABLE IF NOT EXISTS probe_deliveries (event_id uuid NOT NULL, stream_id text NOT NULL, stream_version int NOT NULL)`);
  await ds.query(`CREATE TABLE IF NOT EXISTS probe_even_deliveries (event_id uuid NOT NULL, event_type text NOT NULL)`);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('Projections', () => {
  let db: TestDatabase;
  let workers: TestApp[];
  let writer: TestApp;

  beforeAll(async () => {
    db = await createTestDatabase();
    // one process that only writes, two worker processes that both run every projection
    writer = await startTestApp({ roles: [], db, providers: [ProbeProjection, EvenProbeProjection, WaitingProbeProjection] });
    await createProbeTable(writer.app.get(DataSource));
    workers = [
      await startTestApp({
        roles: ['worker'],
        db,
        providers: [ProbeProjection, EvenProbeProjection, WaitingProbeProjection],
        env: { PROJECTION_BATCH_SIZE: 250 },
      }),
      await startTestApp({
        roles: ['worker'],
        db,
        providers: [ProbeProjection, EvenProbeProjection, WaitingProbeProjection],
        env: { PROJECTION_BATCH_SIZE: 250 },
      }),
    ];
  });
  afterAll(async () => {
    for (const w of workers ?? []) await w.close();
    await writer?.close();
    await db?.drop();
  });

  const count = async (sql: string) => Number((await writer.app.get(DataSource).query(sql))[0].n);

  it('delivers every event exactly once: 50 concurrent writers x 200 events, commits out of order, two workers', async () => {
    const store = writer.app.get(EventStore);
    const ds = writer.app.get(DataSource);
    const before = await count(`SELECT count(*) AS n FROM event_store_events`);
    const writers = Array.from({ length: 50 }, async (_, w) => {
      const versions = new Map<string, number>();
      for (let i = 0; i < 200; i++) {
        const stream = `lead-w${w}-s${i % 8}`;
        const expected = versions.get(stream) ?? 0;
        // every third append keeps its transaction open a little after inserting, so positions taken
        // earlier commit later than positions taken after them
        await ds.transaction(async (m) => {
          const type = i % 2 ? 'Probe' : 'ProbeEven';
          const r = await store.append(
            stream,
            'lead',
            expected === 0 ? 'no_stream' : expected,
            [{ type, payload: { w, i } }],
            { org_id: 'org_1', unit_id: 'unit_default' },
            m,
          );
          versions.set(stream, r.version);
          if (i % 3 === 0) await sleep(Math.random() * 6);
        });
      }
    });
    await Promise.all(writers);
    const total = before + 50 * 200;
    expect(await count(`SELECT count(*) AS n FROM event_store_events`)).toBe(total);

    await eventually(async () => (await count(`SELECT count(*) AS n FROM probe_deliveries`)) >= total, 60_000);
    await sleep(300); // a late duplicate, if the runner could produce one, would land now
    expect(await count(`SELECT count(*) AS n FROM probe_deliveries`)).toBe(total);
    expect(await count(`SELECT count(DISTINCT event_id) AS n FROM probe_deliveries`)).toBe(total);
    expect(await count(`SELECT count(*) AS n FROM event_store_events e LEFT JOIN probe_deliveries p USING (event_id) WHERE p.event_id IS NULL`)).toBe(0);

    // the filtered projection got exactly the ProbeEven events, once each
    const even = await count(`SELECT count(*) AS n FROM event_store_events WHERE event_type = 'ProbeEven'`);
    expect(even).toBe(50 * 100);
    await eventually(async () => (await count(`SELECT count(*) AS n FROM probe_even_deliveries`)) >= even, 60_000);
    await sleep(200);
    expect(await count(`SELECT count(*) AS n FROM probe_even_deliveries`)).toBe(even);
    expect(await count(`SELECT count(DISTINCT event_id) AS n FROM probe_even_deliveries WHERE event_type = 'ProbeEven'`)).toBe(even);

    await eventually(async () => (await count(`SELECT coalesce(sum(event_count), 0) AS n FROM stream_summaries`)) === total, 30_000);
    expect(await count(`SELECT count(*) AS n FROM stream_summaries WHERE stream_id LIKE 'lead-w%' AND event_count = 25`)).toBe(400);
  });

  it('moves a filtered projection past events it does not read, so it does not scan them again', async () => {
    const store = writer.app.get(EventStore);
    const runner = workers[0].app.get(ProjectionRunner);
    const stream = `odd-${randomUUID()}`;
    const r = await store.append(
      stream,
      'lead',
      'no_stream',
      Array.from({ length: 40 }, () => ({ type: 'Probe', payload: {} })),
    );
    const last = r.positions[r.positions.length - 1];
    await eventually(async () => (await runner.checkpoint('probe_even')).position >= last);
    expect(await count(`SELECT count(*) AS n FROM probe_even_deliveries d JOIN event_store_events e USING (event_id) WHERE e.stream_id = '${stream}'`)).toBe(0);
  });

  it('reads only the listed payload fields of a type, and only its events that carry one (payloadFields)', async () => {
    const store = writer.app.get(EventStore);
    const stream = `fields-${randomUUID()}`;
    await store.append(stream, 'lead', 'no_stream', [
      { type: 'ProbeField', payload: { big: 'x'.repeat(100), tag: 'a' } },
      { type: 'ProbeField', payload: { big: 'y' } },
      { type: 'ProbeField', payload: { big: 'z', tag: null, other: 1 } },
      { type: 'ProbeOther', payload: { big: 'w' } },
    ]);
    const body = { envelope: true, payloadFields: { ProbeField: ['tag', 'other'] } };
    const read = () => store.readTypes({ transactionId: '0', position: 0 }, 100, ['ProbeField', 'ProbeOther'], undefined, body);
    // readers see an append once no transaction older than it is still open (the workers' batches may be): wait for it
    await eventually(async () => (await read()).events.some((e) => e.streamId === stream));
    const { events, head } = await read();
    const mine = events.filter((e) => e.streamId === stream);
    // the event without either field is left out; a field present as null still counts; other types come as envelopes
    expect(mine.map((e) => [e.streamVersion, e.eventType, e.payload])).toEqual([
      [1, 'ProbeField', { tag: 'a', other: null }],
      [3, 'ProbeField', { tag: null, other: 1 }],
      [4, 'ProbeOther', {}],
    ]);
    expect(mine[0].metadata).toEqual({ org_id: null, unit_id: null });
    expect(head!.position).toBeGreaterThanOrEqual(mine[2].globalPosition);
  });

  it('rebuilds read tables identical to the live ones', async () => {
    const ds = writer.app.get(DataSource);
    const dump = async () => ({
      summaries: await ds.query(`SELECT * FROM stream_summaries ORDER BY stream_id`),
      deliveries: await ds.query(`SELECT event_id, stream_id, stream_version FROM probe_deliveries ORDER BY event_id`),
      even: await ds.query(`SELECT event_id FROM probe_even_deliveries ORDER BY event_id`),
    });
    // live tables first catch up with everything appended so far
    const total = await count(`SELECT count(*) AS n FROM event_store_events`);
    const evens = await count(`SELECT count(*) AS n FROM event_store_events WHERE event_type = 'ProbeEven'`);
    await eventually(
      async () =>
        (await count(`SELECT count(*) AS n FROM probe_deliveries`)) === total &&
        (await count(`SELECT count(*) AS n FROM probe_even_deliveries`)) === evens &&
        (await count(`SELECT coalesce(sum(event_count), 0) AS n FROM stream_summaries`)) === total,
      30_000,
    );
    const live = await dump();
    expect(live.summaries.length).toBeGreaterThan(0);
    const rebuilder = workers[0].app.get(ProjectionRebuilder);
    const progress: number[] = [];
    const replayed = await rebuilder.rebuild('stream_summaries', (done) => progress.push(done));
    await rebuilder.rebuild('probe');
    await rebuilder.rebuild('probe_even');
    expect(replayed).toBe(await count(`SELECT count(*) AS n FROM event_store_events`));
    expect(progress[progress.length - 1]).toBe(replayed);
    expect(await dump()).toEqual(live);
  });

  it('loses nothing and counts nothing twice when a handler crashes mid-batch', async () => {
    const store = writer.app.get(EventStore);
    const probes = workers.map((w) => w.app.get(ProjectionRegistry).get('probe') as ProbeProjection);
    for (const p of probes) p.crashAfterRows = 40; // whichever worker takes the next batch crashes after 40 rows
    const stream = `crash-${randomUUID()}`;
    await store.append(
      stream,
      'lead',
      'no_stream',
      Array.from({ length: 120 }, (_, i) => ({ type: 'Probe', payload: { i } })),
    );
    await eventually(async () => (await count(`SELECT count(*) AS n FROM probe_deliveries WHERE stream_id = '${stream}'`)) === 120, 30_000);
    expect(probes.reduce((n, p) => n + p.crashes, 0)).toBeGreaterThanOrEqual(1);
    await sleep(200);
    expect(await count(`SELECT count(*) AS n FROM probe_deliveries WHERE stream_id = '${stream}'`)).toBe(120);
    expect(await count(`SELECT count(DISTINCT stream_version) AS n FROM probe_deliveries WHERE stream_id = '${stream}'`)).toBe(120);
  });

  it('retries a batch whose sources are behind from its checkpoint, quietly (ProjectionSourcesBehind): applied once, never marked failing', async () => {
    const probes = workers.map((w) => w.app.get(ProjectionRegistry).get('probe_waiting') as WaitingProbeProjection);
    for (const p of probes) p.behindUntil = Date.now() + 1500;
    const stream = `waiting-${randomUUID()}`;
    await writer.app.get(EventStore).append(
      stream,
      'lead',
      'no_stream',
      Array.from({ length: 25 }, (_, i) => ({ type: 'WaitProbe', payload: { i } })),
    );
    await sleep(800);
    expect(await count(`SELECT count(*) AS n FROM probe_waiting_deliveries`)).toBe(0);
    const [cp] = await writer.app.get(DataSource).query(`SELECT status, last_error FROM projection_checkpoints WHERE name = 'probe_waiting'`);
    expect(cp).toEqual({ status: 'running', last_error: null });
    await eventually(async () => (await count(`SELECT count(*) AS n FROM probe_waiting_deliveries`)) === 25, 20_000);
    expect(probes.reduce((n, p) => n + p.waits, 0)).toBeGreaterThan(3);
    await sleep(200);
    expect(await count(`SELECT count(DISTINCT event_id) AS n FROM probe_waiting_deliveries`)).toBe(25);
    expect(await count(`SELECT count(*) AS n FROM probe_waiting_deliveries`)).toBe(25);
  });

  it('catches up on events committed while no worker ran (process died between commit and handler)', async () => {
    for (const w of workers) await w.app.get(ProjectionRunner).stop();
    const store = writer.app.get(EventStore);
    const stream = `offline-${randomUUID()}`;
    await store.append(
      stream,
      'lead',
      'no_stream',
      Array.from({ length: 30 }, () => ({ type: 'Probe', payload: {} })),
    );
    await sleep(150);
    expect(await count(`SELECT count(*) AS n FROM probe_deliveries WHERE stream_id = '${stream}'`)).toBe(0);
    workers[1].app.get(ProjectionRunner).start();
    await eventually(async () => (await count(`SELECT count(*) AS n FROM probe_deliveries WHERE stream_id = '${stream}'`)) === 30);
    const cp = await workers[1].app.get(ProjectionRunner).checkpoint('probe');
    expect(cp.status).toBe('running');
    expect(cp.eventsProcessed).toBe(await count(`SELECT count(*) AS n FROM event_store_events`));
  });
});
