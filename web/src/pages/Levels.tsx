import { useState } from 'preact/hooks';
import { api, must } from '../api/client';
import { useAction, useAsync } from '../lib/hooks';
import { ErrorBox, fmtDate, LevelBadge, Loading } from '../lib/ui';

type Kind = 'engagement' | 'profile';
type Level = { name: string; min_score: number; max_score: number | null; color: string | null; ruleset_id: string | null };
type History = { history_id: string; action: string; actor: string | null; created_at: string; levels: Level[] };

/** Levels of each kind, their configuration history, and revert to a snapshot of it. */
export function LevelsPage() {
  const [kind, setKind] = useState<Kind>('engagement');
  const levels = useAsync(
    async (): Promise<Level[]> => (kind === 'engagement' ? await must(api.GET('/engagement-levels', {})) : await must(api.GET('/profile-levels', {}))),
    [kind],
  );
  const history = useAsync(
    async (): Promise<History[]> =>
      kind === 'engagement' ? await must(api.GET('/engagement-levels/history', {})) : await must(api.GET('/profile-levels/history', {})),
    [kind],
  );
  const revert = useAction();
  const doRevert = async (historyId: string) => {
    if (!confirm('Revert the levels to this snapshot?')) return;
    const body = { history_id: historyId };
    const done = await revert.run(async (): Promise<unknown> =>
      kind === 'engagement' ? await must(api.POST('/engagement-levels/revert', { body })) : await must(api.POST('/profile-levels/revert', { body })),
    );
    if (done) {
      levels.reload();
      history.reload();
    }
  };
  return (
    <section>
      <h1>Levels</h1>
      <div role="group" aria-label="Level kind" class="tabs">
        {(['engagement', 'profile'] as const).map((k) => (
          <button type="button" key={k} aria-pressed={k === kind} onClick={() => setKind(k)}>
            {k}
          </button>
        ))}
      </div>
      <ErrorBox error={levels.error ?? revert.error} />
      {!levels.data && !levels.error && <Loading what="levels" />}
      <table class="grid compact">
        <thead>
          <tr>
            <th scope="col">Level</th>
            <th scope="col">From</th>
            <th scope="col">To</th>
            <th scope="col">Ruleset</th>
          </tr>
        </thead>
        <tbody>
          {[...(levels.data ?? [])]
            .sort((a, b) => (a.ruleset_id ?? '').localeCompare(b.ruleset_id ?? '') || a.min_score - b.min_score)
            .map((l) => (
              <tr key={`${l.ruleset_id}:${l.name}`}>
                <td>
                  <LevelBadge name={l.name} color={l.color} />
                </td>
                <td class="num">{l.min_score}</td>
                <td class="num">{l.max_score ?? '∞'}</td>
                <td>
                  <code>{l.ruleset_id}</code>
                </td>
              </tr>
            ))}
        </tbody>
      </table>
      <NewLevel
        kind={kind}
        onCreated={() => {
          levels.reload();
          history.reload();
        }}
      />
      <h2>History</h2>
      <ErrorBox error={history.error} />
      <table class="grid compact">
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">Change</th>
            <th scope="col">By</th>
            <th scope="col">Levels</th>
            <th scope="col">
              <span class="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {(history.data ?? []).map((h) => (
            <tr key={h.history_id}>
              <td>{fmtDate(h.created_at)}</td>
              <td>{h.action}</td>
              <td>{h.actor}</td>
              <td>{h.levels.map((l) => `${l.name} ${l.min_score}–${l.max_score ?? '∞'}`).join(', ') || '—'}</td>
              <td>
                <button type="button" class="secondary" disabled={revert.busy} onClick={() => void doRevert(h.history_id)}>
                  Revert to this
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

/** A new level of the kind shown (for the primary ruleset unless the API is told otherwise); its creation is in the history. */
function NewLevel({ kind, onCreated }: { kind: Kind; onCreated: () => void }) {
  const [name, setName] = useState('');
  const [min, setMin] = useState('0');
  const [max, setMax] = useState('');
  const [color, setColor] = useState('#2563eb');
  const action = useAction();
  const submit = async (e: Event) => {
    e.preventDefault();
    const body = { name: name.trim(), min_score: Number(min), color, ...(max.trim() ? { max_score: Number(max) } : {}) };
    const created = await action.run(async (): Promise<unknown> =>
      kind === 'engagement' ? await must(api.POST('/engagement-levels', { body })) : await must(api.POST('/profile-levels', { body })),
    );
    if (created) {
      setName('');
      onCreated();
    }
  };
  return (
    <form class="card editor" onSubmit={submit} aria-labelledby="new-level">
      <h2 id="new-level">New {kind} level</h2>
      <div class="row">
        <div>
          <label for="l-name">Name</label>
          <input id="l-name" required value={name} onInput={(e) => setName(e.currentTarget.value)} />
        </div>
        <div class="narrow">
          <label for="l-min">From score</label>
          <input id="l-min" type="number" step="1" required value={min} onInput={(e) => setMin(e.currentTarget.value)} />
        </div>
        <div class="narrow">
          <label for="l-max">To score (empty: no limit)</label>
          <input id="l-max" type="number" step="1" value={max} onInput={(e) => setMax(e.currentTarget.value)} />
        </div>
        <div>
          <label for="l-color">Colour</label>
          <input id="l-color" type="color" value={color} onInput={(e) => setColor(e.currentTarget.value)} />
        </div>
      </div>
      <ErrorBox error={action.error} />
      <button type="submit" disabled={action.busy}>
        Add level
      </button>
    </form>
  );
}
