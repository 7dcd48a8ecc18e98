import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { SchedulerRegistry } from '@nestjs/schedule';
import { CronJob } from 'cron';
import { CronExpressionParser } from 'cron-parser';
import { hostname } from 'node:os';
import { DataSource } from 'typeorm';
import { JobRunStatus, JobRunStore } from './job-run.store';
import { JobContext, JobSummary, SCHEDULED_JOB, ScheduledJobOptions } from './scheduled-job.decorator';

/** A tick whose claim (or run record) failed is tried again after these delays, doubling up to the cap. */
const TICK_RETRY_FIRST_MS = 1_000;
const TICK_RETRY_MAX_MS = 30_000;
/** …for at most this long, and never past the job's next tick. */
const TICK_RETRY_WINDOW_MS = 10 * 60_000;
/** How long a run's end is tried again while PostgreSQL is away. */
const FINISH_RETRY_WINDOW_MS = 5 * 60_000;

/** How late a worker's timer may fire and still claim the tick it was meant for. */
const TICK_TOLERANCE_MS = 500;
/** Progress is logged at most this often, and written to the run row at most every PROGRESS_WRITE_MS. */
const PROGRESS_LOG_MS = 2_000;
const PROGRESS_WRITE_MS = 1_000;

export type JobRunner = (ctx: JobContext) => Promise<JobSummary | void | unknown>;

interface Handler {
  options: ScheduledJobOptions;
  run: JobRunner;
}

/**
 * Registers every @ScheduledJob with @nestjs/schedule's SchedulerRegistry and makes each tick run once
 * across all workers: a tick is claimed by inserting (job, scheduled time) under a unique key, in
 * PostgreSQL, so the claim survives a Redis flush and leaves a run history. Manual runs (contracts §1) go
 * through the same execution: one run of a job at a time in the cluster (a PostgreSQL advisory lock), the same
 * progress reporting, the same run row.
 */
