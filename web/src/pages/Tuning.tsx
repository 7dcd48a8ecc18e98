import { useState } from 'preact/hooks';
import { api, must, text, type Schemas } from '../api/client';
import { useAction, useAsync } from '../lib/hooks';
import { ChoiceField, EnableToggle, ErrorBox, fmtNum, Loading, words } from '../lib/ui';

/** Decay rules: score lost per period of inactivity. */
export function DecaysPage() {
  const decays = useAsync(() => must(api.GET('/decays')), []);
  const action = useAction();
  const [inactive, setInactive] = useState('7');
  const [unit, setUnit] = useState<'hours' | 'days' | 'weeks'>('days');
  const [decrease, setDecrease] = useState('5');
  const [name, setName] = useState('');
  const create = async (e: Event) => {
    e.preventDefault();
    const body = { inactive_for: Number(inactive), unit, decrease: Number(decrease), ...(name.trim() ? { name: name.trim() } : {}) };
    if (await action.run(() => must(api.POST('/decays', { body })))) decays.reload();
  };
  const setActive = async (id: string, active: boolean) => {
    if (await action.run(() => must(api.PUT('/decays/{id}', { params: { path: { id } }, body: { active } })))) decays.reload();
  };
  const remove = async (id: string) => {
    if (await action.run(() => must(api.DELETE('/decays/{id}', { params: { path: { id } } })).then(() => true))) decays.reload();
  };
  return (
    <section>
      <h1>Decay rules</h1>
      <ErrorBox error={decays.error ?? action.error} />
      {!decays.data && !decays.error && <Loading what="decay rules" />}
      <table class="grid compact">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">After inactivity of</th>
            <th scope="col">Score decrease</th>
            <th scope="col">Active</th>
            <th scope="col">
              <span class="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {(decays.data ?? []).map((d) => (
            <tr key={d.decay_id}>
              <td>{d.name || '—'}</td>
              <td>
                {d.inactive_for} {d.unit}
              </td>
              <td class="num">{d.decrease}</td>
              <td>
                <input
                  type="checkbox"
                  aria-label={`Decay ${d.name || d.decay_id} active`}
                  checked={d.active}
                  onChange={(e) => void setActive(d.decay_id, e.currentTarget.checked)}
                />
              </td>
              <td>
                <button type="button" class="secondary" onClick={() => void remove(d.decay_id)}>
                  Delete
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <form class="card editor" onSubmit={create} aria-labelledby="new-decay">
        <h2 id="new-decay">New decay rule</h2>
        <div class="row">
          <div>
            <label for="d-name">Name</label>
            <input id="d-name" value={name} onInput={(e) => setName(e.currentTarget.value)} />
          </div>
          <div class="narrow">
            <label for="d-inactive">Inactive for</label>
            <input id="d-inactive" type="number" min="1" required value={inactive} onInput={(e) => setInactive(e.currentTarget.value)} />
          </div>
          <div>
            <label for="d-unit">Unit</label>
            <select id="d-unit" value={unit} onChange={(e) => setUnit(e.currentTarget.value as 'hours' | 'days' | 'weeks')}>
              <option>hours</option>
              <option>days</option>
              <option>weeks</option>
            </select>
          </div>
          <div class="narrow">
            <label for="d-decrease">Decrease</label>
            <input id="d-decrease" type="number" step="any" required value={decrease} onInput={(e) => setDecrease(e.currentTarget.value)} />
          </div>
        </div>
        <button type="submit" disabled={action.busy}>
          Add decay rule
        </button>
      </form>
    </section>
  );
}

/** Inorganic (velocity) filters: more than N events of a type within a window are suppressed. */
export function FiltersPage() {
  const filters = useAsync(() => must(api.GET('/filters')), []);
  const action = useAction();
  const [eventType, setEventType] = useState('');
  const [count, setCount] = useState('10');
  const [minutes, setMinutes] = useState('5');
  const [group, setGroup] = useState(false);
  const create = async (e: Event) => {
    e.preventDefault();
    const body = { event_type: eventType.trim(), count_threshold: Number(count), time_window_ms: Math.round(Number(minutes) * 60_000), group_events: group };
    if (await action.run(() => must(api.POST('/filters', { body })))) {
      setEventType('');
      filters.reload();
    }
  };
  const remove = async (id: string) => {
    if (await action.run(() => must(api.DELETE('/filters/{id}', { params: { path: { id } } })).then(() => true))) filters.reload();
  };
  return (
    <section>
      <h1>Inorganic-traffic filters</h1>
      <ErrorBox error={filters.error ?? action.error} />
      {!filters.data && !filters.error && <Loading what="filters" />}
      <table class="grid compact">
        <thead>
          <tr>
            <th scope="col">Event type</th>
            <th scope="col">Allowed events</th>
            <th scope="col">Window</th>
            <th scope="col">Burst kept once</th>
            <th scope="col">
              <span class="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {(filters.data ?? []).map((f) => (
            <tr key={f.filter_id}>
              <td>{f.event_type}</td>
              <td class="num">{f.count_threshold}</td>
              <td>{Math.round(f.time_window_ms / 60_000)} min</td>
              <td>{f.group_events ? 'yes' : 'no'}</td>
              <td>
                <button type="button" class="secondary" onClick={() => void remove(f.filter_id)}>
                  Delete
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <form class="card editor" onSubmit={create} aria-labelledby="new-filter">
        <h2 id="new-filter">New filter</h2>
        <div class="row">
          <div>
            <label for="fl-event">Event type</label>
            <input id="fl-event" required value={eventType} onInput={(e) => setEventType(e.currentTarget.value)} />
          </div>
          <div class="narrow">
            <label for="fl-count">Allowed events</label>
            <input id="fl-count" type="number" min="1" required value={count} onInput={(e) => setCount(e.currentTarget.value)} />
          </div>
          <div class="narrow">
            <label for="fl-window">Window (minutes)</label>
            <input id="fl-window" type="number" min="1" required value={minutes} onInput={(e) => setMinutes(e.currentTarget.value)} />
          </div>
          <div class="check">
            <input id="fl-group" type="checkbox" checked={group} onChange={(e) => setGroup(e.currentTarget.checked)} />
            <label for="fl-group">Keep the first event of a burst</label>
          </div>
        </div>
        <button type="submit" disabled={action.busy}>
          Add filter
        </button>
      </form>
      <MetadataFilters />
    </section>
  );
}

