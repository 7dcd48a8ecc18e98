import { PlatformErrors } from '../../../platform/http';
import { DecayRuleInputError } from '../domain/decay-rule-input';

/** Runs a shape resolution, turning its problems into the one 400 of bad input (each naming its field). */
export function resolvingShape<T>(resolve: () => T): T {
  try {
    return resolve();
  } catch (err) {
    if (err instanceof DecayRuleInputError) throw PlatformErrors.error('validation_failed', err.message, err.problems);
    throw err;
  }
}
