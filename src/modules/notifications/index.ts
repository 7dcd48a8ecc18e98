// The notifications module's public surface: the modules, the one delivery outbox every notifier writes to,
// channel lookups for triggers that route to a channel, the shared delivery health, and the ports the slack module
// implements (Slack sends, owner DMs).
export { NotificationsModule, NotificationsWorkerModule } from './notifications.module';
export { DeliveryOutbox } from './outbox/delivery-outbox.service';
export { DeliveryHealth, healthColour, type DeliveryHealthView, type DeliveryAttemptView, type HealthStatus } from './outbox/delivery-health.service';
export { NotificationChannels } from './channels/notification-channels.service';
export type { DeliveryDestination, NotificationMessage, OutboxEnqueue, SendOutcome, TriggerType } from './outbox/delivery.types';
export { SlackDelivery, type SlackSendInput } from './outbox/slack-delivery.port';
export { OwnerNotifications, type OwnerEventType, type OwnerNotification, type OwnerNotifyResult } from './outbox/owner-notifications.port';
export { NotificationDestinations, type TriggerDestinationChanges } from './channels/notification-destinations';
