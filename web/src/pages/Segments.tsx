import { useState } from 'preact/hooks';
import { api, must, text, type Schemas } from '../api/client';
import { useAction, useAsync } from '../lib/hooks';
import { setQuery } from '../lib/router';
import { ChoiceField, ErrorBox, fmtDate, fmtNum, LevelBadge, Link, Loading } from '../lib/ui';

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
  const page = Math.max(1, Number(query.get('page')) || 1);
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
      <ErrorBox error={segments.error} />
      {!segments.data && !segments.error && <Loading what="segments" />}
      <table class="grid compact">
        <thead>
          <tr>
            <th scope="col">Segment</th>
            <th scope="col">Leads</th>
            <th scope="col">Active</th>
            <th scope="col">Updated</th>
          </tr>
        </thead>
        <tbody>
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
            </tr>
          ))}
        </tbody>
      </table>
      {selected && (
        <>
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
            <tbody>
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

/** A new segment with its first rule (more rules and logic groups through the API); the API validates both. */
function NewSegment({ onCreated }: { onCreated: () => void }) {
  const [name, setName] = useState('');
  const [ruleType, setRuleType] = useState<SegmentRule['rule_type']>('lead_metadata');
  const [field, setField] = useState('');
  const [operator, setOperator] = useState<SegmentRule['operator']>('equals');
  const [value, setValue] = useState('');
  const action = useAction();
  const level = ruleType.endsWith('_level');
  const submit = async (e: Event) => {
    e.preventDefault();
    const rule: SegmentRule = {
      rule_type: ruleType,
      field_name: level ? 'level' : field.trim(),
      operator,
      ...(operator === 'is_empty' || operator === 'is_not_empty' ? {} : { value }),
    };
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
      setValue('');
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
        <div>
          <label for="sg-type">Rule on</label>
          <select id="sg-type" value={ruleType} onChange={(e) => setRuleType(e.currentTarget.value as SegmentRule['rule_type'])}>
            {RULE_TYPES.map(([v, label]) => (
              <option key={v} value={v}>
                {label}
              </option>
            ))}
          </select>
        </div>
        {!level && (
          <div>
            <label for="sg-field">Field</label>
            <input id="sg-field" required value={field} onInput={(e) => setField(e.currentTarget.value)} placeholder="e.g. industry" />
          </div>
        )}
        <ChoiceField id="sg-operator" label="Condition" value={operator} choices={level ? OPERATORS.slice(0, 2) : OPERATORS} onChange={setOperator} />
        {operator !== 'is_empty' && operator !== 'is_not_empty' && (
          <div>
            <label for="sg-value">Value</label>
            <input id="sg-value" value={value} onInput={(e) => setValue(e.currentTarget.value)} />
          </div>
        )}
      </div>
      <ErrorBox error={action.error} />
      <button type="submit" disabled={action.busy}>
        Create segment
      </button>
    </form>
  );
}