@Injectable()
export class ClusterScheduler implements OnApplicationShutdown {
  private readonly logger = new Logger('Scheduler');
  private readonly worker = `${hostname()}:${process.pid}:${Math.random().toString(36).slice(2, 8)}`;
  private readonly running = new Set<Promise<unknown>>();
  private handlers?: Map<string, Handler>;
  private started = false;
  private stopping = false;

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
    private readonly registry: SchedulerRegistry,
    private readonly dataSource: DataSource,
    private readonly runs: JobRunStore,
  ) {}

  /** The @ScheduledJob methods of this process's providers, by job name. */
  jobs(): Map<string, Handler> {
    if (this.handlers) return this.handlers;
    const found = new Map<string, Handler>();
    for (const wrapper of this.discovery.getProviders()) {
      const instance = wrapper.instance as Record<string, unknown> | undefined;
      if (!instance || typeof instance !== 'object') continue;
      const proto = Object.getPrototypeOf(instance);
      for (const method of this.scanner.getAllMethodNames(proto)) {
        const options = this.reflector.get<ScheduledJobOptions | undefined>(SCHEDULED_JOB, proto[method]);
        if (options) found.set(options.name, { options, run: (ctx) => (instance[method] as JobRunner).call(instance, ctx) });
      }
    }
    return (this.handlers = found);
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    for (const handler of this.jobs().values()) this.register(handler.options, handler.run);
  }

  private register(options: ScheduledJobOptions, run: JobRunner): void {
    const job = CronJob.from({
      cronTime: options.cron,
      timeZone: 'UTC',
      onTick: () => void this.track(this.tickSurely(options, run)),
      start: true,
    });
    this.registry.addCronJob(options.name, job as never);
    this.logger.log({ msg: 'scheduled job registered', job: options.name, cron: options.cron });
  }

  private track<T>(p: Promise<T>): Promise<T> {
    const tracked = p.finally(() => this.running.delete(tracked));
    this.running.add(tracked);
    return tracked;
  }

  /** The scheduled time this firing belongs to (the firing itself comes a few ms after it). */
  static tickOf(cron: string, firedAt: Date): Date {
    const expr = CronExpressionParser.parse(cron, { currentDate: new Date(firedAt.getTime() + TICK_TOLERANCE_MS), tz: 'UTC' });
    return expr.prev().toDate();
  }

  /** The next time the cron expression fires after `from`. */
  static nextOf(cron: string, from: Date): Date {
    return CronExpressionParser.parse(cron, { currentDate: from, tz: 'UTC' }).next().toDate();
  }

  /**
   * A timer's tick, which must neither crash the worker nor be lost when PostgreSQL is away for a moment: an error
   * (the claim's INSERT refused while PostgreSQL restarts) was an unhandled rejection, and Node ends the process on
   * one — the fault suite's worker died at the first minute tick of a PostgreSQL restart. The same tick is claimed
   * again with backoff until it succeeds, another worker has claimed it (the claim is idempotent per tick), the
   * job's next tick comes, or the worker stops. A run that failed after its claim is not run again: the retry finds
   * the tick claimed.
   */
  async tickSurely(options: ScheduledJobOptions, run: JobRunner, firedAt = new Date()): Promise<boolean> {
    const giveUpAt = Math.min(ClusterScheduler.nextOf(options.cron, firedAt).getTime(), firedAt.getTime() + TICK_RETRY_WINDOW_MS);
    for (let delay = TICK_RETRY_FIRST_MS; ; delay = Math.min(delay * 2, TICK_RETRY_MAX_MS)) {
      try {
        return await this.tick(options, run, firedAt);
      } catch (err) {
        const last = this.stopping || Date.now() + delay >= giveUpAt;
        const log = { job: options.name, tick: ClusterScheduler.tickOf(options.cron, firedAt).toISOString(), err: (err as Error)?.message ?? String(err) };
        if (last) {
          this.logger.error({ msg: 'scheduled tick lost: it could not be claimed before the next one', ...log });
          return false;
        }
        this.logger.warn({ msg: 'scheduled tick could not be claimed; trying again', ...log, retry_in_ms: delay });
        // in slices, so that a stopping worker does not wait out the delay
        for (const until = Date.now() + delay; Date.now() < until && !this.stopping;) await new Promise((r) => setTimeout(r, 250));
      }
    }
  }

  /** Claims the tick and runs the job when this worker won it. Returns whether it ran. */
  async tick(options: ScheduledJobOptions, run: JobRunner, firedAt = new Date()): Promise<boolean> {
    const tickAt = ClusterScheduler.tickOf(options.cron, firedAt);
    const id = await this.runs.claimTick(options.name, tickAt, this.worker);
    if (id === null) return false;
    await this.execute(id, options.name, run, 'cron');
    return true;
  }

  /** Runs a manual run that the api or the CLI queued (contracts §1). Nothing when another worker took it. */
  async runQueued(runId: string): Promise<void> {
    const run = await this.runs.get(runId);
    if (!run) return;
    const handler = this.jobs().get(run.job_name);
    const claimed = await this.runs.claimManual(runId, this.worker);
    if (!claimed) return;
    if (!handler) {
      await this.runs.finish(runId, 'failed', null, `job ${run.job_name} is not known to worker ${this.worker}`);
      return;
    }
    await this.track(this.execute(runId, run.job_name, handler.run, 'manual'));
  }

  /**
   * One run of a job at a time across the cluster, whoever started it: a cron tick and a manual run of the same
   * job never overlap (the later one is recorded `skipped`). The lock is a session advisory lock on a connection
   * held for the run, so a crashed worker releases it with its connection.
   */
  private async execute(id: string, name: string, run: JobRunner, trigger: JobContext['trigger']): Promise<void> {
    const lockConn = this.dataSource.createQueryRunner();
    await lockConn.connect();
    const started = Date.now();
    try {
      const [{ locked }] = await lockConn.query(`SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS locked`, [`scheduled-job:${name}`]);
      if (!locked) {
        await this.runs.finish(id, 'skipped', null, `another run of ${name} was in progress`);
        this.logger.warn({ msg: 'scheduled job skipped: already running', job: name, run_id: id, trigger });
        return;
      }
      try {
        const abandoned = await this.runs.closeAbandoned(name, id).catch(() => []);
        if (abandoned.length) this.logger.warn({ msg: 'closed runs that stopped without recording their end', job: name, run_ids: abandoned });
        let outcome: { status: 'succeeded' | 'failed'; result: JobSummary | null; error: string | null };
        try {
          const ctx = this.context(id, name, trigger);
          const summary = await run(ctx);
          await ctx.flush();
          outcome = { status: 'succeeded', result: summary && typeof summary === 'object' ? (summary as JobSummary) : null, error: null };
          this.logger.log({ msg: 'scheduled job finished', job: name, run_id: id, trigger, ms: Date.now() - started, result: outcome.result });
        } catch (err) {
          outcome = { status: 'failed', result: null, error: String((err as Error)?.stack ?? err) };
          this.logger.error({ msg: 'scheduled job failed', job: name, run_id: id, trigger, err });
        }
        await this.finishSurely(id, name, outcome);
      } finally {
        await lockConn.query(`SELECT pg_advisory_unlock(hashtextextended($1, 0))`, [`scheduled-job:${name}`]);
      }
    } finally {
      await lockConn.release();
    }
  }

  /**
   * Records a run's end, trying again with backoff (1 s doubling to 30 s, for up to FINISH_RETRY_WINDOW_MS) while
   * PostgreSQL is away, so that a run that ended during a restart is not left `running`. What still fails is closed
   * by the job's next run (JobRunStore.closeAbandoned).
   */
  private async finishSurely(id: string, name: string, o: { status: JobRunStatus; result: JobSummary | null; error: string | null }): Promise<void> {
    const giveUpAt = Date.now() + FINISH_RETRY_WINDOW_MS;
    for (let delay = TICK_RETRY_FIRST_MS; ; delay = Math.min(delay * 2, TICK_RETRY_MAX_MS)) {
      try {
        return await this.runs.finish(id, o.status, o.result, o.error);
      } catch (err) {
        const log = { job: name, run_id: id, status: o.status, err: (err as Error)?.message ?? String(err) };
        if (this.stopping || Date.now() + delay >= giveUpAt) {
          this.logger.error({ msg: 'the end of a scheduled run could not be recorded; the next run of the job closes it', ...log });
          return;
        }
        this.logger.warn({ msg: 'the end of a scheduled run could not be recorded; trying again', ...log, retry_in_ms: delay });
        for (const until = Date.now() + delay; Date.now() < until && !this.stopping;) await new Promise((r) => setTimeout(r, 250));
      }
    }
  }

  private context(id: string, name: string, trigger: JobContext['trigger']): JobContext & { flush(): Promise<void> } {
    let lastLog = 0;
    let lastWrite = 0;
    let latest: { done: number; total: number | null } | null = null;
    let writing: Promise<void> = Promise.resolve();
    const write = () => {
      const p = latest!;
      writing = writing.then(() => this.runs.progress(id, p.done, p.total)).catch(() => undefined);
    };
    return {
      trigger,
      progress: (done, total) => {
        latest = { done, total: total ?? null };
        const now = Date.now();
        if (now - lastLog >= PROGRESS_LOG_MS) {
          lastLog = now;
          this.logger.log({ msg: 'scheduled job progress', job: name, run_id: id, done, total: total ?? null });
        }
        if (now - lastWrite >= PROGRESS_WRITE_MS) {
          lastWrite = now;
          write();
        }
      },
      flush: async () => {
        if (latest) write();
        await writing;
      },
    };
  }

  /** Stops the timers and waits for runs in flight. */
  async onApplicationShutdown(): Promise<void> {
    this.stopping = true;
    for (const [name, job] of this.registry.getCronJobs()) {
      job.stop();
      this.registry.deleteCronJob(name);
    }
    await Promise.allSettled([...this.running]);
  }
}
