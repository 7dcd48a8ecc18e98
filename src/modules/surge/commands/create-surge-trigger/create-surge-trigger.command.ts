import { Command } from '@nestjs/cqrs';
import { SurgeTriggerChanges } from '../surge-trigger-changes';

export interface NewSurgeTrigger extends SurgeTriggerChanges {
  window_seconds: number;
  threshold_count: number;
}

/** Creates a surge trigger in the active OU; answers its id. */
export class CreateSurgeTriggerCommand extends Command<{ triggerId: string }> {
  constructor(readonly input: NewSurgeTrigger) {
    super();
  }
}
