import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api, must, session, type Schemas } from './api/client';
import { ErrorBox, Link, Loading } from './lib/ui';
import { match, navigate, useLocation } from './lib/router';
import { stream } from './lib/stream';
import { SignIn } from './pages/SignIn';
import { LeadsPage } from './pages/Leads';
import { LeadPage } from './pages/Lead';
import { ProfileRulesPage } from './pages/ProfileRules';
import { RulesetsPage } from './pages/Rulesets';
import { LevelsPage } from './pages/Levels';
import { DecaysPage, FiltersPage } from './pages/Tuning';
import { TriggersPage } from './pages/Triggers';
import { ChannelsPage } from './pages/Channels';
import { SegmentsPage } from './pages/Segments';
import { AccountPage, AccountsPage } from './pages/Accounts';
import './styles.css';

type Unit = Schemas['UnitListItemDto'];
const OU_KEY = 'kenbun.ou';

interface Workspace {
  units: Unit[];
  active: Schemas['ActiveUnitDto'];
  /** ABM on for the organization; undefined until GET /scoring/settings answers (it does not hold up the first page) */
  abm?: boolean;
}

/**
 * After sign-in: the OUs of the user and the active one made active again (cookie and credential), in parallel when
 * this browser remembers the OU, so the first page waits for one round trip.
 */
async function openWorkspace(preferred?: string): Promise<Workspace> {
  const wanted = preferred ?? localStorage.getItem(OU_KEY) ?? undefined;
  const activate = (ouId: string) => must(api.POST('/org-units/active', { body: { ouId } }));
  const [list, remembered] = await Promise.all([must(api.GET('/org-units')), wanted ? activate(wanted).catch(() => undefined) : undefined]);
  const units = list.units;
  if (!units.length) throw new Error('Your account is not a member of any organizational unit.');
  const active = remembered ?? (await activate((units.find((u) => u.is_default) ?? units[0]).unit_id));
  localStorage.setItem(OU_KEY, active.unit_id);
  return { units, active };
}

const NAV: { to: string; label: string; abm?: boolean }[] = [
  { to: '/leads', label: 'Leads' },
  { to: '/accounts', label: 'Accounts', abm: true },
  { to: '/rulesets', label: 'Rulesets' },
  { to: '/profile', label: 'Profile' },
  { to: '/levels', label: 'Levels' },
  { to: '/decays', label: 'Decay' },
  { to: '/filters', label: 'Filters' },
  { to: '/triggers', label: 'Triggers' },
  { to: '/channels', label: 'Channels' },
  { to: '/segments', label: 'Segments' },
];

function App() {
  const [signedIn, setSignedIn] = useState(() => session.token() !== null);
  const [notice, setNotice] = useState<string>();
  const [ws, setWs] = useState<Workspace>();
  const [wsError, setWsError] = useState<Error>();
  const [generation, setGeneration] = useState(0);
  const loc = useLocation();

  useEffect(
    () =>
      session.subscribe((reason) => {
        setSignedIn(reason === 'signed-in');
        if (reason !== 'signed-in') {
          stream.stop();
          setWs(undefined);
          setNotice(reason === 'expired' ? 'Your session has expired. Please sign in again.' : 'You are signed out.');
        } else setNotice(undefined);
      }),
    [],
  );

  useEffect(() => {
    if (!signedIn) return;
    setWsError(undefined);
    openWorkspace().then(
      (w) => {
        setWs(w);
        stream.restart();
      },
      (err: Error) => setWsError(err),
    );
  }, [signedIn]);

  // ABM on or off (the Accounts area), once the OU is active
  const activeUnit = ws?.active.unit_id;
  useEffect(() => {
    if (!activeUnit) return;
    must(api.GET('/scoring/settings')).then(
      (s) => setWs((w) => (w && w.active.unit_id === activeUnit ? { ...w, abm: s.abm_enabled } : w)),
      () => setWs((w) => (w ? { ...w, abm: false } : w)),
    );
  }, [activeUnit]);

  if (!signedIn) return <SignIn notice={notice} />;
  if (wsError)
    return (
      <main class="center">
        <ErrorBox error={wsError} />
        <button type="button" onClick={() => session.end('signed-out')}>
          Sign out
        </button>
      </main>
    );
  if (!ws)
    return (
      <main class="center">
        <Loading what="your workspace" />
      </main>
    );

  const switchOu = async (unitId: string) => {
    try {
      const w = await openWorkspace(unitId);
      setWs(w);
      setGeneration((g) => g + 1);
      stream.restart();
      navigate('/leads');
    } catch (err) {
      setWsError(err as Error);
    }
  };

  const path = loc.path === '/' ? '/leads' : loc.path;
  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <strong class="brand">kenbun</strong>
        <nav aria-label="Main">
          <ul>
            {NAV.filter((n) => !n.abm || ws.abm).map((n) => (
              <li key={n.to}>
                <Link to={n.to} aria-current={path.startsWith(n.to) ? 'page' : undefined}>
                  {n.label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <div class="session">
          <label for="ou-select">Organizational unit</label>
          <select id="ou-select" value={ws.active.unit_id} onChange={(e) => void switchOu(e.currentTarget.value)}>
            {ws.units.map((u) => (
              <option key={u.unit_id} value={u.unit_id}>
                {u.name} ({u.role})
              </option>
            ))}
          </select>
          <button type="button" class="secondary" onClick={() => session.end('signed-out')}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" key={`${ws.active.unit_id}:${generation}`} data-ou={ws.active.unit_id}>
        <Route path={path} ws={ws} query={loc.query} />
      </main>
    </>
  );
}

function Route({ path, ws, query }: { path: string; ws: Workspace; query: URLSearchParams }) {
  let m;
  if (path === '/leads') return <LeadsPage query={query} />;
  if ((m = match('/leads/:id', path))) return <LeadPage id={m.id} />;
  if (path === '/rulesets') return <RulesetsPage query={query} />;
  if (path === '/profile') return <ProfileRulesPage query={query} />;
  if (path === '/levels') return <LevelsPage />;
  if (path === '/decays') return <DecaysPage />;
  if (path === '/filters') return <FiltersPage />;
  if (path === '/triggers') return <TriggersPage />;
  if (path === '/channels') return <ChannelsPage />;
  if (path === '/segments') return <SegmentsPage query={query} />;
  if (path === '/accounts' || path.startsWith('/accounts/')) {
    if (ws.abm === undefined) return <Loading what="the organization's settings" />;
    if (!ws.abm)
      return (
        <section>
          <h1>Accounts</h1>
          <p>Account-based marketing is off for this organization: there are no accounts to show.</p>
        </section>
      );
    if (path === '/accounts') return <AccountsPage query={query} />;
    if ((m = match('/accounts/:id', path))) return <AccountPage id={m.id} />;
  }
  return (
    <section>
      <h1>Not found</h1>
      <p>
        There is no page at <code>/app{path}</code>. <Link to="/leads">Go to the leads</Link>.
      </p>
    </section>
  );
}

const root = document.getElementById('root')!;
root.textContent = ''; // the boot message
render(<App />, root);
