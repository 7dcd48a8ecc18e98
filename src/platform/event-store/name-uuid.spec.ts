import { nameUuid } from './name-uuid';

describe('nameUuid', () => {
  // stored ids (client event ids, aliases, firings) are dedupe keys: these values must never change
  it.each([
    ['kenbun:event:unit_default:evt-1', '85ec304e-3e77-524c-a645-cc4193b46c9f'],
    ['kenbun:alias:unit_default:email:zoë@exämple.com', '7810bdec-fea2-5ae3-818c-e0bebf0c38c0'],
    ['', 'da39a3ee-5e6b-5b0d-b255-bfef95601890'],
  ])('gives %j the id it always gave', (name, id) => {
    expect(nameUuid(name)).toBe(id);
  });

  it('is a version 5, RFC 9562 variant UUID, different for different names', () => {
    const a = nameUuid('kenbun:surge:t1:e1');
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(nameUuid('kenbun:surge:t1:e2')).not.toBe(a);
    expect(nameUuid('kenbun:surge:t1:e1')).toBe(a);
  });
});
