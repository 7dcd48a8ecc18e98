/** What a notification comes from (NF-1 `trigger_type`): a kind of trigger, or a ruleset's Slack publish post (SL-5). */
export const TRIGGER_TYPES = ['milestone', 'sequence', 'surge', 'pattern', 'ruleset'] as const;
export type TriggerType = (typeof TRIGGER_TYPES)[number];

/** Final and intermediate states of an outbox row (NF-2); `pending` is internal and never listed as a failure class. */
export const DELIVERY_STATUSES = ['delivered', 'terminal_4xx', 'retry_exhausted', 'enqueue_failed'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number] | 'pending';

/**
 * Rows nothing will send any more by itself: the receiver refused them (`terminal_4xx`) or every attempt failed
 * (`retry_exhausted`) — the outbox's dead letters, counted by /metrics and sent again by an operator's re-drive.
 * `enqueue_failed` is not one: the sweeper re-enqueues it.
 */
export const GIVEN_UP_STATUSES = ['terminal_4xx', 'retry_exhausted'] as const;
export type GivenUpStatus = (typeof GIVEN_UP_STATUSES)[number];

export const FAILURE_STAGES = ['enqueue', 'dispatch', 'surge_webhook', 'probe'] as const;
export type FailureStage = (typeof FAILURE_STAGES)[number];

export type DeliveryKind = 'webhook' | 'teams' | 'email' | 'slack';

/** One send's outcome: `retry` = worth another attempt (5xx, 408, 429, timeouts, network, SMTP 4xx). */
export interface SendOutcome {
  ok: boolean;
  retry: boolean;
  httpStatus: number | null;
  error: string | null;
}

/** Where one notification goes: an inline destination, or a saved notification channel of the firing's OU. */
export type DeliveryDestination =
  | { kind: 'webhook'; url: string; /** sealed Authorization header (secret-box) */ authHeaderSealed?: string | null }
  | { kind: 'teams'; url: string }
  | { kind: 'email'; recipients: string[]; subjectPrefix?: string | null }
  /** a Slack channel (C…/G…) or a member's DM (U…: a DM is opened first) of the OU's Slack connection */
  | { kind: 'slack'; target: 'channel' | 'user'; id: string }
  | { kind: 'channel'; channelId: string };

/** What a firing hands the outbox: the same message for each of its destinations. */
export interface NotificationMessage {
  /** short human line: Teams text, e-mail subject, Slack text */
  title: string;
  /** NF-3: the lead's "Why" line */
  why: string;
  /** NF-2 webhook body (JSON) */
  body: Record<string, unknown>;
}

export interface OutboxEnqueue {
  org_id: string;
  unit_id: string;
  trigger_type: TriggerType;
  trigger_id: string | null;
  /** the firing's id: one row per (firing, destination) however often the firing is replayed */
  source_id: string;
  lead_ref?: string | null;
  lead_id?: string | null;
  /** stage a failure is filed under (NF-1): legacy surge webhooks `surge_webhook`, everything else `dispatch` */
  failure_stage?: FailureStage;
  destinations: DeliveryDestination[];
  message: NotificationMessage;
  /** the firing's time (the row's created_at and first due time) */
  at: Date;
}

export const DELIVER_NOTIFICATION = 'notification.deliver';
/**
 * A delivery job: the outbox hands over a batch of firings' rows as one job (`delivery_ids`, at most
 * DELIVERY_JOB_MAX_ROWS), retries and the sweeper one row (`delivery_id`); a job may carry either.
 */
export interface DeliverNotificationData {
  delivery_id?: string;
  delivery_ids?: string[];
  /** how often these rows were found still being written (each time the job comes back later) */
  busy_rounds?: number;
}

/** Rows per delivery job: enough to spread the queue's per-job cost thin, few enough to keep one job short. */
export const DELIVERY_JOB_MAX_ROWS = 50;

/** The jobs for these rows (in order, at most DELIVERY_JOB_MAX_ROWS each). */
export function deliveryJobs(ids: string[]): DeliverNotificationData[] {
  const jobs: DeliverNotificationData[] = [];
  for (let i = 0; i < ids.length; i += DELIVERY_JOB_MAX_ROWS) {
    const chunk = ids.slice(i, i + DELIVERY_JOB_MAX_ROWS);
    jobs.push(chunk.length === 1 ? { delivery_id: chunk[0] } : { delivery_ids: chunk });
  }
  return jobs;
}

/** The rows a job asks for. */
export const deliveryIdsOf = (d: DeliverNotificationData): string[] => d.delivery_ids ?? (d.delivery_id ? [d.delivery_id] : []);
