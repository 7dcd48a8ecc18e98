import { Command } from '@nestjs/cqrs';

/** Deletes an attribute filter of the active OU; events it already suppressed stay suppressed. */
export class DeleteMetadataFilterCommand extends Command<void> {
  constructor(readonly filterId: string) {
    super();
  }
}
