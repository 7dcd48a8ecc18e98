import { Injectable } from '@nestjs/common';
import { NotificationDestinations } from '../../notifications';
import { SurgeTriggerChanges } from './surge-trigger-changes';

/**
 * The destination checks a surge trigger's create and update need beyond its own fields — the notifications'
 * one check every trigger shares (outbound guard on URLs, `notification_channel_id` a channel of the active OU).
 */
@Injectable()
export class SurgeDestinations {
  constructor(private readonly destinations: NotificationDestinations) {}

  check(changes: SurgeTriggerChanges): Promise<void> {
    return this.destinations.check(changes);
  }
}
