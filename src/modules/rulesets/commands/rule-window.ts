import { PlatformErrors } from '../../../platform/http';
import { RuleFields } from '../domain/ruleset-events';

/** 400 when a rule's window would end before (or when) it starts. */
export function assertRuleWindow(rule: Pick<RuleFields, 'start_at' | 'end_at'>): void {
  if (rule.start_at && rule.end_at && new Date(rule.start_at) >= new Date(rule.end_at)) {
    throw PlatformErrors.error('validation_failed', 'end_at: must be after start_at', [{ field: 'end_at', reason: 'must be after start_at' }]);
  }
}
