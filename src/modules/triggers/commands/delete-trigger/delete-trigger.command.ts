import { TriggerKind } from '../../domain';

export class DeleteTriggerCommand {
  constructor(
    readonly kind: TriggerKind,
    readonly triggerId: string,
  ) {}
}
