import { useState } from 'preact/hooks';
import { api, must } from '../api/client';
import { useAction, useAsync } from '../lib/hooks';
import { setQuery } from '../lib/router';
import { ErrorBox, fmtDate, fmtNum, LevelBadge, Link, Loading, Pager } from '../lib/ui';

const PAGE_SIZE = 50;

export function AccountsPage({ query }: { query: URLSearchParams }) {
  const page = Math.max(1, Number(query.get('page')) || 1);
  const search = query.get('search') || undefined;
  const accounts = useAsync(() => must(api.GET('/accounts', { params: { query: { page, limit: PAGE_SIZE, search } } })), [page, search]);
  const [term, setTerm] = useState(search ?? '');
  return (
    <section>
      <h1>Accounts</h1>
      <form
        class="filters"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          setQuery({ search: term.trim(), page: undefined }, true);
        }}
      >
        <div>
          <label for="a-search">Search accounts</label>
          <input id="a-search" type="search" value={term} onInput={(e) => setTerm(e.currentTarget.value)} />
        </div>
        <div class="actions">
          <button type="submit">Search</button>
        </div>
      </form>
      <ErrorBox error={accounts.error} />
      {!accounts.data && !accounts.error && <Loading what="accounts" />}
      {accounts.data && (
        <>
          <table class="grid">
            <thead>
              <tr>
                <th scope="col">Account</th>
                <th scope="col">Domain</th>
                <th scope="col">Account score</th>
                <th scope="col">Level</th>
                <th scope="col">Leads</th>
                <th scope="col">Owner</th>
                <th scope="col">Last activity</th>
              </tr>
            </thead>
            <tbody>
              {accounts.data.accounts.map((a) => (
                <tr key={a.account_id}>
                  <td>
                    <Link to={`/accounts/${encodeURIComponent(a.account_id)}`}>{a.name || a.domain}</Link>
                    {a.surging && <span class="tag">surging</span>}
                  </td>
                  <td>{a.domain}</td>
                  <td class="num">{fmtNum(a.account_score, 1)}</td>
                  <td>
                    <LevelBadge name={a.account_level} />
                  </td>
                  <td class="num">{a.leads_count}</td>
                  <td>{a.owner_name || '—'}</td>
                  <td>{fmtDate(a.last_activity_at)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <Pager
            page={accounts.data.page}
            limit={PAGE_SIZE}
            total={accounts.data.total}
            exact={accounts.data.total_exact}
            shown={accounts.data.accounts.length}
            onPage={(p) => setQuery({ page: p > 1 ? p : undefined }, true)}
          />
        </>
      )}
    </section>
  );
}

export function AccountPage({ id }: { id: string }) {
  const account = useAsync(() => must(api.GET('/accounts/{id}', { params: { path: { id } } })), [id]);
  const committee = useAsync(() => must(api.GET('/accounts/{accountId}/buying-committee', { params: { path: { accountId: id } } })), [id]);
  const why = useAsync(() => must(api.GET('/accounts/{accountID}/why', { params: { path: { accountID: id } } })), [id]);
  const refresh = useAction();
  if (account.error) return <ErrorBox error={account.error} />;
  if (!account.data) return <Loading what="the account" />;
  const a = account.data;
  return (
    <section>
      <p>
        <Link to="/accounts">← Accounts</Link>
      </p>
      <h1>{a.name || a.domain}</h1>
      <div class="cards">
        <div class="card">
          <h2>Account score</h2>
          <p class="big">{fmtNum(a.account_score, 1)}</p>
          <LevelBadge name={a.account_level} />
          <dl>
            <dt>Engagement</dt>
            <dd>{fmtNum(a.engagement_score, 1)}</dd>
            <dt>Top lead score</dt>
            <dd>{fmtNum(a.top_score, 1)}</dd>
            <dt>Domain</dt>
            <dd>{a.domain}</dd>
            <dt>Owner</dt>
            <dd>{a.owner_name || '—'}</dd>
            <dt>Last activity</dt>
            <dd>{fmtDate(a.last_activity_at)}</dd>
          </dl>
        </div>
        <div class="card">
          <h2>Why</h2>
          <ErrorBox error={why.error} />
          <p>{why.data?.summary ?? ''}</p>
          <ul class="plain">
            {(why.data?.factors ?? []).map((f, i) => (
              <li key={i}>
                {Object.values(f)
                  .filter((v) => typeof v === 'string' || typeof v === 'number')
                  .slice(0, 3)
                  .join(' · ')}
              </li>
            ))}
          </ul>
          {why.data && (
            <p class="muted">
              {why.data.contributing_lead_count} of {why.data.total_contact_count} contacts contribute
            </p>
          )}
        </div>
      </div>
      <div class="title-row">
        <h2>Buying committee</h2>
        <button
          type="button"
          class="secondary"
          disabled={refresh.busy}
          onClick={async () => {
            if (await refresh.run(() => must(api.POST('/accounts/{accountId}/buying-committee/refresh', { params: { path: { accountId: id } } }))))
              committee.reload();
          }}
        >
          Refresh committee
        </button>
      </div>
      <ErrorBox error={committee.error ?? refresh.error} />
      <table class="grid compact">
        <thead>
          <tr>
            <th scope="col">Person</th>
            <th scope="col">Role</th>
            <th scope="col">Engagement</th>
            <th scope="col">Level</th>
            <th scope="col">Last engaged</th>
          </tr>
        </thead>
        <tbody>
          {(committee.data ?? []).map((m) => (
            <tr key={m.id}>
              <td>
                <Link to={`/leads/${encodeURIComponent(m.lead_id)}`}>{[m.first_name, m.last_name].filter(Boolean).join(' ') || m.email || m.best_alias}</Link>
                {m.title ? <span class="muted"> · {m.title}</span> : null}
              </td>
              <td>{m.role.replace('_', ' ')}</td>
              <td class="num">{fmtNum(m.engagement_score, 1)}</td>
              <td>
                <LevelBadge name={m.engagement_level} />
              </td>
              <td>{fmtDate(m.last_engagement_at)}</td>
            </tr>
          ))}
          {committee.data && !committee.data.length && (
            <tr>
              <td colSpan={5} class="muted">
                No committee members yet.
              </td>
            </tr>
          )}
        </tbody>
      </table>
      <h2>Leads</h2>
      <table class="grid compact">
        <thead>
          <tr>
            <th scope="col">Lead</th>
            <th scope="col">Score</th>
            <th scope="col">Profile</th>
            <th scope="col">Owner</th>
            <th scope="col">Last event</th>
          </tr>
        </thead>
        <tbody>
          {a.leads.map((l) => (
            <tr key={l.lead_id} class={l.disqualified ? 'dq' : undefined}>
              <td>
                <Link to={`/leads/${encodeURIComponent(l.lead_id)}`}>{l.lead_id}</Link>
              </td>
              <td class="num">{fmtNum(l.score, 1)}</td>
              <td class="num">{fmtNum(l.profile_score, 1)}</td>
              <td>{l.owner_name || '—'}</td>
              <td>{fmtDate(l.last_event_at)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
