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
