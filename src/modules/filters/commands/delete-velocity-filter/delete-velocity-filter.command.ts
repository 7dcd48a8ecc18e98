import { Command } from '@nestjs/cqrs';

/** Deletes a velocity filter of the active OU; events it already suppressed stay suppressed. */
export class DeleteVelocityFilterCommand extends Command<void> {
  constructor(readonly filterId: string) {
    super();
  }
}
