import { DataSource } from 'typeorm';
import { RequestContext, TenantContext } from '../../../platform/tenancy';
import { AuditLogsReader } from './audit-logs.reader';

function capture() {
  const calls: { text: string; values: unknown[] }[] = [];
  const ds = { query: async (text: string, values: unknown[]) => (calls.push({ text, values }), []) } as unknown as DataSource;
  return { reader: new AuditLogsReader(ds), calls };
}

const ctx = (orgRole: 'admin' | 'member'): TenantContext => ({
  orgId: 'org_1',
  unitId: 'ou_1',
  principal: { type: 'member', id: 'm', orgId: 'org_1', orgRole, activeOuKey: 'k' },
});

describe('AuditLogsReader', () => {
  it('reads the active OU (and organization-level entries for admins) with every filter as a parameter', async () => {
    const { reader, calls } = capture();
    const page = await RequestContext.run(ctx('admin'), () =>
      reader.page({ search: '50%_off', method: 'POST', status_min: 400, sort_by: 'status', sort_order: 'ASC' }),
    );
    expect(page).toEqual({ items: [], limit: 100, offset: 0 });
    const [{ text, values }] = calls;
    expect(text).toContain('WHERE org_id = $1 AND (unit_id = $2 OR ($3 AND unit_id IS NULL))');
    expect(text).toContain('ORDER BY status ASC, id ASC NULLS LAST');
    expect(values).toEqual(['org_1', 'ou_1', true, '%50\\%\\_off%', '%50\\%\\_off%', '%50\\%\\_off%', 'POST', 400, 100, 0]);
  });

  it('hides organization-level entries from members who are not org admins', async () => {
    const { reader, calls } = capture();
    await RequestContext.run(ctx('member'), () => reader.page({ limit: 5, offset: 10 }));
    expect(calls[0].values).toEqual(['org_1', 'ou_1', false, 5, 10]);
  });
});
