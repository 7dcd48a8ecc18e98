import { TriggerKind } from '../../domain';
import { TriggerInput } from '../trigger-input';

export class CreateTriggerCommand {
  constructor(
    readonly kind: TriggerKind,
    readonly input: TriggerInput,
  ) {}
}
