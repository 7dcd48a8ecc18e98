import { defineErrors } from '../../platform/http';

/** Error codes of surge triggers (a missing lead answers the leads module's `lead_not_found`). */
export const SurgeErrors = defineErrors('surge', {
  surge_trigger_not_found: 404,
  unknown_notification_channel: 400,
  destination_required: 400,
});
