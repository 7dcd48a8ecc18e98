import type { NotificationMessage, SendOutcome } from './delivery.types';

export interface SlackSendInput {
  orgId: string;
  unitId: string;
  deliveryId: string;
  /** the outbox row's target: `{channel_id, channel_name?}` (a channel) or `{user_id}` (a DM) */
  target: Record<string, unknown>;
  message: NotificationMessage;
}

/**
 * How the outbox sends a Slack delivery: implemented by the slack module (the OU's bot token, chat.postMessage,
 * NF-2 classes of Slack's `ok:false` errors), so notifications never depends on slack. Absent = not connected.
 */
export abstract class SlackDelivery {
  abstract send(input: SlackSendInput): Promise<SendOutcome>;
}
