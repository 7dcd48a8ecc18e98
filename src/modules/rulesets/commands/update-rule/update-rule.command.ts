import { Command } from '@nestjs/cqrs';
import type { EntityManager } from 'typeorm';
import { Dimension, ENGAGEMENT } from '../../../scoring';
import { AnyRuleFields } from '../../domain/ruleset-events';

/**
 * Changes some fields of a rule; the history it scored is not recomputed (score-now does that). `alsoInTransaction`
 * runs after the change is saved, in the same transaction (calibration's apply writes its audit entry there, CAL-6).
 */
export class UpdateRuleCommand extends Command<{ rulesetId: string }> {
  constructor(
    readonly ruleId: string,
    readonly changes: Partial<AnyRuleFields>,
    readonly dimension: Dimension = ENGAGEMENT,
    readonly alsoInTransaction?: (m: EntityManager) => Promise<void>,
  ) {
    super();
  }
}
