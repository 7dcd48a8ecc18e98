import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { SchedulerRegistry } from '@nestjs/schedule';
import { CronJob } from 'cron';
import { CronExpressionParser } from 'cron-parser';
import { hostname } from 'node:os';
import { DataSource } from 'typeorm';
import { SCHEDULED_JOB, ScheduledJobOptions } from './scheduled-job.decorator';

/** How late a worker's timer may fire and still claim the tick it was meant for. */
const TICK_TOLERANCE_MS = 500;

/**
 * Registers every @ScheduledJob with @nestjs/schedule's SchedulerRegistry and makes each tick run once
 * across all workers: a tick is claimed by inserting (job, scheduled time) under a unique key, in
 * PostgreSQL, so the claim survives a Redis flush and leaves a run history.
 */
@Injectable()
export class ClusterScheduler implements OnApplicationShutdown {
  private readonly logger = new Logger('Scheduler');
  private readonly worker = `${hostname()}:${process.pid}:${Math.random().toString(36).slice(2, 8)}`;
  private readonly running = new Set<Promise<unknown>>();
  private started = false;

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
    private readonly registry: SchedulerRegistry,
    private readonly dataSource: DataSource,
  ) {}

  start(): void {
    if (this.started) return;
    this.started = true;
    for (const wrapper of this.discovery.getProviders()) {
      const instance = wrapper.instance as Record<string, unknown> | undefined;
      if (!instance || typeof instance !== 'object') continue;
      const proto = Object.getPrototypeOf(instance);
      for (const method of this.scanner.getAllMethodNames(proto)) {
        const options = this.reflector.get<ScheduledJobOptions | undefined>(SCHEDULED_JOB, proto[method]);
        if (options) this.register(options, () => (instance[method] as () => Promise<unknown>).call(instance));
      }
    }
  }

  private register(options: ScheduledJobOptions, run: () => Promise<unknown>): void {
    const job = CronJob.from({
      cronTime: options.cron,
      timeZone: 'UTC',
      onTick: () => {
        const p = this.tick(options, run).finally(() => this.running.delete(p));
        this.running.add(p);
      },
      start: true,
    });
    this.registry.addCronJob(options.name, job as never);
    this.logger.log({ msg: 'scheduled job registered', job: options.name, cron: options.cron });
  }

  /** The scheduled time this firing belongs to (the firing itself comes a few ms after it). */
  static tickOf(cron: string, firedAt: Date): Date {
    const expr = CronExpressionParser.parse(cron, { currentDate: new Date(firedAt.getTime() + TICK_TOLERANCE_MS), tz: 'UTC' });
    return expr.prev().toDate();
  }

  /** Claims the tick and runs the job when this worker won it. Returns whether it ran. */
  async tick(options: ScheduledJobOptions, run: () => Promise<unknown>, firedAt = new Date()): Promise<boolean> {
    const tickAt = ClusterScheduler.tickOf(options.cron, firedAt);
    const claimed = await this.dataSource.query(
      `INSERT INTO scheduled_job_runs (job_name, tick_at, worker) VALUES ($1, $2, $3)
       ON CONFLICT (job_name, tick_at) DO NOTHING RETURNING id`,
      [options.name, tickAt.toISOString(), this.worker],
    );
    if (!claimed.length) return false;
    const id = claimed[0].id;
    const started = Date.now();
    try {
      await run();
      await this.dataSource.query(`UPDATE scheduled_job_runs SET status = 'succeeded', finished_at = now() WHERE id = $1`, [id]);
      this.logger.log({ msg: 'scheduled job finished', job: options.name, tick_at: tickAt.toISOString(), ms: Date.now() - started });
    } catch (err) {
      await this.dataSource.query(`UPDATE scheduled_job_runs SET status = 'failed', error = $2, finished_at = now() WHERE id = $1`, [
        id,
        String(err?.stack ?? err).slice(0, 4000),
      ]);
      this.logger.error({ msg: 'scheduled job failed', job: options.name, tick_at: tickAt.toISOString(), err });
    }
    return true;
  }

  /** Stops the timers and waits for runs in flight. */
  async onApplicationShutdown(): Promise<void> {
    for (const [name, job] of this.registry.getCronJobs()) {
      job.stop();
      this.registry.deleteCronJob(name);
    }
    await Promise.allSettled([...this.running]);
  }
}
