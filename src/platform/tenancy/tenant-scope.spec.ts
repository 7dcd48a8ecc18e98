import { HttpException } from '@nestjs/common';
import { RequestContext } from './request-context';
import { inOrg, inUnit, tenantKey } from './tenant-scope';

describe('tenant scope', () => {
  const principal = { type: 'service_account' as const, id: 'sec_1', orgId: 'org_a', activeOuKey: 'sa:sec_1' };

  it('adds the organization and OU of the current context', () => {
    RequestContext.run({ principal, orgId: 'org_a', unitId: 'unit_x' }, () => {
      expect(inOrg({ id: 'm1' })).toEqual({ id: 'm1', orgId: 'org_a' });
      expect(inUnit({ id: 'r1' })).toEqual({ id: 'r1', orgId: 'org_a', unitId: 'unit_x' });
      expect(tenantKey()).toEqual({ org_id: 'org_a', unit_id: 'unit_x' });
    });
  });

  it('cannot be overridden by the caller-supplied where', () => {
    RequestContext.run({ principal, orgId: 'org_a', unitId: 'unit_x' }, () => {
      expect(inUnit({ orgId: 'org_b', unitId: 'unit_y' } as object)).toEqual({ orgId: 'org_a', unitId: 'unit_x' });
    });
  });

  it('fails loudly without a tenant: 401 without an organization, 400 no_active_ou without an OU', () => {
    expect(() => inOrg()).toThrow(HttpException);
    RequestContext.run({ principal, orgId: 'org_a' }, () => {
      try {
        inUnit();
        throw new Error('expected no_active_ou');
      } catch (err) {
        expect((err as HttpException).getStatus()).toBe(400);
        expect((err as HttpException).getResponse()).toMatchObject({ error: 'no_active_ou' });
      }
    });
  });

  it('keeps concurrent contexts apart', async () => {
    const seen = await Promise.all(
      ['org_1', 'org_2', 'org_3'].map((org) =>
        RequestContext.run({ principal: { ...principal, orgId: org }, orgId: org }, async () => {
          await new Promise((r) => setTimeout(r, Math.random() * 10));
          return inOrg().orgId;
        }),
      ),
    );
    expect(seen).toEqual(['org_1', 'org_2', 'org_3']);
  });
});
