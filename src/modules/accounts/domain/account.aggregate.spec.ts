import { Account } from './account.aggregate';

const at = new Date('2026-06-15T12:00:00Z');
const account = (id: string, accountId: string): Account => {
  const a = new Account(id);
  a.create({ org_id: 'org', unit_id: 'unit', account_id: accountId, group_key: `id:${accountId}`, name: null, domain: null }, at);
  return a;
};

describe('Account aggregate: buying committee', () => {
  it('keeps members until they are removed', () => {
    const a = account('a1', 'acme');
    a.setMember({ lead_ref: 'l1', lead_id: 'lead-1', role: 'champion', notes: null }, at);
    expect(a.hasMember('l1')).toBe(true);
    expect(a.removeMember('l1', at)).toBe(true);
    expect(a.hasMember('l1')).toBe(false);
    expect(a.removeMember('l1', at)).toBe(false);
  });

  it('drops its committee when merged into another account, as the read model does', () => {
    const source = account('a1', 'acme');
    const target = account('a2', 'globex');
    source.setMember({ lead_ref: 'l1', lead_id: 'lead-1', role: 'kol', notes: 'blog' }, at);
    source.mergeInto(target, { leads: 1, deals: 0 }, 'user', at);
    expect(source.live).toBe(false);
    expect(source.committee).toEqual([]);
    expect(source.hasMember('l1')).toBe(false);
  });
});
