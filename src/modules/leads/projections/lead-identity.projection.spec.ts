import { composeChanges } from './lead-identity.projection';

/** The metadata the identity projection's UPDATE writes for one change (the same expression, in JS). */
function applied(metadata: Record<string, unknown>, c: { replace: boolean; set: Record<string, unknown>; removed: string[] }) {
  if (c.replace) return { ...c.set };
  const next = { ...metadata, ...c.set };
  for (const k of c.removed) delete next[k];
  return next;
}

const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s));

describe('composeChanges (metadata changes of one lead in one write)', () => {
  const start = { a: 1, b: 2, c: 3 };
  const cases: [string, Parameters<typeof composeChanges>[1][]][] = [
    [
      'two sets: the later value wins',
      [
        { replace: false, set: { a: 10, d: 4 }, removed: [], at: at(1) },
        { replace: false, set: { a: 20 }, removed: [], at: at(2) },
      ],
    ],
    [
      'a key removed, then set again',
      [
        { replace: false, set: {}, removed: ['b'], at: at(1) },
        { replace: false, set: { b: 5 }, removed: [], at: at(2) },
      ],
    ],
    [
      'a key set, then removed',
      [
        { replace: false, set: { d: 4 }, removed: [], at: at(1) },
        { replace: false, set: {}, removed: ['d', 'a'], at: at(2) },
      ],
    ],
    [
      'a replace, then mapped properties',
      [
        { replace: true, set: { x: 1 }, removed: [], at: at(1) },
        { replace: false, set: { y: 2 }, removed: ['x'], at: at(2) },
      ],
    ],
    [
      'mapped properties, then a replace',
      [
        { replace: false, set: { y: 2 }, removed: [], at: at(1) },
        { replace: true, set: { z: 3 }, removed: [], at: at(2) },
      ],
    ],
  ];

  it.each(cases)('%s: writing the composition equals writing each change in turn', (_name, changes) => {
    const composed = changes.reduce<ReturnType<typeof composeChanges> | undefined>((prev, next) => composeChanges(prev, next), undefined)!;
    expect(applied(start, composed)).toEqual(changes.reduce(applied, start));
    expect(composed.at).toEqual(at(changes.length));
  });

  it('keeps the last account given, and none when no change names one', () => {
    const first = { replace: false, set: {}, removed: [], account_id: 'acc_1', at: at(1) };
    expect(composeChanges(first, { replace: false, set: { a: 1 }, removed: [], at: at(2) }).account_id).toBe('acc_1');
    expect(composeChanges(first, { replace: false, set: {}, removed: [], account_id: null, at: at(2) }).account_id).toBeNull();
    expect('account_id' in composeChanges(undefined, { replace: false, set: {}, removed: [], at: at(1) })).toBe(false);
  });
});
