import { Command } from '@nestjs/cqrs';
import { Condition } from '../../../scoring/domain';

export interface NewMetadataFilter {
  name: string;
  /** '' or absent = every event type */
  event_type?: string;
  conditions: Condition[];
  enabled?: boolean;
}

/** Creates an attribute (metadata) filter in the active OU; answers its id. */
export class CreateMetadataFilterCommand extends Command<{ filterId: string }> {
  constructor(readonly input: NewMetadataFilter) {
    super();
  }
}
