import { Module } from '@nestjs/common';
import { QueueName, QueuesModule } from '../../platform/queues';
import { NotificationChannels } from './channels/notification-channels.service';
import { NotificationDestinations } from './channels/notification-destinations';
import { NotificationFailures } from './failures/notification-failures.service';
import { NotificationChannelsController } from './http/notification-channels.controller';
import { NotificationFailuresController } from './http/notification-failures.controller';
import { NotificationsAdminController } from './http/notifications-admin.controller';
import { DeliveryHealth } from './outbox/delivery-health.service';
import { DeliveryOutbox } from './outbox/delivery-outbox.service';
import { DeliverySender } from './outbox/delivery-sender';
import { NotificationDeadLetterMetrics } from './outbox/notification-dead-letters.metrics';
import { NotificationDeliveryJob, OutboxSweeper } from './outbox/notification-delivery.job';
import { OutboxRetentionJob } from './outbox/outbox-retention.job';

/**
 * Notification channels and the one delivery outbox every notifier writes to (surge, milestone, sequence and pattern
 * triggers, owner DMs, ruleset publish posts): channels CRUD and health, notification records (NF-1).
 */
@Module({
  imports: [QueuesModule.forFeature(QueueName.NotificationDelivery)],
  controllers: [NotificationChannelsController, NotificationFailuresController, NotificationsAdminController],
  providers: [NotificationChannels, NotificationDestinations, NotificationFailures, DeliveryHealth, DeliveryOutbox, NotificationDeadLetterMetrics],
  exports: [NotificationChannels, NotificationDestinations, DeliveryHealth, DeliveryOutbox],
})
export class NotificationsModule {}

/** Worker role: drains the outbox (sends, retries with backoff), sweeps rows whose job was lost, prunes old rows daily. */
@Module({
  imports: [QueuesModule.forFeature(QueueName.NotificationDelivery)],
  providers: [DeliverySender, NotificationDeliveryJob, OutboxSweeper, OutboxRetentionJob],
})
export class NotificationsWorkerModule {}