type Condition = Schemas['ConditionDto'];
const CONDITION_OPERATORS: Condition['operator'][] = [
  'equals',
  'not_equals',
  'contains',
  'not_contains',
  'starts_with',
  'ends_with',
  'exists',
  'not_exists',
  'gt',
  'gte',
  'lt',
  'lte',
];
const NUMERIC = new Set<Condition['operator']>(['gt', 'gte', 'lt', 'lte']);

/** Metadata filters: events whose metadata match every condition are stored but suppressed (internal traffic, bots). */
function MetadataFilters() {
  const filters = useAsync(() => must(api.GET('/metadata-filters')), []);
  const action = useAction();
  const [name, setName] = useState('');
  const [eventType, setEventType] = useState('');
  const [key, setKey] = useState('');
  const [operator, setOperator] = useState<Condition['operator']>('equals');
  const [value, setValue] = useState('');
  const [preview, setPreview] = useState<number>();
  const condition = (): Condition => ({
    key: key.trim(),
    operator,
    ...(operator === 'exists' || operator === 'not_exists' ? {} : { value: NUMERIC.has(operator) ? Number(value) : value }),
  });
  const dryRun = async () => {
    setPreview(undefined);
    const out = await action.run(() => must(api.POST('/metadata-filters/preview', { body: { event_type: eventType.trim(), conditions: [condition()] } })));
    if (out) setPreview(out.count);
  };
  const create = async (e: Event) => {
    e.preventDefault();
    const body = { name: name.trim(), event_type: eventType.trim(), conditions: [condition()], enabled: true };
    if (await action.run(() => must(api.POST('/metadata-filters', { body })))) {
      setName('');
      setPreview(undefined);
      filters.reload();
    }
  };
  const remove = async (id: string) => {
    if (await action.run(() => must(api.DELETE('/metadata-filters/{id}', { params: { path: { id } } })).then(() => true))) filters.reload();
  };
  const toggle = async (f: Schemas['MetadataFilterDto']) => {
    const body = { name: f.name, event_type: f.event_type, conditions: f.conditions, enabled: !f.enabled };
    if (await action.run(() => must(api.PUT('/metadata-filters/{id}', { params: { path: { id: f.id } }, body })).then(() => true))) filters.reload();
  };
  return (
    <>
      <h2>Metadata filters</h2>
      <ErrorBox error={filters.error} />
      {!filters.data && !filters.error && <Loading what="metadata filters" />}
      <table class="grid compact">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Event type</th>
            <th scope="col">Suppresses events where</th>
            <th scope="col">Suppressed</th>
            <th scope="col">
              <span class="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody data-testid="metadata-filters">
          {(filters.data ?? []).map((f) => (
            <tr key={f.id}>
              <td>
                {f.name}
                {!f.enabled && <span class="tag">disabled</span>}
              </td>
              <td>{f.event_type || 'any'}</td>
              <td>{f.conditions.map((c) => `${c.key} ${words(c.operator)}${c.value === undefined ? '' : ` ${text(c.value)}`}`).join(' and ')}</td>
              <td class="num">{fmtNum(f.suppressed_count)}</td>
              <td>
                <EnableToggle name={f.name} enabled={f.enabled} onToggle={() => void toggle(f)} />{' '}
                <button type="button" class="secondary" aria-label={`Delete ${f.name}`} onClick={() => void remove(f.id)}>
                  Delete
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <form class="card editor" onSubmit={create} aria-labelledby="new-metadata-filter">
        <h3 id="new-metadata-filter">New metadata filter</h3>
        <div class="row">
          <div>
            <label for="mf-name">Filter name</label>
            <input id="mf-name" required value={name} onInput={(e) => setName(e.currentTarget.value)} />
          </div>
          <div>
            <label for="mf-event">Event type (empty: any)</label>
            <input id="mf-event" value={eventType} onInput={(e) => setEventType(e.currentTarget.value)} />
          </div>
          <div>
            <label for="mf-key">Metadata key</label>
            <input id="mf-key" required value={key} onInput={(e) => setKey(e.currentTarget.value)} placeholder="e.g. ip" />
          </div>
          <ChoiceField id="mf-operator" label="Operator" value={operator} choices={CONDITION_OPERATORS} onChange={setOperator} />
          {operator !== 'exists' && operator !== 'not_exists' && (
            <div>
              <label for="mf-value">Value</label>
              <input id="mf-value" value={value} onInput={(e) => setValue(e.currentTarget.value)} />
            </div>
          )}
        </div>
        <ErrorBox error={action.error} />
        {preview !== undefined && <p role="status">Would suppress {fmtNum(preview)} stored events of this OU.</p>}
        <button type="button" class="secondary" disabled={action.busy || !key.trim()} onClick={() => void dryRun()}>
          Preview
        </button>{' '}
        <button type="submit" disabled={action.busy}>
          Add metadata filter
        </button>
      </form>
    </>
  );
}
