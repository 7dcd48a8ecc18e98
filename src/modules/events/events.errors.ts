import { defineErrors } from '../../platform/http/error-catalog';

export const EventErrors = defineErrors('events', {
  event_not_found: 404,
});
