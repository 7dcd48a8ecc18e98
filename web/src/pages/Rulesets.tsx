import { useState } from 'preact/hooks';
import { api, must, type Schemas } from '../api/client';
import { useAction, useAsync } from '../lib/hooks';
import { setQuery } from '../lib/router';
import { ErrorBox, fmtNum, Loading } from '../lib/ui';

type Rule = Schemas['RuleDto'];
type Ruleset = Schemas['RulesetDto'];

export function RulesetsPage({ query }: { query: URLSearchParams }) {
  const sets = useAsync(() => must(api.GET('/rulesets')), []);
  const selected = query.get('ruleset') ?? sets.data?.find((r) => r.is_primary)?.ruleset_id ?? sets.data?.[0]?.ruleset_id;
  const create = useAction();
  const [name, setName] = useState('');
  const add = async (e: Event) => {
    e.preventDefault();
    const created = await create.run(() => must(api.POST('/rulesets', { body: { name: name.trim(), active: true } })));
    if (created) {
      setName('');
      sets.reload();
      setQuery({ ruleset: created.ruleset_id });
    }
  };
  return (
    <section>
      <h1>Engagement rulesets</h1>
      <ErrorBox error={sets.error} />
      {!sets.data && !sets.error && <Loading what="rulesets" />}
      <div class="split">
        <div>
          <ul class="pick" aria-label="Rulesets">
            {(sets.data ?? []).map((r: Ruleset) => (
              <li key={r.ruleset_id}>
                <button type="button" aria-pressed={r.ruleset_id === selected} onClick={() => setQuery({ ruleset: r.ruleset_id })}>
                  {r.name}
                  <span class="muted">
                    {' '}
                    {r.rule_count} rules{r.is_primary ? ' · primary' : ''}
                    {r.active ? '' : ' · inactive'}
                  </span>
                </button>
              </li>
            ))}
          </ul>
          <form onSubmit={add} class="inline">
            <label for="new-ruleset">New ruleset</label>
            <input id="new-ruleset" required value={name} onInput={(e) => setName(e.currentTarget.value)} />
            <button type="submit" disabled={create.busy}>
              Create
            </button>
            <ErrorBox error={create.error} />
          </form>
        </div>
        {selected && <Rules key={selected} rulesetId={selected} onChanged={sets.reload} />}
      </div>
    </section>
  );
}

function Rules({ rulesetId, onChanged }: { rulesetId: string; onChanged: () => void }) {
  const rules = useAsync(() => must(api.GET('/rulesets/{id}/rules', { params: { path: { id: rulesetId } } })), [rulesetId]);
  const [editing, setEditing] = useState<Rule | 'new' | null>(null);
  const reorder = useAction();
  const toggle = useAction();
  const list = [...(rules.data ?? [])].sort((a, b) => a.priority - b.priority);
  const move = async (i: number, dir: -1 | 1) => {
    const ids = list.map((r) => r.rule_id);
    [ids[i], ids[i + dir]] = [ids[i + dir], ids[i]];
    if (await reorder.run(() => must(api.PUT('/rulesets/{id}/reorder', { params: { path: { id: rulesetId } }, body: { rule_ids: ids } })))) rules.reload();
  };
  const setActive = async (r: Rule, active: boolean) => {
    if (await toggle.run(() => must(api.PUT('/rules/{id}', { params: { path: { id: r.rule_id } }, body: { active } })))) rules.reload();
  };
  return (
    <div>
      <div class="title-row">
        <h2>Rules</h2>
        <button type="button" onClick={() => setEditing('new')}>
          Add rule
        </button>
      </div>
      <ErrorBox error={rules.error ?? reorder.error ?? toggle.error} />
      <table class="grid compact">
        <thead>
          <tr>
            <th scope="col">Order</th>
            <th scope="col">Event type</th>
            <th scope="col">Weight</th>
            <th scope="col">Half-life (days)</th>
            <th scope="col">Filters</th>
            <th scope="col">Active</th>
            <th scope="col">
              <span class="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {list.map((r, i) => (
            <tr key={r.rule_id} data-rule={r.event_type}>
              <td class="nowrap">
                <button type="button" class="icon" aria-label={`Move ${r.event_type} up`} disabled={i === 0 || reorder.busy} onClick={() => void move(i, -1)}>
                  ↑
                </button>
                <button
                  type="button"
                  class="icon"
                  aria-label={`Move ${r.event_type} down`}
                  disabled={i === list.length - 1 || reorder.busy}
                  onClick={() => void move(i, 1)}
                >
                  ↓
                </button>
              </td>
              <td>{r.event_type}</td>
              <td class="num">{r.weight}</td>
              <td class="num">{r.half_life_days ?? '—'}</td>
              <td>{r.filter_label || '—'}</td>
              <td>
                <input type="checkbox" aria-label={`${r.event_type} active`} checked={r.active} onChange={(e) => void setActive(r, e.currentTarget.checked)} />
              </td>
              <td>
                <button type="button" class="secondary" onClick={() => setEditing(r)}>
                  Edit
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {editing && (
        <RuleEditor
          key={editing === 'new' ? 'new' : editing.rule_id}
          rulesetId={rulesetId}
          rule={editing === 'new' ? undefined : editing}
          onDone={(saved) => {
            setEditing(null);
            if (saved) {
              rules.reload();
              onChanged();
            }
          }}
        />
      )}
    </div>
  );
}

