import { AppError } from '../../../../platform/http';
import { Lead } from '../../domain/lead.aggregate';
import { checkMergeable, findMergeParties, MergeLeadRow, refuseTargetAmongSources } from './merge-decisions';

const row = (lead_id: string, status = 'active'): MergeLeadRow => ({ id: `ref-${lead_id}`, lead_id, status, score_reset_at: null });
const lead = (ref: string, merged?: { into: string; by: string }): Lead => {
  const l = new Lead(ref);
  l.create({ lead_id: ref, metadata: {}, account_id: null, source: 'api' }, new Date(0));
  if (merged) l.mergeInto({ merge_id: merged.by, target_ref: merged.into, target_lead_id: merged.into, moved_events: 0 }, `${merged.by}:${ref}`, new Date(1));
  return l;
};
const errorOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    return { status: (err as AppError).getStatus(), body: (err as AppError).getResponse() as { error: string } };
  }
  throw new Error('expected an error');
};

describe('MergeLeads decisions', () => {
  it('refuses a target that is also a source (400 target_in_sources)', () => {
    expect(errorOf(() => refuseTargetAmongSources('a', ['b', 'a']))).toMatchObject({ status: 400, body: { error: 'target_in_sources' } });
  });

  it('answers 404 lead_not_found for a target or source not found in the active OU', () => {
    expect(errorOf(() => findMergeParties([row('b')], 'a', ['b']))).toMatchObject({ status: 404, body: { error: 'lead_not_found' } });
    expect(errorOf(() => findMergeParties([row('a')], 'a', ['b']))).toMatchObject({
      status: 404,
      body: { error: 'lead_not_found', details: [{ lead_id: 'b' }] },
    });
    expect(errorOf(() => findMergeParties([row('a', 'deleting'), row('b')], 'a', ['b']))).toMatchObject({ status: 404 });
  });

  it('refuses a source already merged elsewhere (400 source_already_merged)', () => {
    const sources = [row('b'), row('c')];
    const e = errorOf(() => checkMergeable('m1', row('a'), lead('ref-a'), sources, [lead('ref-b'), lead('ref-c', { into: 'x', by: 'm0' })]));
    expect(e).toMatchObject({ status: 400, body: { error: 'source_already_merged', details: [{ lead_id: 'c', reason: 'already merged' }] } });
  });

  it('recognises its own merge recorded already (a retry answers the recorded outcome)', () => {
    expect(checkMergeable('m1', row('a'), lead('ref-a'), [row('b')], [lead('ref-b', { into: 'ref-a', by: 'm1' })])).toBe('retry');
  });

  it('refuses a target merged away meanwhile (404)', () => {
    expect(errorOf(() => checkMergeable('m1', row('a'), lead('ref-a', { into: 'z', by: 'm0' }), [row('b')], [lead('ref-b')]))).toMatchObject({ status: 404 });
  });

  it('merges live, unmerged leads', () => {
    expect(checkMergeable('m1', row('a'), lead('ref-a'), [row('b')], [lead('ref-b')])).toBe('merge');
  });
});
