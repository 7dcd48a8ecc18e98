import { TriggerKind } from '../../domain';
import { TriggerInput } from '../trigger-input';

/** Partial update: omitted fields are unchanged, null clears a nullable one. */
export class UpdateTriggerCommand {
  constructor(
    readonly kind: TriggerKind,
    readonly triggerId: string,
    readonly input: TriggerInput,
  ) {}
}
