import { Command } from '@nestjs/cqrs';

export interface NewVelocityFilter {
  event_type: string;
  count_threshold: number;
  time_window_ms: number;
  group_events?: boolean;
}

/** Creates an inorganic (velocity) filter in the active OU; answers its id. */
export class CreateVelocityFilterCommand extends Command<{ filterId: string }> {
  constructor(readonly input: NewVelocityFilter) {
    super();
  }
}