/** Edits one rule; "Dry run" scores a chosen lead with the edited rule (POST /engagement-scoring/test) before saving. */
function RuleEditor({ rulesetId, rule, onDone }: { rulesetId: string; rule?: Rule; onDone: (saved: boolean) => void }) {
  const [eventType, setEventType] = useState(rule?.event_type ?? '');
  const [weight, setWeight] = useState(String(rule?.weight ?? 1));
  const [halfLife, setHalfLife] = useState(rule?.half_life_days != null ? String(rule.half_life_days) : '');
  const [active, setActive] = useState(rule?.active ?? true);
  const [lead, setLead] = useState('');
  const [dry, setDry] = useState<Schemas['EngagementTestResultDto']>();
  const test = useAction();
  const save = useAction();
  const body = () => ({
    event_type: eventType.trim(),
    weight: Number(weight),
    active,
    ...(halfLife.trim() ? { half_life_days: Number(halfLife) } : {}),
    ...(rule?.filters?.length ? { filters: rule.filters } : {}),
  });
  const dryRun = async () => {
    setDry(undefined);
    const result = await test.run(async () =>
      must(
        api.POST('/engagement-scoring/test', {
          body: { lead_id: await resolveLead(lead.trim()), ruleset_id: rulesetId, rule: testRule(body(), rule?.rule_id) },
        }),
      ),
    );
    if (result) setDry(result);
  };
  const submit = async (e: Event) => {
    e.preventDefault();
    const done = await save.run(() =>
      rule
        ? must(api.PUT('/rules/{id}', { params: { path: { id: rule.rule_id } }, body: body() }))
        : must(api.POST('/rules', { body: { ...body(), ruleset_id: rulesetId } })),
    );
    if (done) onDone(true);
  };
  return (
    <form class="card editor" onSubmit={submit} aria-labelledby="rule-editor-title">
      <h3 id="rule-editor-title">{rule ? `Edit rule ${rule.event_type}` : 'New rule'}</h3>
      <div class="row">
        <div>
          <label for="r-event">Event type</label>
          <input id="r-event" required value={eventType} onInput={(e) => setEventType(e.currentTarget.value)} />
        </div>
        <div class="narrow">
          <label for="r-weight">Weight</label>
          <input id="r-weight" type="number" step="any" required value={weight} onInput={(e) => setWeight(e.currentTarget.value)} />
        </div>
        <div class="narrow">
          <label for="r-half">Half-life (days)</label>
          <input id="r-half" type="number" step="any" min="0" value={halfLife} onInput={(e) => setHalfLife(e.currentTarget.value)} />
        </div>
        <div class="check">
          <input id="r-active" type="checkbox" checked={active} onChange={(e) => setActive(e.currentTarget.checked)} />
          <label for="r-active">Active</label>
        </div>
      </div>
      <fieldset>
        <legend>Dry run before saving</legend>
        <label for="r-lead">Lead (e-mail or lead id)</label>
        <input id="r-lead" value={lead} onInput={(e) => setLead(e.currentTarget.value)} />
        <button type="button" class="secondary" disabled={!lead.trim() || test.busy} onClick={() => void dryRun()}>
          {test.busy ? 'Running…' : 'Dry run'}
        </button>
        <ErrorBox error={test.error} />
        {dry && (
          <p role="status" data-testid="dry-run">
            {dry.matches ? 'Matches' : 'Does not match'}: {dry.matching_event_count} events. Score now <strong>{fmtNum(dry.current_score, 2)}</strong>, with
            this rule <strong>{fmtNum(dry.projected_score, 2)}</strong>.
          </p>
        )}
      </fieldset>
      <ErrorBox error={save.error} />
      <div class="actions">
        <button type="submit" disabled={save.busy}>
          Save rule
        </button>
        <button type="button" class="secondary" onClick={() => onDone(false)}>
          Cancel
        </button>
      </div>
    </form>
  );
}

/** The rule as the dry run takes it (its document types half_life_days loosely: a number or null). */
function testRule(body: Schemas['UpdateRuleDto'] & { event_type: string; weight: number }, ruleId?: string): Schemas['TestRuleDto'] {
  return { ...body, ...(ruleId ? { rule_id: ruleId } : {}) } as Schemas['TestRuleDto'];
}

/** A lead id from an e-mail (GET /leads/search) or the id itself. */
async function resolveLead(input: string): Promise<string> {
  if (!input.includes('@')) return input;
  const found = await must(api.GET('/leads/search', { params: { query: { q: input } } }));
  const hit = found[0];
  if (!hit) throw new Error(`No lead has the alias ${input}`);
  return hit.lead_id;
}
