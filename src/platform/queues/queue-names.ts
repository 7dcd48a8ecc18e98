/** Every Bull queue of the product. A feature adds its queue here and registers it with QueuesModule.forFeature. */
export const QueueName = {
  /** Administrative long jobs: projection rebuilds, backfills. */
  Maintenance: 'maintenance',
  /** Accepted events on their way to the scoring pipeline (POST /ingest, POST /import). */
  Ingest: 'ingest',
  /** On-demand rescoring of a ruleset (score-now). */
  Rescore: 'rescore',
  /** Notification outbox: one job per delivery row (webhook, Teams, e-mail), retried with backoff by the job itself. */
  NotificationDelivery: 'notification-delivery',
  /** Lead CSV imports (POST /leads/import/start): one job per import run. */
  LeadImport: 'lead-import',
  /** Scheduled jobs an operator runs by hand (contracts §1): one job per run, taken by any worker. */
  ScheduledJobs: 'scheduled-jobs',
  /** LEAD-18: erasure of a deleted lead and everything recorded about it. */
  LeadDeletion: 'lead-deletion',
  /** Re-classification of a large OU's leads after its levels changed. */
  Levels: 'levels',
  /** Re-derivation of a segment's members after its configuration changed (SEG-5). */
  Segments: 'segments',
  /** HubSpot imports and incremental syncs (HS-2): one job per sync run, resumable at the page it stopped at. */
  HubSpotSync: 'hubspot-sync',
} as const;

export type QueueNameValue = (typeof QueueName)[keyof typeof QueueName];
