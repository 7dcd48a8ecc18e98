import { defineErrors } from '../../platform/http';

/** Error codes of notification channels (a refused destination answers the outbound guard's `destination_not_allowed`, a bad config `validation_failed`). */
export const NotificationErrors = defineErrors('notifications', {
  notification_channel_not_found: 404,
  unknown_notification_channel: 400,
});
