import { Dimension } from '../domain/dimension';
import { DimensionSource } from './dimension-source';
import { engagementSource } from './engagement.source';

/** The dimensions that have a source of contributions today; the others have no rulesets to score yet. */
const SOURCES: Partial<Record<Dimension, DimensionSource>> = { engagement: engagementSource };

export function dimensionSource(dimension: Dimension): DimensionSource | undefined {
  return SOURCES[dimension];
}

export function isWiredDimension(dimension: Dimension): boolean {
  return SOURCES[dimension] !== undefined;
}
