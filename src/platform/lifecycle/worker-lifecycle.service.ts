import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { ProjectionRunner } from '../projections/projection-runner.service';
import { QueueService } from '../queues/queue.service';
import { ClusterScheduler } from '../scheduling/cluster-scheduler.service';

/** Starts the worker's loops at boot and drains them on shutdown, before connections close. */
@Injectable()
export class WorkerLifecycle implements OnApplicationBootstrap {
  private readonly logger = new Logger('Worker');

  constructor(
    private readonly config: AppConfig,
    private readonly projections: ProjectionRunner,
    private readonly scheduler: ClusterScheduler,
    private readonly queues: QueueService,
  ) {}

  onApplicationBootstrap(): void {
    this.projections.start();
    if (this.config.env.SCHEDULER_ENABLED) this.scheduler.start();
    this.logger.log({ msg: 'worker started', queues: this.queues.names() });
  }

  /** Stop taking jobs (active ones finish), stop projections after their batch, stop cron timers. */
  async drain(): Promise<void> {
    await Promise.allSettled([
      ...this.queues.names().map((n) => this.queues.queue(n).pause(true)),
      this.projections.stop(),
      this.scheduler.onApplicationShutdown(),
    ]);
    this.logger.log({ msg: 'worker drained' });
  }
}
