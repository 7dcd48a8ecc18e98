import { Command } from '@nestjs/cqrs';
import { NewVelocityFilter } from '../create-velocity-filter/create-velocity-filter.command';

/** Partial update of a velocity filter of the active OU (omitted fields unchanged). */
export class UpdateVelocityFilterCommand extends Command<void> {
  constructor(
    readonly filterId: string,
    readonly changes: Partial<NewVelocityFilter>,
  ) {
    super();
  }
}
