import { Command } from '@nestjs/cqrs';
import type { DecayRuleInput } from '../../domain/decay-rule-input';

/** Partial update of a decay rule of the active OU (either request shape). */
export class UpdateDecayCommand extends Command<void> {
  constructor(
    readonly decayId: string,
    readonly changes: DecayRuleInput,
  ) {
    super();
  }
}
