import { defineErrors } from '../../platform/http';

export const EventErrors = defineErrors('events', {
  event_not_found: 404,
});
