import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { AggregateRepository } from '../src/platform/event-store/aggregate.repository';
import { DomainEvent, EventSourcedAggregate } from '../src/platform/event-store/event-sourced-aggregate';
import { EventStore, inCommitOrder, readTypesStatement } from '../src/platform/event-store/event-store.service';
import { ConcurrencyError, EventIdConflictError } from '../src/platform/event-store/event-store.types';
import { startTestApp, TestApp } from './support/test-app';

/** A tiny aggregate to exercise the repository: a counter that refuses to go below zero. */
class Counter extends EventSourcedAggregate<{ value: number }> {
  static readonly streamType = 'counter';
  value = 0;
  replayed = 0;

  add(n: number, eventId?: string): void {
    if (this.value + n < 0) throw new Error('counter below zero');
    this.raise('Added', { n }, undefined, eventId);
  }
  protected when(e: DomainEvent): void {
    if (e.type === 'Added') this.value += e.payload.n;
    this.replayed++;
  }
  snapshot() {
    return { value: this.value };
  }
  restore(s: { value: number }) {
    this.value = s.value;
  }
}

describe('Event store', () => {
  let t: TestApp;
  let store: EventStore;
  let ds: DataSource;

  beforeAll(async () => {
    t = await startTestApp({ roles: [], env: { EVENT_STORE_SNAPSHOT_EVERY: 10 } });
    store = t.app.get(EventStore);
    ds = t.app.get(DataSource);
  });
  afterAll(() => t.close());

  const meta = { org_id: 'org_1', unit_id: 'unit_default', actor: 'user:1', correlation_id: 'corr-1', causation_id: 'cause-1' };

  it('appends with metadata and reads the stream back in order', async () => {
    const id = `s-${randomUUID()}`;
    const r = await store.append(
      id,
      'lead',
      'no_stream',
      [
        { type: 'LeadCreated', payload: { a: 1 } },
        { type: 'AliasAttached', payload: { email: 'x@example.com' }, metadata: { causation_id: 'cmd-9' } },
      ],
      meta,
    );
    expect(r.version).toBe(2);
    expect(r.positions).toHaveLength(2);
    expect(r.positions[1]).toBeGreaterThan(r.positions[0]);
    const events = await store.readStream(id);
    expect(events.map((e) => [e.streamVersion, e.eventType])).toEqual([
      [1, 'LeadCreated'],
      [2, 'AliasAttached'],
    ]);
    expect(events[0].metadata).toEqual(meta);
    expect(events[1].metadata.causation_id).toBe('cmd-9');
    expect(events[1].metadata.org_id).toBe('org_1');
    const [row] = await ds.query(`SELECT org_id, unit_id FROM event_store_events WHERE event_id = $1`, [events[0].eventId]);
    expect(row).toEqual({ org_id: 'org_1', unit_id: 'unit_default' });
  });

  it('lets exactly one of two concurrent appends at the same version succeed', async () => {
    const id = `s-${randomUUID()}`;
    await store.append(id, 'lead', 'no_stream', [{ type: 'A', payload: {} }]);
    const results = await Promise.allSettled([
      store.append(id, 'lead', 1, [{ type: 'B', payload: { writer: 1 } }]),
      store.append(id, 'lead', 1, [{ type: 'B', payload: { writer: 2 } }]),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const rejected = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(rejected).toHaveLength(1);
    expect(rejected[0].reason).toBeInstanceOf(ConcurrencyError);
    expect(await store.streamVersion(id)).toBe(2);
  });

  it('holds under many racing writers: every stream ends with contiguous versions and one winner per version', async () => {
    const id = `s-${randomUUID()}`;
    await store.append(id, 'lead', 'no_stream', [{ type: 'A', payload: {} }]);
    const outcomes = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => store.append(id, 'lead', 1, [{ type: 'B', payload: { i } }])));
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    const versions = (await store.readStream(id)).map((e) => e.streamVersion);
    expect(versions).toEqual([1, 2]);
  });

  it('rejects a stale or future expected version without writing', async () => {
    const id = `s-${randomUUID()}`;
    await store.append(id, 'lead', 'no_stream', [
      { type: 'A', payload: {} },
      { type: 'A', payload: {} },
    ]);
    await expect(store.append(id, 'lead', 1, [{ type: 'B', payload: {} }])).rejects.toBeInstanceOf(ConcurrencyError);
    await expect(store.append(id, 'lead', 5, [{ type: 'B', payload: {} }])).rejects.toMatchObject({ actual: 2 });
    await expect(store.append(id, 'lead', 'no_stream', [{ type: 'B', payload: {} }])).rejects.toBeInstanceOf(ConcurrencyError);
    expect(await store.streamVersion(id)).toBe(2);
  });

  it('treats a resent append (same event ids) as already done', async () => {
    const id = `s-${randomUUID()}`;
    const events = [
      { eventId: randomUUID(), type: 'A', payload: { n: 1 } },
      { eventId: randomUUID(), type: 'A', payload: { n: 2 } },
    ];
    const first = await store.append(id, 'lead', 'no_stream', events);
    const again = await store.append(id, 'lead', 'no_stream', events);
    expect(first.duplicate).toBe(false);
    expect(again).toEqual({ ...first, duplicate: true });
    const anyAgain = await store.append(id, 'lead', 'any', events);
    expect(anyAgain.duplicate).toBe(true);
    expect(await store.streamVersion(id)).toBe(2);
  });

  it('reports a resend per stream: in a mixed append inside a transaction only the stream whose events were all stored is a duplicate', async () => {
    const [a, b] = [`s-${randomUUID()}`, `s-${randomUUID()}`];
    const resent = { streamId: a, streamType: 'lead', expectedVersion: 'no_stream' as const, events: [{ eventId: randomUUID(), type: 'A', payload: {} }] };
    await store.appendMany([resent]);
    // inside a caller's transaction (as the aggregate repository appends)
    const fresh = { streamId: b, streamType: 'lead', expectedVersion: 'no_stream' as const, events: [{ type: 'B', payload: {} }] };
    const results = await ds.transaction((m) => store.appendMany([resent, fresh], m));
    expect(results.map((r) => [r.streamId, r.version, r.duplicate])).toEqual([
      [a, 1, true],
      [b, 1, false],
    ]);
  });

  it('racedIsConflict: a save another writer already made from the same state is a conflict, not a silent resend', async () => {
    const repo = t.app.get(AggregateRepository);
    const id = `counter-${randomUUID()}`;
    await repo.execute(Counter, id, meta, (c) => c.add(1));
    const fromStore = async () => {
      const c = new Counter(id);
      c.replay((await store.readStream(id)).map((e) => ({ type: e.eventType, payload: e.payload, version: e.streamVersion })));
      return c;
    };
    const eventId = randomUUID();
    // two writers load version 1 and decide the same event under the same client id; the first commits
    const [first, second, third] = [await fromStore(), await fromStore(), await fromStore()];
    first.add(5, eventId);
    await ds.transaction((m) => repo.saveMany([first], meta, m));
    second.add(5, eventId);
    await expect(ds.transaction((m) => repo.saveMany([second], meta, m, [], { racedIsConflict: true }))).rejects.toBeInstanceOf(EventIdConflictError);
    // without the option the same append is taken for an idempotent resend
    third.add(5, eventId);
    await expect(ds.transaction((m) => repo.saveMany([third], meta, m))).resolves.toEqual(expect.any(Array));
    expect(await store.streamVersion(id)).toBe(2);
    expect((await repo.load(Counter, id)).value).toBe(6);
  });

  it('appends to many streams in one call, all or nothing', async () => {
    const [a, b, c] = [`s-${randomUUID()}`, `s-${randomUUID()}`, `s-${randomUUID()}`];
    await store.append(c, 'lead', 'no_stream', [{ type: 'X', payload: {} }]);
    const ok = await store.appendMany([
      {
        streamId: a,
        streamType: 'lead',
        expectedVersion: 'no_stream',
        events: [
          { type: 'A', payload: {} },
          { type: 'A', payload: {} },
        ],
      },
      { streamId: b, streamType: 'account', expectedVersion: 'no_stream', events: [{ type: 'B', payload: {} }] },
    ]);
    expect(ok.map((r) => [r.streamId, r.version])).toEqual([
      [a, 2],
      [b, 1],
    ]);
    const d = `s-${randomUUID()}`;
    await expect(
      store.appendMany([
        { streamId: d, streamType: 'lead', expectedVersion: 'no_stream', events: [{ type: 'A', payload: {} }] },
        { streamId: c, streamType: 'lead', expectedVersion: 'no_stream', events: [{ type: 'A', payload: {} }] },
      ]),
    ).rejects.toBeInstanceOf(ConcurrencyError);
    expect(await store.streamVersion(d)).toBe(0);
    expect(await store.streamVersion(c)).toBe(1);
  });

  it('joins a caller transaction: a rollback takes the events with it', async () => {
    const id = `s-${randomUUID()}`;
    await expect(
      ds.transaction(async (m) => {
        await store.append(id, 'lead', 'no_stream', [{ type: 'A', payload: {} }], {}, m);
        throw new Error('command failed after append');
      }),
    ).rejects.toThrow('command failed');
    expect(await store.streamVersion(id)).toBe(0);
  });

  it('loads long streams from snapshots and gets the same state as a full replay', async () => {
    const repo = t.app.get(AggregateRepository);
    const id = `counter-${randomUUID()}`;
    for (let i = 1; i <= 25; i++) await repo.execute(Counter, id, meta, (c) => c.add(i));
    const [snap] = await ds.query(`SELECT stream_version, state FROM event_store_snapshots WHERE stream_id = $1`, [id]);
    expect(snap).toEqual({ stream_version: 20, state: { value: 210 } });
    const loaded = await repo.load(Counter, id);
    expect(loaded.value).toBe(325);
    expect(loaded.version).toBe(25);
    expect(loaded.replayed).toBe(5); // only the events after the snapshot were replayed
    const full = new Counter(id);
    full.replay((await store.readStream(id)).map((e) => ({ type: e.eventType, payload: e.payload, version: e.streamVersion })));
    expect(full.value).toBe(loaded.value);
  });

  it('retries a command on a concurrency conflict with a fresh load', async () => {
    const repo = t.app.get(AggregateRepository);
    const id = `counter-${randomUUID()}`;
    await Promise.all(Array.from({ length: 10 }, () => repo.execute(Counter, id, meta, (c) => c.add(1), 20)));
    expect((await repo.load(Counter, id)).value).toBe(10);
    expect(await store.streamVersion(id)).toBe(10);
  });

  it('does not write when the domain refuses', async () => {
    const repo = t.app.get(AggregateRepository);
    const id = `counter-${randomUUID()}`;
    await expect(repo.execute(Counter, id, meta, (c) => c.add(-1))).rejects.toThrow('below zero');
    expect(await store.streamVersion(id)).toBe(0);
  });

  describe('reading a long backlog after a checkpoint', () => {
    // 50 transactions of 1,000 events of a projection's shape (a third of another type), into `table`; `xid` stands in
    // for the writing transaction's id where the 50 share one (it must be visible: below every running one)
    const write = (m: EntityManager, table: string, xid?: number) =>
      m.query(
        `INSERT INTO ${table} (transaction_id, event_id, stream_id, stream_type, stream_version, event_type, payload, metadata, org_id, unit_id, occurred_at)
         SELECT coalesce($1::text::xid8, pg_current_xact_id()), gen_random_uuid(), 'backlog-' || gen_random_uuid(), 'lead', 1,
                CASE WHEN i % 3 = 0 THEN 'LeadCreated' ELSE 'LeadEventRecorded' END,
                jsonb_build_object('event_id', gen_random_uuid(), 'contributions', '[]'::jsonb, 'note', repeat('x', 600)), '{}'::jsonb, 'org_backlog', 'unit_backlog', now()
           FROM generate_series(1, 1000) AS i`,
        [xid ?? null],
      );
    const body = { payloadFields: { LeadEventRecorded: ['event_id', 'contributions'] } };
    const types = ['LeadEventRecorded', 'LeadScoresReset'];
    /** The plan the store's read runs with, and the rows each index scan in it returned. */
    const planOf = async (m: EntityManager, from: { tx: string; pos: string }) => {
      const [{ 'QUERY PLAN': plan }] = await inCommitOrder(m, (t) =>
        t.query(`EXPLAIN (ANALYZE, FORMAT JSON) ${readTypesStatement(body)}`, [from.tx, from.pos, 2000, types]),
      );
      type Node = { 'Node Type': string; 'Actual Rows': number; Plans?: Node[] };
      const scans = (n: Node): number[] => [...(n['Node Type'].startsWith('Index Scan') ? [n['Actual Rows']] : []), ...(n.Plans ?? []).flatMap(scans)];
      return { text: JSON.stringify(plan), scanned: scans(plan[0].Plan) };
    };
    const backlogFrom = (m: EntityManager, table: string) =>
      m
        .query(
          `SELECT transaction_id::text AS tx, global_position::text AS pos FROM ${table} WHERE org_id = 'org_backlog' ORDER BY global_position OFFSET 14999 LIMIT 1`,
        )
        .then((r: { tx: string; pos: string }[]) => r[0]);

    it('reads the batch off the index in order and stops at the limit when the statistics predate the backlog', async () => {
      // the statistics see the first 20 transactions only (the rest came after the last ANALYZE, as in a burst or a
      // catch-up); the reader is 35,000 events behind, its checkpoint inside the range the statistics know
      for (let i = 0; i < 20; i++) await write(ds.manager, 'event_store_events');
      await ds.query('ANALYZE event_store_events');
      for (let i = 0; i < 30; i++) await write(ds.manager, 'event_store_events');
      const from = await backlogFrom(ds.manager, 'event_store_events');
      try {
        const { text, scanned } = await planOf(ds.manager, from);
        expect(text).toContain('event_store_events_commit_order_idx');
        // the batch's 2,000 events (+ the head); with its visibility bound a CTE joined to the events, the statement
        // read all 35,000 here and sorted the 23,000 recorded ones (in a bench, 33,000 behind: 368 ms, 48 MB on disk)
        expect(text).not.toContain('"Node Type":"Sort"');
        expect(Math.max(...scanned)).toBe(2000);
        const read = await store.readTypes({ transactionId: from.tx, position: Number(from.pos) }, 2000, types, undefined, body);
        expect(read.events).toHaveLength(2000);
        expect(read.events[0].globalPosition).toBeGreaterThan(Number(from.pos));
        expect(read.events.every((e, i) => i === 0 || e.globalPosition > read.events[i - 1].globalPosition)).toBe(true);
        expect(Object.keys(read.events[0].payload).sort()).toEqual(['contributions', 'event_id']);
      } finally {
        await ds.query(`DELETE FROM event_store_events WHERE org_id = 'org_backlog'`);
      }
    });

    it('does the same on a store never analyzed, and leaves the planner settings as they were', async () => {
      // a temporary table of the same definition shadows the store for this transaction: no statistics at all, as a
      // new deployment's store before its first ANALYZE (the planner read such a backlog by bitmap and sorted it all)
      await ds.transaction(async (m) => {
        await m.query(`CREATE TEMP TABLE event_store_events (LIKE public.event_store_events INCLUDING ALL) ON COMMIT DROP`);
        for (let i = 0; i < 50; i++) await write(m, 'pg_temp.event_store_events', 3 + i);
        const from = await backlogFrom(m, 'pg_temp.event_store_events');
        const { text, scanned } = await planOf(m, from);
        expect(text).not.toContain('"Node Type":"Sort"');
        expect(text).not.toContain('Bitmap');
        expect(Math.max(...scanned)).toBe(2000);
        const [settings] = await m.query(`SELECT current_setting('enable_sort') AS sort, current_setting('enable_bitmapscan') AS bitmap`);
        expect(settings).toEqual({ sort: 'on', bitmap: 'on' });
      });
    });
  });
});

