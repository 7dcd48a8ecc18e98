import { Lead } from '../../domain/lead.aggregate';
import { ImportLeadRowsCommand, LeadImportMapping } from './import-lead-rows.command';
import { ImportLeadRowsHandler } from './import-lead-rows.handler';

const mapping: LeadImportMapping = {
  unit_id: 'ou',
  primary_column: 'email',
  primary_kind: 'email',
  field_mappings: { name: 'name' },
  alias_mappings: { phone: 'phone' },
};

/** The database holds `aliases` (kind:value → lead) and `leads`; saves and the in-transaction hook are captured. */
function setup(aliases: { kind: string; value: string; lead_ref: string; lead_id: string; status: string }[] = []) {
  const saved: Lead[][] = [];
  const m = { query: async (text: string) => (text.includes('lead_aliases') ? aliases : []) };
  const repo = {
    transaction: (w: (m: unknown) => Promise<unknown>) => w(m),
    loadMany: async (_t: unknown, refs: string[]) =>
      new Map(
        refs.map((ref) => {
          const l = new Lead(ref);
          l.create({ lead_id: `ld_${ref}`, metadata: {}, account_id: null, source: 'api' }, new Date(0));
          l.markCommitted(1);
          return [ref, l];
        }),
      ),
    saveMany: async (leads: Lead[]) => saved.push(leads),
  };
  return { handler: new ImportLeadRowsHandler(repo as never, { now: () => new Date(0) } as never), saved };
}

describe('ImportLeadRows', () => {
  it('creates a lead per new primary identifier, updates a known one, and reports row problems', async () => {
    const { handler, saved } = setup([{ kind: 'email', value: 'known@x.io', lead_ref: 'r1', lead_id: 'ld_r1', status: 'active' }]);
    let hooked: unknown;
    const outcome = await handler.execute(
      new ImportLeadRowsCommand(
        [
          { line: 2, values: { email: ' New@X.io ', name: 'New' } },
          { line: 3, values: { email: 'known@x.io', name: 'Known' } },
          { line: 4, values: { email: '', name: 'Nobody' } },
        ],
        mapping,
        {},
        async (_m, o) => void (hooked = o),
      ),
    );
    expect(outcome).toEqual({ created: 1, updated: 1, errors: [{ row: 4, column: 'email', reason: "the primary identifier column 'email' is empty" }] });
    expect(hooked).toBe(outcome);
    expect(saved[0]).toHaveLength(2);
  });

  it('never takes an alias another lead owns, and refuses a lead that is not active', async () => {
    const { handler } = setup([
      { kind: 'phone', value: '+1', lead_ref: 'r2', lead_id: 'ld_r2', status: 'active' },
      { kind: 'email', value: 'gone@x.io', lead_ref: 'r3', lead_id: 'ld_r3', status: 'deleting' },
    ]);
    const outcome = await handler.execute(
      new ImportLeadRowsCommand(
        [
          { line: 2, values: { email: 'a@x.io', phone: '+1' } },
          { line: 3, values: { email: 'gone@x.io' } },
        ],
        mapping,
        {},
      ),
    );
    expect(outcome.errors).toEqual([
      { row: 2, column: 'phone', reason: "phone alias '+1' belongs to another lead (ld_r2); not moved" },
      { row: 3, column: 'email', reason: 'lead ld_r3 is not active' },
    ]);
    expect(outcome.created).toBe(1);
  });
});
