import { Command } from '@nestjs/cqrs';
import { SurgeTriggerChanges } from '../surge-trigger-changes';

/** Partial update of a trigger of the active OU; answers whether it still uses the deprecated webhook_url. */
export class UpdateSurgeTriggerCommand extends Command<{ usesWebhookUrl: boolean }> {
  constructor(
    readonly triggerId: string,
    readonly changes: SurgeTriggerChanges,
  ) {
    super();
  }
}
