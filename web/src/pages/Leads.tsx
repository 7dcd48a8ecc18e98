import { useEffect, useState } from 'preact/hooks';
import { api, must, rawFetch, text, type Schemas } from '../api/client';
import { useAction, useAsync } from '../lib/hooks';
import { setQuery } from '../lib/router';
import { stream } from '../lib/stream';
import { ErrorBox, fmtDate, LevelBadge, Link, Loading, Pager, words } from '../lib/ui';

type Lead = Schemas['LeadListItemDto'];
type Level = { name: string; color: string | null };
const PAGE_SIZE = 50;
const RANGES = ['all', 'today', 'yesterday', 'last_24h', 'last_7d', 'last_30d', 'last_90d'] as const;
const ACTIVE = ['any', '7d', '30d'] as const;
const SORTS = ['score', 'created_at', 'last_event_at'] as const;

/** The list query from the URL: filters, sort and page live in the address, so a view can be shared and reloaded. */
function listQuery(q: URLSearchParams) {
  const num = (k: string) => (q.get(k) !== null && q.get(k) !== '' && Number.isFinite(Number(q.get(k))) ? Number(q.get(k)) : undefined);
  const pick = <T extends string>(k: string, allowed: readonly T[]) => (allowed.includes(q.get(k) as T) ? (q.get(k) as T) : undefined);
  return {
    search: q.get('search') || undefined,
    range: pick('range', RANGES),
    last_active: pick('last_active', ACTIVE),
    min_score: num('min_score'),
    max_score: num('max_score'),
    event_type: q.get('event_type') || undefined,
    engagement_level: q.get('engagement_level') || undefined,
    profile_level: q.get('profile_level') || undefined,
    include_disqualified: q.get('include_disqualified') === 'true' ? true : undefined,
    sort_by: pick('sort_by', SORTS),
    sort_order: pick('sort_order', ['asc', 'desc'] as const),
  };
}

export function LeadsPage({ query }: { query: URLSearchParams }) {
  const filters = listQuery(query);
  const page = Math.max(1, Number(query.get('page')) || 1);
  const key = JSON.stringify([filters, page]);
  const list = useAsync(() => must(api.GET('/leads', { params: { query: { ...filters, page, limit: PAGE_SIZE } } })), [key]);
  const levels = useAsync(async (): Promise<[Level[], Level[]]> => {
    const [engagement, profile] = await Promise.all([must(api.GET('/engagement-levels', {})), must(api.GET('/profile-levels', {}))]).catch(() => [[], []]);
    return [engagement, profile];
  }, []);
  const colors = new Map<string, string>();
  for (const l of [...(levels.data?.[0] ?? []), ...(levels.data?.[1] ?? [])]) if (l.color) colors.set(l.name, l.color);

  // live scores: a score_update of a lead on this page for the ruleset its score comes from
  const [live, setLive] = useState<Record<string, number>>({});
  useEffect(() => {
    setLive({});
    return stream.subscribe((m) => {
      if (m.event !== 'score_update') return;
      const lead = list.data?.leads.find((l) => l.lead_id === m.data.lead_id);
      if (lead && (!lead.ruleset_id || lead.ruleset_id === m.data.ruleset_id) && typeof m.data.score === 'number') {
        setLive((s) => ({ ...s, [lead.lead_id]: Math.round(m.data.score as number) }));
      }
    });
  }, [list.data]);

  const exporting = useAction();
  const exportCsv = () =>
    exporting.run(async () => {
      const params = new URLSearchParams();
      for (const [k, v] of Object.entries(filters)) if (v !== undefined) params.set(k, String(v));
      const res = await rawFetch(`/leads/export?${params}`);
      const url = URL.createObjectURL(await res.blob());
      const a = document.createElement('a');
      a.href = url;
      a.download = `leads-${new Date().toISOString().slice(0, 10)}.csv`;
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    });

  const sortBy = filters.sort_by ?? 'score';
  const order = filters.sort_order ?? 'desc';
  const sortHeader = (col: (typeof SORTS)[number], label: string) => (
    <th scope="col" aria-sort={sortBy === col ? (order === 'asc' ? 'ascending' : 'descending') : 'none'}>
      <button
        type="button"
        class="sort"
        onClick={() => setQuery({ sort_by: col, sort_order: sortBy === col && order === 'desc' ? 'asc' : 'desc', page: undefined }, true)}
      >
        {label} {sortBy === col ? (order === 'asc' ? '▲' : '▼') : ''}
      </button>
    </th>
  );

  return (
    <section>
      <div class="title-row">
        <h1>Leads</h1>
        <button type="button" class="secondary" onClick={() => void exportCsv()} disabled={exporting.busy}>
          {exporting.busy ? 'Exporting…' : 'Export CSV'}
        </button>
      </div>
      <ErrorBox error={exporting.error} />
      <Filters filters={filters} engagementLevels={levels.data?.[0] ?? []} profileLevels={levels.data?.[1] ?? []} />
      <ErrorBox error={list.error} />
      {!list.data && !list.error && <Loading what="leads" />}
      {list.data && (
        <>
          <table class="grid" aria-busy={list.loading} aria-describedby="leads-count">
            <caption id="leads-count" class="sr-only">
              Leads, page {list.data.page}
            </caption>
            <thead>
              <tr>
                <th scope="col">Lead</th>
                {sortHeader('score', 'Score')}
                <th scope="col">Engagement level</th>
                <th scope="col">Profile</th>
                <th scope="col">Last event</th>
                {sortHeader('last_event_at', 'Last active')}
                {sortHeader('created_at', 'Created')}
              </tr>
            </thead>
            <tbody>
              {list.data.leads.map((l: Lead) => (
                <tr key={l.lead_id} class={l.disqualified ? 'dq' : undefined} data-lead={l.lead_id}>
                  <td>
                    <Link to={`/leads/${encodeURIComponent(l.lead_id)}`}>{text(l.alias) || l.lead_id}</Link>
                    {l.disqualified && <span class="tag">disqualified</span>}
                  </td>
                  <td class="num" data-score>
                    {live[l.lead_id] ?? l.score}
                  </td>
                  <td>
                    <LevelBadge name={text(l.engagement_level)} color={colors.get(text(l.engagement_level))} />
                  </td>
                  <td>
                    <span class="num">{l.profile_score}</span> <LevelBadge name={text(l.profile_level)} color={colors.get(text(l.profile_level))} />
                  </td>
                  <td>{text(l.last_event_type) || '—'}</td>
                  <td>{fmtDate(l.last_event_at)}</td>
                  <td>{fmtDate(l.created_at)}</td>
                </tr>
              ))}
              {!list.data.leads.length && (
                <tr>
                  <td colSpan={7} class="muted">
                    No lead matches these filters.
                  </td>
                </tr>
              )}
            </tbody>
          </table>
          <Pager
            page={list.data.page}
            limit={PAGE_SIZE}
            total={list.data.total}
            exact={list.data.total_exact}
            shown={list.data.leads.length}
            onPage={(p) => setQuery({ page: p > 1 ? p : undefined }, true)}
          />
        </>
      )}
    </section>
  );
}

