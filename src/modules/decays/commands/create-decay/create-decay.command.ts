import { Command } from '@nestjs/cqrs';
import type { DecayRuleInput } from '../../domain/decay-rule-input';

/** Creates a decay rule in the active OU from either request shape; answers its id. */
export class CreateDecayCommand extends Command<{ decayId: string }> {
  constructor(readonly input: DecayRuleInput) {
    super();
  }
}
