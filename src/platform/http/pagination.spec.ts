import { pageOf, pageRequest } from './pagination';

describe('pagination', () => {
  it('defaults to page 1 of 50', () => {
    expect(pageRequest({})).toEqual({ page: 1, limit: 50, offset: 0 });
  });
  it('computes the offset of later pages', () => {
    expect(pageRequest({ page: 3, limit: 20 })).toEqual({ page: 3, limit: 20, offset: 40 });
  });
  it('wraps items in the named envelope', () => {
    expect(pageOf('leads', [1, 2], 7, pageRequest({ page: 2, limit: 2 }))).toEqual({ leads: [1, 2], total: 7, page: 2, limit: 2 });
  });
});
