import { useState } from 'preact/hooks';
import { api, must, type Schemas } from '../api/client';
import { useAction, useAsync } from '../lib/hooks';
import { setQuery } from '../lib/router';
import { ChoiceField, EnableToggle, ErrorBox, Loading, words } from '../lib/ui';

type ProfileRule = Schemas['CreateProfileRuleDto'];
const CONDITIONS: ProfileRule['condition'][] = [
  'equals',
  'not_equals',
  'contains',
  'not_contains',
  'starts_with',
  'ends_with',
  'gt',
  'gte',
  'lt',
  'lte',
  'in',
  'not_in',
  'is_empty',
  'is_not_empty',
];

/** Profile fit (PRF): rulesets over the lead's mapped profile properties, their rules, the primary flag and enabling. */
export function ProfileRulesPage({ query }: { query: URLSearchParams }) {
  const rulesets = useAsync(() => must(api.GET('/profile-scoring/rulesets')), []);
  const selected = query.get('ruleset') ?? rulesets.data?.[0]?.id;
  const rules = useAsync(
    () => (selected ? must(api.GET('/profile-scoring/rulesets/{id}/rules', { params: { path: { id: selected } } })) : Promise.resolve([])),
    [selected],
  );
  const action = useAction();
  const [name, setName] = useState('');
  const [primary, setPrimary] = useState(false);
  const createRuleset = async (e: Event) => {
    e.preventDefault();
    const created = await action.run(() => must(api.POST('/profile-scoring/rulesets', { body: { name: name.trim(), is_primary: primary } })));
    if (created) {
      setName('');
      setPrimary(false);
      rulesets.reload();
      setQuery({ ruleset: created.id });
    }
  };
  const toggle = async (r: Schemas['AttributeRulesetDto']) => {
    const body = { name: r.name, enabled: !r.enabled };
    if (await action.run(() => must(api.PUT('/profile-scoring/rulesets/{id}', { params: { path: { id: r.id } }, body })).then(() => true))) rulesets.reload();
  };
  const removeRule = async (ruleId: string) => {
    if (!selected) return;
    const done = await action.run(() =>
      must(api.DELETE('/profile-scoring/rulesets/{id}/rules/{ruleId}', { params: { path: { id: selected, ruleId } } })).then(() => true),
    );
    if (done) {
      rules.reload();
      rulesets.reload();
    }
  };
  return (
    <section>
      <h1>Profile rulesets</h1>
      <ErrorBox error={rulesets.error ?? action.error} />
      {!rulesets.data && !rulesets.error && <Loading what="profile rulesets" />}
      <table class="grid compact">
        <thead>
          <tr>
            <th scope="col">Ruleset</th>
            <th scope="col">Rules</th>
            <th scope="col">Primary</th>
            <th scope="col">
              <span class="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody data-testid="profile-rulesets">
          {(rulesets.data ?? []).map((r) => (
            <tr key={r.id}>
              <td>
                <button type="button" class="link" aria-pressed={r.id === selected} onClick={() => setQuery({ ruleset: r.id })}>
                  {r.name}
                </button>
                {!r.enabled && <span class="tag">disabled</span>}
              </td>
              <td class="num">{r.rule_count}</td>
              <td>{r.is_primary ? 'yes' : 'no'}</td>
              <td>
                <EnableToggle name={r.name} enabled={r.enabled} onToggle={() => void toggle(r)} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <form class="card editor" onSubmit={createRuleset} aria-labelledby="new-profile-ruleset">
        <h2 id="new-profile-ruleset">New profile ruleset</h2>
        <div class="row">
          <div>
            <label for="pr-name">Ruleset name</label>
            <input id="pr-name" required value={name} onInput={(e) => setName(e.currentTarget.value)} />
          </div>
          <div class="check">
            <input id="pr-primary" type="checkbox" checked={primary} onChange={(e) => setPrimary(e.currentTarget.checked)} />
            <label for="pr-primary">Primary (its score is the lead's profile score)</label>
          </div>
        </div>
        <button type="submit" disabled={action.busy}>
          Create ruleset
        </button>
      </form>
      {selected && (
        <>
          <h2>Rules</h2>
          <ErrorBox error={rules.error} />
          <table class="grid compact">
            <thead>
              <tr>
                <th scope="col">Property</th>
                <th scope="col">Condition</th>
                <th scope="col">Value</th>
                <th scope="col">Points</th>
                <th scope="col">
                  <span class="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody data-testid="profile-rules">
              {(rules.data ?? []).map((r) => (
                <tr key={r.rule_id}>
                  <td>{r.profile_property}</td>
                  <td>{words(r.condition)}</td>
                  <td>{r.comparison_value}</td>
                  <td class="num">{r.rule_type === 'hard_disqualify' ? 'disqualifies' : r.weight}</td>
                  <td>
                    <button
                      type="button"
                      class="secondary"
                      aria-label={`Delete rule ${r.profile_property} ${r.condition}`}
                      onClick={() => void removeRule(r.rule_id)}
                    >
                      Delete
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <NewProfileRule
            rulesetId={selected}
            onCreated={() => {
              rules.reload();
              rulesets.reload();
            }}
          />
        </>
      )}
    </section>
  );
}

function NewProfileRule({ rulesetId, onCreated }: { rulesetId: string; onCreated: () => void }) {
  const [property, setProperty] = useState('');
  const [condition, setCondition] = useState<ProfileRule['condition']>('equals');
  const [value, setValue] = useState('');
  const [weight, setWeight] = useState('10');
  const action = useAction();
  const submit = async (e: Event) => {
    e.preventDefault();
    const body: ProfileRule = { profile_property: property.trim(), condition, comparison_value: value, weight: Number(weight) };
    if (await action.run(() => must(api.POST('/profile-scoring/rulesets/{id}/rules', { params: { path: { id: rulesetId } }, body })))) {
      setProperty('');
      setValue('');
      onCreated();
    }
  };
  return (
    <form class="card editor" onSubmit={submit} aria-labelledby="new-profile-rule">
      <h3 id="new-profile-rule">New rule</h3>
      <div class="row">
        <div>
          <label for="prr-property">Profile property</label>
          <input id="prr-property" required value={property} onInput={(e) => setProperty(e.currentTarget.value)} placeholder="e.g. industry" />
        </div>
        <ChoiceField id="prr-condition" label="Condition" value={condition} choices={CONDITIONS} onChange={setCondition} />
        <div>
          <label for="prr-value">Compared with</label>
          <input id="prr-value" value={value} onInput={(e) => setValue(e.currentTarget.value)} />
        </div>
        <div class="narrow">
          <label for="prr-weight">Points</label>
          <input id="prr-weight" type="number" required value={weight} onInput={(e) => setWeight(e.currentTarget.value)} />
        </div>
      </div>
      <ErrorBox error={action.error} />
      <button type="submit" disabled={action.busy}>
        Add rule
      </button>
    </form>
  );
}
