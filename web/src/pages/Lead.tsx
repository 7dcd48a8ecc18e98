import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { api, must, text, type Schemas } from '../api/client';
import { useAction, useAsync } from '../lib/hooks';
import { ScoreChart } from '../lib/ScoreChart';
import { stream } from '../lib/stream';
import { ErrorBox, fmtDate, fmtNum, LevelBadge, Link, Loading } from '../lib/ui';

type Level = { name: string; min_score: number; max_score: number | null; color: string | null; ruleset_id: string | null };
const WINDOWS = [
  [24, 'last 24 hours'],
  [168, 'last 7 days'],
  [720, 'last 30 days'],
  [2160, 'last 90 days'],
] as const;

function levelOf(levels: Level[], rulesetId: string, score: number): Level | undefined {
  return levels.find((l) => l.ruleset_id === rulesetId && score >= l.min_score && (l.max_score === null || score <= l.max_score));
}

export function LeadPage({ id }: { id: string }) {
  const [hours, setHours] = useState(720);
  const [version, setVersion] = useState(0);
  const path = { params: { path: { leadID: id } } };
  const lead = useAsync(() => must(api.GET('/leads/{leadID}', path)), [id, version]);
  const score = useAsync(() => must(api.GET('/score/{leadID}', path)), [id, version]);
  const explain = useAsync(() => must(api.GET('/lead/{leadID}/score-explain', { params: { path: { leadID: id }, query: { hours } } })), [id, hours, version]);
  const why = useAsync(() => must(api.GET('/leads/{leadID}/why', path)), [id, version]);
  const activity = useAsync(() => must(api.GET('/leads/{leadID}/activity', { params: { path: { leadID: id }, query: { range: 'all' } } })), [id, version]);
  const aliases = useAsync(() => must(api.GET('/leads/{leadID}/aliases', path)), [id]);
  const setup = useAsync(
    () => Promise.all([must(api.GET('/rulesets')), must(api.GET('/engagement-levels', {})), must(api.GET('/profile-scoring/rulesets')).catch(() => [])]),
    [],
  );

  // live: score_update messages of this lead change the figures at once, then the page re-reads the rest
  const [live, setLive] = useState<{ scores: Record<string, number>; last?: { delta: number; score: number; at: string } }>({ scores: {} });
  const refresh = useRef<number | undefined>(undefined);
  useEffect(
    () =>
      stream.subscribe((m) => {
        if (m.event !== 'score_update' || m.data.lead_id !== id) return;
        const rs = String(m.data.ruleset_id);
        const s = Number(m.data.score);
        setLive((l) => ({ scores: { ...l.scores, [rs]: s }, last: { delta: Number(m.data.delta), score: s, at: new Date().toISOString() } }));
        clearTimeout(refresh.current);
        refresh.current = window.setTimeout(() => setVersion((v) => v + 1), 800);
      }),
    [id],
  );
  useEffect(() => () => clearTimeout(refresh.current), []);

  const rulesetName = new Map<string, string>();
  for (const r of setup.data?.[0] ?? []) rulesetName.set(r.ruleset_id, r.name);
  for (const r of setup.data?.[2] ?? []) rulesetName.set(r.ruleset_id, r.name);
  const levels = (setup.data?.[1] ?? []) as Level[];

  const history = useMemo(() => {
    const events = [...(activity.data?.events ?? [])].filter((e) => typeof e.score_delta === 'number' && e.score_delta !== 0);
    events.sort((a, b) => a.timestamp.localeCompare(b.timestamp));
    let total = 0;
    return events.map((e) => [Math.floor(Date.parse(e.timestamp) / 1000), (total = Math.round((total + e.score_delta) * 100) / 100)] as [number, number]);
  }, [activity.data]);

  if (lead.error) return <ErrorBox error={lead.error} />;
  if (!lead.data) return <Loading what="the lead" />;
  const l = lead.data.lead;
  const engagementScores = { ...((score.data?.engagement_scores ?? {}) as Record<string, number>), ...live.scores };
  const headline = score.data
    ? score.data.ruleset_id && live.scores[text(score.data.ruleset_id)] !== undefined
      ? live.scores[text(score.data.ruleset_id)]
      : score.data.score
    : undefined;
  const email = aliases.data?.aliases.find((a) => a.kind === 'email')?.value;

  return (
    <section class="lead">
      <p>
        <Link to="/leads">← Leads</Link>
      </p>
      <div class="title-row">
        <h1>{email ?? l.lead_id}</h1>
        {l.disqualified && <span class="tag">disqualified</span>}
      </div>
      <ErrorBox error={score.error ?? explain.error ?? why.error ?? activity.error ?? setup.error} />
      <div class="cards">
        <div class="card">
          <h2>Score</h2>
          <p class="big" data-testid="lead-score" aria-live="polite">
            {headline ?? '…'}
          </p>
          {live.last && (
            <p class="live" role="status">
              Live update: {live.last.delta >= 0 ? '+' : ''}
              {live.last.delta} → {live.last.score}
            </p>
          )}
          <p class="muted">{text(why.data?.summary)}</p>
        </div>
        <div class="card">
          <h2>Profile</h2>
          <p class="big">{fmtNum(l.profile_score, 2)}</p>
          <LevelBadge name={text(l.profile_level)} />
        </div>
        <div class="card">
          <h2>Details</h2>
          <dl>
            <dt>Lead id</dt>
            <dd>
              <code>{l.lead_id}</code>
            </dd>
            <dt>Created</dt>
            <dd>{fmtDate(l.created_at)}</dd>
            <dt>Last event</dt>
            <dd>
              {text(l.last_event_type) || '—'} {fmtDate(l.last_event_at)}
            </dd>
            <dt>Events</dt>
            <dd>{fmtNum(l.event_count)}</dd>
            {l.account_id && (
              <>
                <dt>Account</dt>
                <dd>{text(l.account_id)}</dd>
              </>
            )}
          </dl>
        </div>
        <Owner id={id} name={text(l.owner_name)} onSaved={() => setVersion((v) => v + 1)} />
      </div>

      <h2>Scores per ruleset</h2>
      <table class="grid compact">
        <thead>
          <tr>
            <th scope="col">Dimension</th>
            <th scope="col">Ruleset</th>
            <th scope="col">Score</th>
            <th scope="col">Level</th>
          </tr>
        </thead>
        <tbody>
          {Object.entries(engagementScores).map(([rs, s]) => {
            const level = levelOf(levels, rs, Math.round(s));
            return (
              <tr key={rs}>
                <td>engagement</td>
                <td>{rulesetName.get(rs) ?? rs}</td>
                <td class="num" data-ruleset={rs}>
                  {s}
                </td>
                <td>
                  <LevelBadge name={level?.name} color={level?.color} />
                </td>
              </tr>
            );
          })}
          <tr>
            <td>profile</td>
            <td>{rulesetName.get(Object.keys((score.data?.profile_scores ?? {}) as object)[0]) ?? 'primary profile ruleset'}</td>
            <td class="num">{fmtNum(l.profile_score, 2)}</td>
            <td>
              <LevelBadge name={text(l.profile_level)} />
            </td>
          </tr>
        </tbody>
      </table>

      <div class="title-row">
        <h2>Score explanation</h2>
        <label for="window">Window</label>
        <select id="window" value={hours} onChange={(e) => setHours(Number(e.currentTarget.value))}>
          {WINDOWS.map(([h, label]) => (
            <option key={h} value={h}>
              {label}
            </option>
          ))}
        </select>
      </div>
      {explain.data && (
        <>
          <ul class="facts">
            <li>
              Decay in the window: <strong>{fmtNum(explain.data.decay_applied, 2)}</strong>
            </li>
            <li>
              Surge boost: <strong>{fmtNum(explain.data.surge_total, 2)}</strong> over {explain.data.surge_event_count} events
            </li>
            <li>Inorganic (suppressed) events: {explain.data.inorganic_count}</li>
            {explain.data.score_reset_at ? <li>Score reset {fmtDate(explain.data.score_reset_at)}</li> : null}
          </ul>
          <table class="grid compact" aria-label="Top drivers">
            <thead>
              <tr>
                <th scope="col">Top driver</th>
                <th scope="col">Ruleset</th>
                <th scope="col">Events</th>
                <th scope="col">Weight</th>
                <th scope="col">Points earned</th>
                <th scope="col">Points now</th>
              </tr>
            </thead>
            <tbody data-testid="top-drivers">
              {explain.data.top_drivers.map((d) => (
                <tr key={d.rule_id}>
                  <td>
                    {d.event_type}
                    {d.filter_label ? <span class="muted"> ({d.filter_label})</span> : null}
                  </td>
                  <td>{rulesetName.get(d.ruleset_id) ?? d.ruleset_id}</td>
                  <td class="num">{d.count}</td>
                  <td class="num">{d.weight}</td>
                  <td class="num">{fmtNum(d.total, 2)}</td>
                  <td class="num">{fmtNum(d.points_now, 2)}</td>
                </tr>
              ))}
              {!explain.data.top_drivers.length && (
                <tr>
                  <td colSpan={6} class="muted">
                    No scored activity in this window.
                  </td>
                </tr>
              )}
            </tbody>
          </table>
          {explain.data.surge_boost.length > 0 && (
            <details>
              <summary>Surge boosts ({explain.data.surge_boost.length})</summary>
              <ul>
                {explain.data.surge_boost.map((b) => (
                  <li key={b.event_id}>
                    {b.event_type}: {b.base_points} × {b.multiplier} = +{b.boost_points}
                  </li>
                ))}
              </ul>
            </details>
          )}
        </>
      )}

      <h2>Score history</h2>
      <ScoreChart points={history} label="points earned (before decay)" />

      <div class="two-col">
        <div>
          <h2>Activity</h2>
          {!activity.data && <Loading what="activity" />}
          <ol class="timeline">
            {(activity.data?.events ?? []).slice(0, 100).map((e: Schemas['ActivityEventDto']) => (
              <li key={e.id}>
                <time dateTime={e.timestamp}>{fmtDate(e.timestamp)}</time> <strong>{e.event_type}</strong> <span class="muted">{e.channel}</span>
                {e.score_delta ? <span class="delta">{(e.score_delta > 0 ? '+' : '') + fmtNum(e.score_delta, 2)}</span> : null}
                {e.suppressed ? <span class="tag">{text(e.suppressed)}</span> : null}
              </li>
            ))}
          </ol>
        </div>
        <div>
          <h2>Aliases</h2>
          <ul class="plain">
            {(aliases.data?.aliases ?? []).map((a) => (
              <li key={a.id}>
                <span class="muted">{a.kind}</span> {a.value}
              </li>
            ))}
          </ul>
          <h2>Why</h2>
          <ul class="plain">
            {(why.data?.factors ?? []).map((f, i) => (
              <li key={i}>
                {f.label || f.event_type}: <strong>{fmtNum(f.points, 2)}</strong> ({f.count} events, {f.count_7d} this week)
              </li>
            ))}
          </ul>
        </div>
      </div>
    </section>
  );
}

function Owner({ id, name, onSaved }: { id: string; name: string; onSaved: () => void }) {
  const [value, setValue] = useState(name);
  const action = useAction();
  const save = async (e: Event) => {
    e.preventDefault();
    const body = value.trim() ? { owner_name: value.trim() } : {};
    if (await action.run(() => must(api.POST('/leads/{leadID}/owner', { params: { path: { leadID: id } }, body })))) onSaved();
  };
  return (
    <form class="card" onSubmit={save}>
      <h2>Owner</h2>
      <label for="owner">Owner name</label>
      <input id="owner" value={value} onInput={(e) => setValue(e.currentTarget.value)} placeholder="unassigned" />
      <ErrorBox error={action.error} />
      <button type="submit" disabled={action.busy}>
        {value.trim() ? 'Assign' : 'Unassign'}
      </button>
    </form>
  );
}
