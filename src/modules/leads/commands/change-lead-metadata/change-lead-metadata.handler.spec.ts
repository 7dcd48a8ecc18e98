import { AppError } from '../../../../platform/http';
import { Lead } from '../../domain/lead.aggregate';
import { ChangeLeadMetadataCommand } from './change-lead-metadata.command';
import { ChangeLeadMetadataHandler, decideMetadataChange } from './change-lead-metadata.handler';

jest.mock('../../../../platform/tenancy/request-context', () => ({ RequestContext: { eventMetadata: () => ({}) } }));

const lead = (metadata: Record<string, unknown>) => {
  const l = new Lead('ref-1');
  l.create({ lead_id: 'ld_1', metadata, account_id: null, source: 'api' }, new Date(0));
  return l;
};

describe('ChangeLeadMetadata', () => {
  it('states the change as given; account_id only when the caller named it', () => {
    expect(decideMetadataChange(lead({ a: 1 }), { set: { b: 2 }, removed: ['a'], replace: false, silent: true })).toEqual({
      set: { b: 2 },
      removed: ['a'],
      replace: false,
      silent: true,
    });
    expect(decideMetadataChange(lead({}), { set: {}, removed: [], replace: false, silent: true, account_id: null })).toMatchObject({ account_id: null });
  });

  it('refuses metadata that would exceed 100 KB (413 metadata_too_large), counting what the lead keeps', () => {
    const big = 'x'.repeat(60 * 1024);
    try {
      decideMetadataChange(lead({ a: big }), { set: { b: big }, removed: [], replace: false, silent: false });
      throw new Error('expected 413');
    } catch (err) {
      expect((err as AppError).getStatus()).toBe(413);
      expect((err as AppError).getResponse()).toMatchObject({ error: 'metadata_too_large' });
    }
    // replacing drops what the lead had
    expect(() => decideMetadataChange(lead({ a: big }), { set: { b: big }, removed: [], replace: true, silent: false })).not.toThrow();
  });

  it('answers 404 lead_not_found when the lead is no longer live', async () => {
    const repo = {
      transaction: (w: (m: unknown) => Promise<unknown>) => w({ query: async () => [] }),
      loadMany: async () => new Map(),
      saveMany: async () => [],
    };
    const handler = new ChangeLeadMetadataHandler({} as never, repo as never, { now: () => new Date(0) } as never);
    await expect(handler.execute(new ChangeLeadMetadataCommand('ref-1', { set: {}, removed: [], replace: false, silent: true }))).rejects.toMatchObject({
      code: 'lead_not_found',
    });
  });
});
