import { Command } from '@nestjs/cqrs';
import { NewMetadataFilter } from '../create-metadata-filter/create-metadata-filter.command';

/** Update of an attribute filter of the active OU: the name always, the other fields when given. */
export class UpdateMetadataFilterCommand extends Command<void> {
  constructor(
    readonly filterId: string,
    readonly changes: Pick<NewMetadataFilter, 'name'> & Partial<NewMetadataFilter>,
  ) {
    super();
  }
}
