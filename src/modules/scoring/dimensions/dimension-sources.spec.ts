import { DIMENSIONS } from '../domain/dimension';
import { dimensionSource, isWiredDimension } from './dimension-sources';

describe('dimension sources', () => {
  it('wires engagement only, each source answering for its own dimension', () => {
    expect(DIMENSIONS.filter(isWiredDimension)).toEqual(['engagement']);
    expect(dimensionSource('engagement')?.dimension).toBe('engagement');
    expect(dimensionSource('profile')).toBeUndefined();
  });
});
