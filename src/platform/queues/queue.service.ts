import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { getQueueToken } from '@nestjs/bull';
import type { JobStatus, Queue } from 'bull';
import { PlatformErrors } from '../http/platform.errors';
import { MetricsService } from '../metrics/metrics.service';
import { knownQueues } from './known-queues';

export interface QueueStats {
  name: string;
  waiting: number;
  active: number;
  delayed: number;
  failed: number;
  completed: number;
  paused: number;
  /** waiting + delayed: jobs not yet started */
  depth: number;
}

export interface FailedJob {
  id: string;
  name: string;
  attempts_made: number;
  failed_reason: string;
  failed_at: string | null;
  data: unknown;
}

/** Depth, failed-job inspection and re-drive for every registered queue. */
@Injectable()
export class QueueService implements OnModuleInit {
  private readonly logger = new Logger('Queues');
  /** Since when the queues' Redis has been failing (null: fine), and the errors not logged since. */
  private troubleSince: number | null = null;
  private lastTroubleLog = 0;
  private suppressed = 0;

  constructor(
    private readonly moduleRef: ModuleRef,
    private readonly metrics: MetricsService,
  ) {}

  onModuleInit(): void {
    // Bull reports a lost Redis (and any error taking or finishing a job) as an 'error' event, which went unheard:
    // a worker cut off from Redis logged nothing at all. One line when it starts, one every 30 s while it lasts,
    // one when a connection is ready again.
    for (const name of this.names()) {
      const queue = this.queue(name);
      queue.on('error', (err: Error) => this.trouble(name, err));
      queue.client.on('ready', () => this.recovered(name));
    }
    this.metrics.onCollect('queues', async () => {
      for (const s of await this.stats()) {
        this.metrics.queueDepth.set({ queue: s.name }, s.depth);
        // Bull moves a job to its failed set only when it will not retry it by itself (attempts exhausted, discarded,
        // stalled more than maxStalledCount): each one waits for an operator's re-drive
        this.metrics.deadLetterJobs.set({ queue: s.name }, s.failed);
        for (const state of ['waiting', 'active', 'delayed', 'failed', 'completed'] as const) {
          this.metrics.queueJobs.set({ queue: s.name, state }, s[state]);
        }
      }
    });
  }

  private trouble(queue: string, err: Error): void {
    const now = Date.now();
    if (this.troubleSince !== null && now - this.lastTroubleLog < 30_000) {
      this.suppressed++;
      return;
    }
    const first = this.troubleSince === null;
    this.troubleSince ??= now;
    this.lastTroubleLog = now;
    this.logger.error({
      msg: first ? 'queue error: Redis unreachable or failing' : 'queue errors continue',
      queue,
      err: err?.message ?? String(err),
      for_ms: now - this.troubleSince,
      errors_not_logged: this.suppressed,
    });
    this.suppressed = 0;
  }

  private recovered(queue: string): void {
    if (this.troubleSince === null) return;
    this.logger.log({ msg: 'queue connection ready again', queue, down_ms: Date.now() - this.troubleSince, errors_not_logged: this.suppressed });
    this.troubleSince = null;
    this.suppressed = 0;
  }

  names(): string[] {
    return [...knownQueues].sort();
  }

  queue(name: string): Queue {
    if (!knownQueues.has(name)) throw PlatformErrors.notFound('queue_not_found', `queue ${name}`);
    return this.moduleRef.get<Queue>(getQueueToken(name), { strict: false });
  }

  async stats(): Promise<QueueStats[]> {
    return Promise.all(
      this.names().map(async (name) => {
        const c = await this.queue(name).getJobCounts();
        const paused = (c as unknown as { paused?: number }).paused ?? 0;
        return { name, ...c, paused, depth: c.waiting + c.delayed };
      }),
    );
  }

  async failed(name: string, offset = 0, limit = 50): Promise<FailedJob[]> {
    const jobs = await this.queue(name).getJobs(['failed'] as JobStatus[], offset, offset + limit - 1);
    return jobs.filter(Boolean).map((j) => ({
      id: String(j.id),
      name: j.name,
      attempts_made: j.attemptsMade,
      failed_reason: j.failedReason ?? '',
      failed_at: j.finishedOn ? new Date(j.finishedOn).toISOString() : null,
      data: j.data,
    }));
  }

  /** Moves failed jobs back to waiting (all of them, or the given ids). Returns how many were re-driven. */
  async retryFailed(name: string, ids?: string[]): Promise<number> {
    const queue = this.queue(name);
    const jobs = ids?.length ? await Promise.all(ids.map((id) => queue.getJob(id))) : await queue.getFailed();
    let retried = 0;
    for (const job of jobs) {
      if (!job || !(await job.isFailed())) continue;
      await job.retry();
      retried++;
    }
    return retried;
  }
}
