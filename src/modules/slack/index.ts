// The slack module's public surface: the module (it provides the outbox's SlackDelivery) and owner DMs for triggers.
export { SlackModule } from './slack.module';
export { OwnerNotifier, type OwnerNotification, type OwnerNotifyResult, type OwnerEventType } from './owner/owner-notifier';
