import { Command } from '@nestjs/cqrs';

/** Deletes a trigger of the active OU with its detection state; recorded firings and deliveries stay. */
export class DeleteSurgeTriggerCommand extends Command<void> {
  constructor(readonly triggerId: string) {
    super();
  }
}
