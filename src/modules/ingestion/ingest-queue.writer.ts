import { InjectQueue } from '@nestjs/bull';
import { Injectable, Logger } from '@nestjs/common';
import type { Queue } from 'bull';
import { AppConfig } from '../../config/app-config';
import { AppError, PlatformErrors } from '../../platform/http';
import { QueueName } from '../../platform/queues';
import { INGEST_JOB, IngestJobData, QueuedEvent } from './ingest-job';

interface Waiter {
  events: QueuedEvent[];
  resolve: () => void;
  reject: (e: Error) => void;
}

const unavailable = (why: string) =>
  PlatformErrors.error('queue_unavailable', `events were not accepted: ${why}; nothing was queued, retry later (with the same event_id to stay idempotent)`);

/**
 * Puts accepted events on the ingest queue with group commit: requests arriving within INGEST_COALESCE_MS
 * share one job (one Redis transaction), and each request is answered only when that job is stored. A
 * request never gets 202 for events Redis has not confirmed; when the queue connection is down it gets 503
 * at once, without sending anything.
 */
@Injectable()
export class IngestQueueWriter {
  private readonly log = new Logger(IngestQueueWriter.name);
  private waiting: Waiter[] = [];
  private waitingEvents = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    @InjectQueue(QueueName.Ingest) private readonly queue: Queue,
    private readonly config: AppConfig,
  ) {}

  enqueue(events: QueuedEvent[]): Promise<void> {
    if (!events.length) return Promise.resolve();
    const status = (this.queue.client as { status?: string }).status;
    if (status !== 'ready') return Promise.reject(unavailable(`the queue connection is ${status ?? 'down'}`));
    return new Promise<void>((resolve, reject) => {
      const max = this.config.env.INGEST_JOB_MAX_EVENTS;
      if (this.waitingEvents + events.length > max) this.flush();
      this.waiting.push({ events, resolve, reject });
      this.waitingEvents += events.length;
      if (this.waitingEvents >= max || this.config.env.INGEST_COALESCE_MS === 0) this.flush();
      else this.timer ??= setTimeout(() => this.flush(), this.config.env.INGEST_COALESCE_MS);
    });
  }

  private flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const batch = this.waiting;
    this.waiting = [];
    this.waitingEvents = 0;
    if (!batch.length) return;
    const data: IngestJobData = { events: batch.flatMap((w) => w.events) };
    let timeout: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timeout = setTimeout(() => reject(unavailable('the queue did not confirm in time')), this.config.env.INGEST_ENQUEUE_TIMEOUT_MS);
    });
    Promise.race([this.queue.add(INGEST_JOB, data), timedOut])
      .then(() => batch.forEach((w) => w.resolve()))
      .catch((err: Error) => {
        this.log.warn({ err: err.message, events: data.events.length }, 'ingest enqueue failed');
        const error = err instanceof AppError ? err : unavailable('the queue refused the job');
        batch.forEach((w) => w.reject(error));
      })
      .finally(() => clearTimeout(timeout));
  }
}