describe('Event store edge cases', () => {
  let t: TestApp;
  let store: EventStore;

  beforeAll(async () => {
    t = await startTestApp({ roles: [] });
    store = t.app.get(EventStore);
  });
  afterAll(() => t.close());

  it("retries 'any' appends racing on one stream: all land, versions contiguous", async () => {
    const id = `s-${randomUUID()}`;
    const results = await Promise.allSettled(Array.from({ length: 10 }, (_, i) => store.append(id, 'lead', 'any', [{ type: 'A', payload: { i } }])));
    expect(results.every((r) => r.status === 'fulfilled')).toBe(true);
    expect((await store.readStream(id)).map((e) => e.streamVersion)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it('refuses a resend that mixes stored and new events instead of leaving a version gap', async () => {
    const id = `s-${randomUUID()}`;
    const old = { eventId: randomUUID(), type: 'A', payload: {} };
    await store.append(id, 'lead', 'no_stream', [old]);
    await expect(store.append(id, 'lead', 'any', [old, { eventId: randomUUID(), type: 'B', payload: {} }])).rejects.toBeInstanceOf(EventIdConflictError);
    expect((await store.readStream(id)).map((e) => e.streamVersion)).toEqual([1]);
  });

  it('takes an append whose events are all stored for a resend only when they sit where it would have put them', async () => {
    const id = `s-${randomUUID()}`;
    const [x, e] = [
      { eventId: randomUUID(), type: 'X', payload: {} },
      { eventId: randomUUID(), type: 'E', payload: {} },
    ];
    await store.append(id, 'lead', 'no_stream', [x, e]);
    // the very same append again: a no-op reported as a duplicate
    expect(await store.append(id, 'lead', 'no_stream', [x, e])).toMatchObject({ version: 2, duplicate: true });
    // another writer that decided on version 0 and recorded only E: E is stored, but at version 2 behind X, which
    // that writer never saw; taking it as done would leave it believing the stream is E alone
    await expect(store.append(id, 'lead', 'no_stream', [e])).rejects.toBeInstanceOf(ConcurrencyError);
    expect((await store.readStream(id)).map((r) => r.eventType)).toEqual(['X', 'E']);
  });

  it('names the stream that already holds a reused event id', async () => {
    const [a, b] = [`s-${randomUUID()}`, `s-${randomUUID()}`];
    const e = { eventId: randomUUID(), type: 'A', payload: {} };
    await store.append(a, 'lead', 'no_stream', [e]);
    await expect(store.append(b, 'lead', 'no_stream', [e])).rejects.toThrow(`already stored in stream ${a}`);
    expect(await store.streamVersion(b)).toBe(0);
  });
});

/**
 * The aggregate cache: two processes (two app instances) on one database. What one process lends from its cache
 * must always be what the store says, whatever the other process appended or erased meanwhile.
 */
describe('Aggregate cache across processes', () => {
  let a: TestApp;
  let b: TestApp;
  const meta = { org_id: 'org_1', unit_id: 'unit_default' };

  beforeAll(async () => {
    a = await startTestApp({ roles: [] });
    b = await startTestApp({ roles: [], db: a.db });
  });
  afterAll(async () => {
    await b.close();
    await a.close();
  });

  /** Loads the counters in one repository transaction, lets `change` act on them and saves them. */
  const inTransaction = (t: TestApp, ids: string[], change: (counters: Map<string, Counter>) => void = () => undefined) => {
    const repo = t.app.get(AggregateRepository);
    return repo.transaction(async (m) => {
      const counters = await repo.loadMany(Counter, ids, m);
      change(counters);
      await repo.saveMany([...counters.values()], meta, m);
      return new Map([...counters].map(([id, c]) => [id, { value: c.value, version: c.version, replayed: c.replayed }]));
    });
  };

  it('lends a committed aggregate without replaying it, and brings it up to date with the other process', async () => {
    const id = `s-${randomUUID()}`;
    const repoA = a.app.get(AggregateRepository);
    await inTransaction(a, [id], (c) => c.get(id)!.add(5));
    const hits = repoA.cache.hits;
    // A again: the counter comes from the cache, nothing replayed
    expect((await inTransaction(a, [id], (c) => c.get(id)!.add(1))).get(id)).toEqual({ value: 6, version: 2, replayed: 2 });
    expect(repoA.cache.hits).toBe(hits + 1);
    // B appends twice; A's cached copy is at version 2 and must see both
    await inTransaction(b, [id], (c) => c.get(id)!.add(10));
    await inTransaction(b, [id], (c) => c.get(id)!.add(100));
    expect((await inTransaction(a, [id])).get(id)).toEqual({ value: 116, version: 4, replayed: 4 });
    expect(repoA.cache.hits).toBe(hits + 2);
  });

  it('rebuilds a cached aggregate whose stream was erased, and never caches what a failed transaction held', async () => {
    const id = `s-${randomUUID()}`;
    const repoA = a.app.get(AggregateRepository);
    await inTransaction(a, [id], (c) => c.get(id)!.add(3));
    await b.app.get(DataSource).query(`DELETE FROM event_store_events WHERE stream_id = $1`, [id]);
    expect((await inTransaction(a, [id])).get(id)).toEqual({ value: 0, version: 0, replayed: 0 });

    await inTransaction(a, [id], (c) => c.get(id)!.add(7));
    await expect(
      inTransaction(a, [id], (c) => {
        c.get(id)!.add(1);
        throw new Error('decided against it');
      }),
    ).rejects.toThrow('decided against it');
    const misses = repoA.cache.misses;
    // the failed transaction's copy (value 8, uncommitted) is gone: the next load reads the store
    expect((await inTransaction(a, [id])).get(id)).toEqual({ value: 7, version: 1, replayed: 1 });
    expect(repoA.cache.misses).toBe(misses + 1);
  });

  it('a conflict with the other process is retried from the store and lands once', async () => {
    const id = `s-${randomUUID()}`;
    await inTransaction(a, [id], (c) => c.get(id)!.add(1));
    // B writes version 2 behind A's back; A's transaction decides on its cached copy, so its first attempt conflicts
    const repoB = b.app.get(AggregateRepository);
    await b.app.get(EventStore).append(id, 'counter', 1, [{ type: 'Added', payload: { n: 20 } }], meta);
    const repoA = a.app.get(AggregateRepository);
    let attempts = 0;
    const r = await repoA.transaction(async (m) => {
      attempts++;
      const counters = await repoA.loadMany(Counter, [id], m);
      if (attempts === 1)
        await repoB.transaction((mb) =>
          repoB.loadMany(Counter, [id], mb).then(async (cb) => {
            cb.get(id)!.add(300);
            await repoB.saveMany([...cb.values()], meta, mb);
          }),
        );
      counters.get(id)!.add(4000);
      await repoA.saveMany([...counters.values()], meta, m);
      return counters.get(id)!.value;
    });
    expect(attempts).toBe(2);
    expect(r).toBe(4321);
    expect((await a.app.get(EventStore).readStream(id)).map((e) => (e.payload as { n: number }).n)).toEqual([1, 20, 300, 4000]);
  });
});
