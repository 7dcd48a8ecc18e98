import { useState } from 'preact/hooks';
import { api, must, text, type Schemas } from '../api/client';
import { useAction, useAsync } from '../lib/hooks';
import { setQuery } from '../lib/router';
import { ChoiceField, EnableToggle, ErrorBox, fmtDate, fmtNum, LevelBadge, Link, Loading, words } from '../lib/ui';

const MEMBERS_PAGE = 50;

export function SegmentsPage({ query }: { query: URLSearchParams }) {
  const segments = useAsync(() => must(api.GET('/segments')), []);
  const counts = useAsync(async () => {
    const out: Record<string, number> = {};
    await Promise.all(
      (segments.data ?? []).map(async (s) => {
        out[s.segment_id] = (await must(api.GET('/segments/{id}/count', { params: { path: { id: s.segment_id } } })).catch(() => ({ count: NaN }))).count;
      }),
    );
    return out;
  }, [segments.data]);
  const selected = query.get('segment') ?? undefined;
  const current = segments.data?.find((s) => s.segment_id === selected);
  const page = Math.max(1, Number(query.get('page')) || 1);
  const action = useAction();
  // membership is recalculated in the background after a change (SEG-5): the counts are read again as it lands
  const changed = () => {
    segments.reload();
    for (const ms of [1000, 3000]) setTimeout(() => counts.reload(), ms);
  };
  const toggle = async (s: Schemas['SegmentDto']) => {
    const body = { name: s.name, description: s.description, active: !s.active };
    if (await action.run(() => must(api.PUT('/segments/{id}', { params: { path: { id: s.segment_id } }, body })).then(() => true))) changed();
  };
  const remove = async (s: Schemas['SegmentDto']) => {
    if (!confirm(`Delete segment ${s.name}? Its rules go too; the leads stay.`)) return;
    if (await action.run(() => must(api.DELETE('/segments/{id}', { params: { path: { id: s.segment_id } } })).then(() => true))) {
      if (s.segment_id === selected) setQuery({ segment: undefined, page: undefined });
      changed();
    }
  };
  const members = useAsync(
    () =>
      selected ? must(api.GET('/segments/{id}/leads', { params: { path: { id: selected }, query: { page, limit: MEMBERS_PAGE } } })) : Promise.resolve([]),
    [selected, page],
  );
  const [a, setA] = useState('');
  const [b, setB] = useState('');
  const overlap = useAsync(() => (a && b ? must(api.GET('/segments/overlap', { params: { query: { a, b } } })) : Promise.resolve(undefined)), [a, b]);
  return (
    <section>
      <h1>Segments</h1>
      <ErrorBox error={segments.error ?? action.error} />
      {!segments.data && !segments.error && <Loading what="segments" />}
      <table class="grid compact">
        <thead>
          <tr>
            <th scope="col">Segment</th>
            <th scope="col">Leads</th>
            <th scope="col">Active</th>
            <th scope="col">Updated</th>
            <th scope="col">
              <span class="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody data-testid="segments">
          {(segments.data ?? []).map((s) => (
            <tr key={s.segment_id}>
              <td>
                <button
                  type="button"
                  class="link"
                  aria-pressed={s.segment_id === selected}
                  onClick={() => setQuery({ segment: s.segment_id, page: undefined })}
                >
                  {s.name}
                </button>
                {s.description ? <span class="muted"> — {s.description}</span> : null}
              </td>
              <td class="num">{fmtNum(counts.data?.[s.segment_id])}</td>
              <td>{s.active ? 'yes' : 'no'}</td>
              <td>{fmtDate(s.updated_at)}</td>
              <td>
                <div class="actions">
                  <EnableToggle name={s.name} enabled={s.active} onToggle={() => void toggle(s)} />
                  <button type="button" class="secondary" aria-label={`Delete segment ${s.name}`} onClick={() => void remove(s)}>
                    Delete
                  </button>
                </div>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {selected && (
        <>
          <SegmentRules segmentId={selected} name={current?.name ?? ''} onChanged={changed} />
          <h2>Members</h2>
          <ErrorBox error={members.error} />
          <table class="grid compact">
            <thead>
              <tr>
                <th scope="col">Lead</th>
                <th scope="col">Score</th>
                <th scope="col">Level</th>
                <th scope="col">Joined</th>
              </tr>
            </thead>
            <tbody data-testid="segment-members">
              {(members.data ?? []).map((m) => (
                <tr key={m.lead_id}>
                  <td>
                    <Link to={`/leads/${encodeURIComponent(m.lead_id)}`}>{text((m.metadata as Record<string, unknown>)?.email) || m.lead_id}</Link>
                  </td>
                  <td class="num">{m.score}</td>
                  <td>
                    <LevelBadge name={m.engagement_level} />
                  </td>
                  <td>{fmtDate(m.joined_at)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <nav class="pager" aria-label="Member pages">
            <button type="button" disabled={page <= 1} onClick={() => setQuery({ page: page - 1 > 1 ? page - 1 : undefined })}>
              ← Previous
            </button>
            <span>Page {page}</span>
            <button type="button" disabled={(members.data?.length ?? 0) < MEMBERS_PAGE} onClick={() => setQuery({ page: page + 1 })}>
              Next →
            </button>
          </nav>
        </>
      )}
      <NewSegment onCreated={segments.reload} />
      <h2>Overlap</h2>
      <div class="row">
        {(
          [
            ['ov-a', 'First segment', a, setA],
            ['ov-b', 'Second segment', b, setB],
          ] as const
        ).map(([id, label, value, set]) => (
          <div key={id}>
            <label for={id}>{label}</label>
            <select id={id} value={value} onChange={(e) => set(e.currentTarget.value)}>
              <option value="">choose…</option>
              {(segments.data ?? []).map((s) => (
                <option key={s.segment_id} value={s.segment_id}>
                  {s.name}
                </option>
              ))}
            </select>
          </div>
        ))}
      </div>
      <ErrorBox error={overlap.error} />
      {overlap.data && (
        <p role="status">
          {fmtNum(overlap.data.overlap_count)} leads are in both: {fmtNum(overlap.data.overlap_pct_a, 1)}% of the first ({fmtNum(overlap.data.a_count)}),{' '}
          {fmtNum(overlap.data.overlap_pct_b, 1)}% of the second ({fmtNum(overlap.data.b_count)}).
        </p>
      )}
    </section>
  );
}

type SegmentRule = Schemas['CreateSegmentRuleDto'];
const RULE_TYPES: [SegmentRule['rule_type'], string][] = [
  ['lead_metadata', 'Lead field'],
  ['event_metadata', 'Event field'],
  ['engagement_level', 'Engagement level'],
  ['profile_level', 'Profile level'],
  ['account_metadata', 'Account field'],
  ['account_level', 'Account level'],
];
const RULE_TYPE_LABEL = Object.fromEntries(RULE_TYPES) as Record<SegmentRule['rule_type'], string>;
const OPERATORS: SegmentRule['operator'][] = [
  'equals',
  'not_equals',
  'contains',
  'starts_with',
  'ends_with',
  'gt',
  'lt',
  'gte',
  'lte',
  'is_empty',
  'is_not_empty',
];
const LOGIC_OPS: NonNullable<SegmentRule['logic_op']>[] = ['AND', 'OR'];
const valueless = (op: string) => op === 'is_empty' || op === 'is_not_empty';

/** A rule as its form holds it. */
interface RuleDraft {
  ruleType: SegmentRule['rule_type'];
  field: string;
  operator: SegmentRule['operator'];
  value: string;
  eventType: string;
}
const NEW_RULE: RuleDraft = { ruleType: 'lead_metadata', field: '', operator: 'equals', value: '', eventType: '' };

/** The API body of a drafted rule (level rules compare the level name: their field is only a label). */
function ruleBody(d: RuleDraft): SegmentRule {
  const level = d.ruleType.endsWith('_level');
  return {
    rule_type: d.ruleType,
    field_name: level ? 'level' : d.field.trim(),
    operator: d.operator,
    ...(valueless(d.operator) ? {} : { value: d.value }),
    ...(d.ruleType === 'event_metadata' && d.eventType.trim() ? { event_type: d.eventType.trim() } : {}),
  };
}

/** The inputs of one rule (what it reads, the condition, the value), shared by the new-segment and add-rule forms. */
function RuleInputs(props: {
  id: string;
  labels: { type: string; field: string; operator: string; value: string };
  draft: RuleDraft;
  onChange: (d: RuleDraft) => void;
}) {
  const { id, labels, draft, onChange } = props;
  const set = (patch: Partial<RuleDraft>) => onChange({ ...draft, ...patch });
  const level = draft.ruleType.endsWith('_level');
  return (
    <>
      <div>
        <label for={`${id}-type`}>{labels.type}</label>
        <select
          id={`${id}-type`}
          value={draft.ruleType}
          onChange={(e) => {
            const ruleType = e.currentTarget.value as SegmentRule['rule_type'];
            // level rules take equals / not equals only
            set({ ruleType, ...(ruleType.endsWith('_level') && !OPERATORS.slice(0, 2).includes(draft.operator) ? { operator: 'equals' } : {}) });
          }}
        >
          {RULE_TYPES.map(([v, label]) => (
            <option key={v} value={v}>
              {label}
            </option>
          ))}
        </select>
      </div>
      {draft.ruleType === 'event_metadata' && (
        <div>
          <label for={`${id}-event-type`}>Of events of type</label>
          <input id={`${id}-event-type`} value={draft.eventType} onInput={(e) => set({ eventType: e.currentTarget.value })} placeholder="any type" />
        </div>
      )}
      {!level && (
        <div>
          <label for={`${id}-field`}>{labels.field}</label>
          <input id={`${id}-field`} required value={draft.field} onInput={(e) => set({ field: e.currentTarget.value })} placeholder="e.g. industry" />
        </div>
      )}
      <ChoiceField
        id={`${id}-operator`}
        label={labels.operator}
        value={draft.operator}
        choices={level ? OPERATORS.slice(0, 2) : OPERATORS}
        onChange={(operator) => set({ operator })}
      />
      {!valueless(draft.operator) && (
        <div>
          <label for={`${id}-value`}>{labels.value}</label>
          <input id={`${id}-value`} value={draft.value} onInput={(e) => set({ value: e.currentTarget.value })} />
        </div>
      )}
    </>
  );
}

/**
 * The rules of the selected segment (SEG-2, SEG-10): listed in evaluation order, switched on and off, deleted, and
 * added with their group and the operator joining them to the previous rule of the group. The API validates each.
 */
function SegmentRules({ segmentId, name, onChanged }: { segmentId: string; name: string; onChanged: () => void }) {
  const rules = useAsync(() => must(api.GET('/segments/{id}/rules', { params: { path: { id: segmentId } } })), [segmentId]);
  const action = useAction();
  const [draft, setDraft] = useState<RuleDraft>(NEW_RULE);
  const [group, setGroup] = useState('0');
  const [joinedBy, setJoinedBy] = useState<NonNullable<SegmentRule['logic_op']>>('AND');
  const ordered = [...(rules.data ?? [])].sort((a, b) => a.logic_group - b.logic_group || a.order_index - b.order_index);
  const done = () => {
    rules.reload();
    onChanged();
  };
  const describe = (r: Schemas['SegmentRuleDto']) => `${words(r.rule_type)} ${r.field_name} ${words(r.operator)}`;
  const toggle = async (r: Schemas['SegmentRuleDto']) => {
    const path = { id: segmentId, ruleId: r.rule_id };
    if (await action.run(() => must(api.PUT('/segments/{id}/rules/{ruleId}', { params: { path }, body: { active: !r.active } })).then(() => true))) done();
  };
  const remove = async (r: Schemas['SegmentRuleDto']) => {
    const path = { id: segmentId, ruleId: r.rule_id };
    if (await action.run(() => must(api.DELETE('/segments/{id}/rules/{ruleId}', { params: { path } })).then(() => true))) done();
  };
  const add = async (e: Event) => {
    e.preventDefault();
    const logicGroup = Number(group) || 0;
    // last in its group: the rule joins the group's rules as the form shows them
    const orderIndex = Math.max(-1, ...ordered.filter((r) => r.logic_group === logicGroup).map((r) => r.order_index)) + 1;
    const body: SegmentRule = { ...ruleBody(draft), logic_group: logicGroup, logic_op: joinedBy, order_index: orderIndex };
    if (await action.run(() => must(api.POST('/segments/{id}/rules', { params: { path: { id: segmentId } }, body })))) {
      setDraft({ ...draft, field: '', value: '' });
      done();
    }
  };
  return (
    <>
      <h2>Rules{name ? ` of ${name}` : ''}</h2>
      <p class="muted">Within a group, each rule is joined to the one before it by its operator; every group must hold. Inactive rules are kept and ignored.</p>
      <ErrorBox error={rules.error ?? action.error} />
      <table class="grid compact">
        <thead>
          <tr>
            <th scope="col">Group</th>
            <th scope="col">Joined by</th>
            <th scope="col">Rule on</th>
            <th scope="col">Field</th>
            <th scope="col">Condition</th>
            <th scope="col">Value</th>
            <th scope="col">Active</th>
            <th scope="col">
              <span class="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody data-testid="segment-rules">
          {ordered.map((r, i) => (
            <tr key={r.rule_id}>
              <td class="num">{r.logic_group}</td>
              <td>{i > 0 && ordered[i - 1].logic_group === r.logic_group ? r.logic_op : '—'}</td>
              <td>
                {RULE_TYPE_LABEL[r.rule_type] ?? words(r.rule_type)}
                {r.event_type ? <span class="muted"> ({r.event_type})</span> : null}
              </td>
              <td>{r.rule_type.endsWith('_level') ? '' : r.field_name}</td>
              <td>{words(r.operator)}</td>
              <td>{r.value ?? ''}</td>
              <td>{r.active ? 'yes' : 'no'}</td>
              <td>
                <div class="actions">
                  <EnableToggle name={`rule ${describe(r)}`} enabled={r.active} onToggle={() => void toggle(r)} />
                  <button type="button" class="secondary" aria-label={`Delete rule ${describe(r)}`} onClick={() => void remove(r)}>
                    Delete
                  </button>
                </div>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <form class="card editor" onSubmit={add} aria-labelledby="new-segment-rule">
        <h3 id="new-segment-rule">Add a rule</h3>
        <div class="row">
          <RuleInputs
            id="sgr"
            labels={{ type: 'New rule on', field: 'Rule field', operator: 'Rule condition', value: 'Rule value' }}
            draft={draft}
            onChange={setDraft}
          />
          <div class="narrow">
            <label for="sgr-group">Group</label>
            <input id="sgr-group" type="number" required value={group} onInput={(e) => setGroup(e.currentTarget.value)} />
          </div>
          <ChoiceField id="sgr-joined" label="Joined by" value={joinedBy} choices={LOGIC_OPS} onChange={setJoinedBy} />
        </div>
        <button type="submit" disabled={action.busy}>
          Add rule
        </button>
      </form>
    </>
  );
}

/** A new segment with its first rule (more rules under the segment once it is selected); the API validates both. */
function NewSegment({ onCreated }: { onCreated: () => void }) {
  const [name, setName] = useState('');
  const [draft, setDraft] = useState<RuleDraft>(NEW_RULE);
  const action = useAction();
  const submit = async (e: Event) => {
    e.preventDefault();
    const rule = ruleBody(draft);
    const created = await action.run(async () => {
      const segment = await must(api.POST('/segments', { body: { name: name.trim(), active: true } }));
      try {
        await must(api.POST('/segments/{id}/rules', { params: { path: { id: segment.segment_id } }, body: rule }));
      } catch (err) {
        // a refused rule leaves no half-made segment behind
        await api.DELETE('/segments/{id}', { params: { path: { id: segment.segment_id } } });
        throw err;
      }
      return segment;
    });
    if (created) {
      setName('');
      setDraft({ ...draft, value: '' });
      onCreated();
    }
  };
  return (
    <form class="card editor" onSubmit={submit} aria-labelledby="new-segment">
      <h2 id="new-segment">New segment</h2>
      <div class="row">
        <div>
          <label for="sg-name">Name</label>
          <input id="sg-name" required value={name} onInput={(e) => setName(e.currentTarget.value)} />
        </div>
        <RuleInputs id="sg" labels={{ type: 'Rule on', field: 'Field', operator: 'Condition', value: 'Value' }} draft={draft} onChange={setDraft} />
      </div>
      <ErrorBox error={action.error} />
      <button type="submit" disabled={action.busy}>
        Create segment
      </button>
    </form>
  );
}
