import { Injectable } from '@nestjs/common';
import { OutboundClient } from '../../../platform/outbound';
import { NotificationErrors } from '../notifications.errors';
import { NotificationChannels } from './notification-channels.service';

/** The destinations a trigger (surge, milestone, sequence, pattern) may carry beside its own fields. */
export interface TriggerDestinationChanges {
  notification_channel_id?: string | null;
  webhook_url?: string | null;
  teams_webhook_url?: string | null;
}

/**
 * The destination checks every trigger's create and update share: webhook and Teams URLs through the outbound
 * guard (400 `destination_not_allowed`, contracts §2), `notification_channel_id` a channel of the active OU
 * (400 `unknown_notification_channel`, SUR-3, NC-3). Run before anything is written.
 */
@Injectable()
export class NotificationDestinations {
  constructor(
    private readonly outbound: OutboundClient,
    private readonly channels: NotificationChannels,
  ) {}

  async check(changes: TriggerDestinationChanges): Promise<void> {
    if (changes.webhook_url) await this.outbound.assertAllowed(changes.webhook_url, 'webhook_url');
    if (changes.teams_webhook_url) await this.outbound.assertAllowed(changes.teams_webhook_url, 'teams_webhook_url');
    if (changes.notification_channel_id && !(await this.channels.existsInActiveUnit(changes.notification_channel_id))) {
      throw NotificationErrors.error('unknown_notification_channel', 'notification_channel_id does not name a notification channel of the active OU', [
        { field: 'notification_channel_id', reason: 'unknown notification channel' },
      ]);
    }
  }
}
