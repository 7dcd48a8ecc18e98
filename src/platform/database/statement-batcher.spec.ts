import { StatementBatcher } from './statement-batcher';

describe('StatementBatcher', () => {
  it('answers calls of one event-loop turn with one run, each with its own output, in call order', async () => {
    const runs: number[][] = [];
    const b = new StatementBatcher<number, number>(async (xs) => {
      runs.push(xs);
      return xs.map((x) => x * 10);
    });
    const out = await Promise.all([b.call(1), b.call(2), b.call(3)]);
    expect(out).toEqual([10, 20, 30]);
    expect(runs).toEqual([[1, 2, 3]]);
    expect(await b.call(4)).toBe(40);
    expect(runs).toEqual([[1, 2, 3], [4]]);
  });

  it('starts a run as soon as `max` calls wait', async () => {
    const runs: number[][] = [];
    const b = new StatementBatcher<number, number>(async (xs) => {
      runs.push(xs);
      return xs;
    }, 2);
    await Promise.all([b.call(1), b.call(2), b.call(3)]);
    expect(runs).toEqual([[1, 2], [3]]);
  });

  it('rejects every call of a failed run, and the next run starts fresh', async () => {
    let fail = true;
    const b = new StatementBatcher<number, number>(async (xs) => {
      if (fail) throw new Error('boom');
      return xs;
    });
    const r = await Promise.allSettled([b.call(1), b.call(2)]);
    expect(r.map((x) => x.status)).toEqual(['rejected', 'rejected']);
    fail = false;
    expect(await b.call(3)).toBe(3);
  });

  it('with maxInFlight 1, calls made while a run is under way go together in the next run', async () => {
    const runs: number[][] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const b = new StatementBatcher<number, number>(
      async (xs) => {
        runs.push(xs);
        if (runs.length === 1) await gate;
        return xs;
      },
      64,
      1,
    );
    const first = b.call(1);
    await new Promise((r) => setImmediate(r));
    const later = [b.call(2), b.call(3)];
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    const more = b.call(4);
    expect(runs).toEqual([[1]]);
    release();
    expect(await Promise.all([first, ...later, more])).toEqual([1, 2, 3, 4]);
    expect(runs).toEqual([[1], [2, 3, 4]]);
  });
});
