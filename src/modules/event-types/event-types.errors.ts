import { defineErrors } from '../../platform/http';

export const EventTypeErrors = defineErrors('event-types', {
  event_type_not_found: 404,
  protected_event_type: 409,
});
