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

type Ruleset = Schemas['AttributeRulesetDto'];
type RulesetBody = Schemas['AttributeRulesetBodyDto'];
/** A rule of either dimension, its property under one name. */
interface FitRule {
  rule_id: string;
  property: string;
  condition: string;
  comparison_value: string;
  weight: number;
  rule_type: string;
}
type RuleBody = Omit<ProfileRule, 'profile_property'>;

/** The two fit dimensions of the page: their API paths (typed per path) and words. */
interface Dimension {
  title: string;
  noun: string;
  property: string;
  rulesets: () => Promise<Ruleset[]>;
  create: (body: RulesetBody) => Promise<Ruleset>;
  update: (id: string, body: RulesetBody) => Promise<unknown>;
  rules: (id: string) => Promise<FitRule[]>;
  addRule: (id: string, property: string, body: RuleBody) => Promise<unknown>;
  removeRule: (id: string, ruleId: string) => Promise<unknown>;
}
const DIMENSIONS: Record<'profile' | 'account', Dimension> = {
  profile: {
    title: 'Profile rulesets',
    noun: 'profile',
    property: 'Profile property',
    rulesets: () => must(api.GET('/profile-scoring/rulesets')),
    create: (body) => must(api.POST('/profile-scoring/rulesets', { body })),
    update: (id, body) => must(api.PUT('/profile-scoring/rulesets/{id}', { params: { path: { id } }, body })),
    rules: async (id) =>
      (await must(api.GET('/profile-scoring/rulesets/{id}/rules', { params: { path: { id } } }))).map((r) => ({ ...r, property: r.profile_property })),
    addRule: (id, property, body) =>
      must(api.POST('/profile-scoring/rulesets/{id}/rules', { params: { path: { id } }, body: { ...body, profile_property: property } })),
    removeRule: (id, ruleId) => must(api.DELETE('/profile-scoring/rulesets/{id}/rules/{ruleId}', { params: { path: { id, ruleId } } })),
  },
  account: {
    title: 'Account rulesets',
    noun: 'account',
    property: 'Account property',
    rulesets: () => must(api.GET('/account-scoring/rulesets')),
    create: (body) => must(api.POST('/account-scoring/rulesets', { body })),
    update: (id, body) => must(api.PUT('/account-scoring/rulesets/{id}', { params: { path: { id } }, body })),
    rules: async (id) =>
      (await must(api.GET('/account-scoring/rulesets/{id}/rules', { params: { path: { id } } }))).map((r) => ({ ...r, property: r.account_property })),
    addRule: (id, property, body) =>
      must(api.POST('/account-scoring/rulesets/{id}/rules', { params: { path: { id } }, body: { ...body, account_property: property } })),
    removeRule: (id, ruleId) => must(api.DELETE('/account-scoring/rulesets/{id}/rules/{ruleId}', { params: { path: { id, ruleId } } })),
  },
};

/**
 * Fit scoring (PRF, ABM-3): profile rulesets over the lead's mapped profile properties, or (`?dimension=account`,
 * with ABM on) account rulesets over the account's; their rules, the primary flag and enabling.
 */
export function ProfileRulesPage({ query }: { query: URLSearchParams }) {
  const which = query.get('dimension') === 'account' ? 'account' : 'profile';
  const dim = DIMENSIONS[which];
  const rulesets = useAsync(() => dim.rulesets(), [which]);
  const selected = query.get('ruleset') ?? rulesets.data?.[0]?.id;
  const rules = useAsync(() => (selected ? dim.rules(selected) : Promise.resolve([])), [which, selected]);
  const action = useAction();
  const [name, setName] = useState('');
  const [primary, setPrimary] = useState(false);
  const createRuleset = async (e: Event) => {
    e.preventDefault();
    const created = await action.run(() => dim.create({ name: name.trim(), is_primary: primary }));
    if (created) {
      setName('');
      setPrimary(false);
      rulesets.reload();
      setQuery({ ruleset: created.id });
    }
  };
  const toggle = async (r: Ruleset) => {
    if (await action.run(() => dim.update(r.id, { name: r.name, enabled: !r.enabled }).then(() => true))) rulesets.reload();
  };
  const removeRule = async (ruleId: string) => {
    if (!selected) return;
    if (await action.run(() => dim.removeRule(selected, ruleId).then(() => true))) {
      rules.reload();
      rulesets.reload();
    }
  };
  return (
    <section>
      <h1>{dim.title}</h1>
      <div class="actions" role="group" aria-label="Fit dimension">
        {(['profile', 'account'] as const).map((d) => (
          <button
            key={d}
            type="button"
            class="secondary"
            aria-pressed={d === which}
            onClick={() => setQuery({ dimension: d === 'profile' ? undefined : d, ruleset: undefined })}
          >
            {d === 'profile' ? 'Lead profile fit' : 'Account fit'}
          </button>
        ))}
      </div>
      <ErrorBox error={rulesets.error ?? action.error} />
      {!rulesets.data && !rulesets.error && <Loading what={`${dim.noun} rulesets`} />}
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
        <tbody data-testid={`${dim.noun}-rulesets`}>
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
      <form class="card editor" onSubmit={createRuleset} aria-labelledby="new-fit-ruleset">
        <h2 id="new-fit-ruleset">New {dim.noun} ruleset</h2>
        <div class="row">
          <div>
            <label for="pr-name">Ruleset name</label>
            <input id="pr-name" required value={name} onInput={(e) => setName(e.currentTarget.value)} />
          </div>
          <div class="check">
            <input id="pr-primary" type="checkbox" checked={primary} onChange={(e) => setPrimary(e.currentTarget.checked)} />
            <label for="pr-primary">Primary (its score is the {dim.noun === 'profile' ? "lead's profile" : "account's fit"} score)</label>
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
            <tbody data-testid={`${dim.noun}-rules`}>
              {(rules.data ?? []).map((r) => (
                <tr key={r.rule_id}>
                  <td>{r.property}</td>
                  <td>{words(r.condition)}</td>
                  <td>{r.comparison_value}</td>
                  <td class="num">{r.rule_type === 'hard_disqualify' ? 'disqualifies' : r.weight}</td>
                  <td>
                    <button type="button" class="secondary" aria-label={`Delete rule ${r.property} ${r.condition}`} onClick={() => void removeRule(r.rule_id)}>
                      Delete
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <NewFitRule
            key={which}
            dim={dim}
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

function NewFitRule({ dim, rulesetId, onCreated }: { dim: Dimension; rulesetId: string; onCreated: () => void }) {
  const [property, setProperty] = useState('');
  const [condition, setCondition] = useState<ProfileRule['condition']>('equals');
  const [value, setValue] = useState('');
  const [weight, setWeight] = useState('10');
  const action = useAction();
  const submit = async (e: Event) => {
    e.preventDefault();
    const body: RuleBody = { condition, comparison_value: value, weight: Number(weight) };
    if (await action.run(() => dim.addRule(rulesetId, property.trim(), body))) {
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
          <label for="prr-property">{dim.property}</label>
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