function Filters({
  filters,
  engagementLevels,
  profileLevels,
}: {
  filters: ReturnType<typeof listQuery>;
  engagementLevels: { name: string }[];
  profileLevels: { name: string }[];
}) {
  const [search, setSearch] = useState(filters.search ?? '');
  const [min, setMin] = useState(filters.min_score?.toString() ?? '');
  const [max, setMax] = useState(filters.max_score?.toString() ?? '');
  const [eventType, setEventType] = useState(filters.event_type ?? '');
  const apply = (e: Event) => {
    e.preventDefault();
    setQuery({ search: search.trim(), min_score: min, max_score: max, event_type: eventType.trim(), page: undefined }, true);
  };
  const set = (k: string) => (e: { currentTarget: HTMLSelectElement }) => setQuery({ [k]: e.currentTarget.value, page: undefined }, true);
  return (
    <form class="filters" role="search" aria-label="Lead filters" onSubmit={apply}>
      <div>
        <label for="f-search">Search (e-mail or lead id)</label>
        <input id="f-search" type="search" minLength={2} value={search} onInput={(e) => setSearch(e.currentTarget.value)} placeholder="jane@…" />
      </div>
      <div>
        <label for="f-range">Created</label>
        <select id="f-range" value={filters.range ?? ''} onChange={set('range')}>
          {RANGES.map((r) => (
            <option key={r} value={r === 'all' ? '' : r}>
              {words(r)}
            </option>
          ))}
        </select>
      </div>
      <div>
        <label for="f-active">Last active</label>
        <select id="f-active" value={filters.last_active ?? ''} onChange={set('last_active')}>
          <option value="">any time</option>
          <option value="7d">last 7 days</option>
          <option value="30d">last 30 days</option>
        </select>
      </div>
      <div>
        <label for="f-level">Engagement level</label>
        <select id="f-level" value={filters.engagement_level ?? ''} onChange={set('engagement_level')}>
          <option value="">any</option>
          {[...new Set(engagementLevels.map((l) => l.name))].map((n) => (
            <option key={n}>{n}</option>
          ))}
        </select>
      </div>
      <div>
        <label for="f-profile">Profile level</label>
        <select id="f-profile" value={filters.profile_level ?? ''} onChange={set('profile_level')}>
          <option value="">any</option>
          {[...new Set(profileLevels.map((l) => l.name))].map((n) => (
            <option key={n}>{n}</option>
          ))}
        </select>
      </div>
      <div class="narrow">
        <label for="f-min">Min score</label>
        <input id="f-min" type="number" value={min} onInput={(e) => setMin(e.currentTarget.value)} />
      </div>
      <div class="narrow">
        <label for="f-max">Max score</label>
        <input id="f-max" type="number" value={max} onInput={(e) => setMax(e.currentTarget.value)} />
      </div>
      <div>
        <label for="f-event">Last event type</label>
        <input id="f-event" value={eventType} onInput={(e) => setEventType(e.currentTarget.value)} />
      </div>
      <div class="check">
        <input
          id="f-dq"
          type="checkbox"
          checked={filters.include_disqualified === true}
          onChange={(e) => setQuery({ include_disqualified: e.currentTarget.checked, page: undefined }, true)}
        />
        <label for="f-dq">Show disqualified</label>
      </div>
      <div class="actions">
        <button type="submit">Apply</button>
      </div>
    </form>
  );
}
