import { Command, CommandRunner } from 'nest-commander';
import { Presets, SingleBar } from 'cli-progress';
import { userInfo, hostname } from 'node:os';
import { ScheduledJobRuns } from '../platform/scheduling';

/** How long the CLI waits for a worker to take the run before saying so (it keeps waiting). */
const NO_WORKER_NOTICE_MS = 15_000;

@Command({
  name: 'job:run',
  arguments: '<name>',
  description: 'Run a scheduled job now, exactly as its cron tick would (a worker runs it); shows progress and prints its result',
})
export class JobRunCommand extends CommandRunner {
  constructor(private readonly jobs: ScheduledJobRuns) {
    super();
  }

  async run([name]: string[]): Promise<void> {
    let queued;
    try {
      queued = await this.jobs.start(name, `cli:${userInfo().username}@${hostname()}`);
    } catch (err) {
      process.stderr.write(`${(err as Error).message}\n`);
      process.exitCode = 1;
      return;
    }
    process.stderr.write(`${name}: run ${queued.id} queued\n`);
    const bar = new SingleBar(
      { format: `${name.padEnd(24)} [{bar}] {percentage}% | {value}/{total} | {eta_formatted} left`, stream: process.stderr },
      Presets.shades_classic,
    );
    let barStarted = false;
    let noticed = false;
    const t0 = Date.now();
    const run = await this.jobs.wait(queued.id, Number.MAX_SAFE_INTEGER, (r) => {
      if (r.status === 'queued' && !noticed && Date.now() - t0 > NO_WORKER_NOTICE_MS) {
        noticed = true;
        process.stderr.write(`${name}: no worker has taken the run yet — is a worker running? (still waiting; Ctrl-C leaves it queued)\n`);
      }
      if (r.progress_done === null) return;
      const total = Math.max(r.progress_total ?? r.progress_done, r.progress_done, 1);
      if (!barStarted) {
        bar.start(total, 0);
        barStarted = true;
      }
      bar.setTotal(total);
      bar.update(r.progress_done);
    });
    if (barStarted) bar.stop();
    const secs = ((run.finished_at?.getTime() ?? Date.now()) - run.started_at.getTime()) / 1000;
    process.stdout.write(
      `${JSON.stringify({ name, run_id: run.id, status: run.status, seconds: Number(secs.toFixed(1)), result: run.result, error: run.error?.split('\n')[0] ?? null })}\n`,
    );
    if (run.status !== 'succeeded') process.exitCode = 1;
  }
}

@Command({ name: 'job:list', description: 'Scheduled jobs with their cron expression, last run and next run' })
export class JobListCommand extends CommandRunner {
  constructor(private readonly jobs: ScheduledJobRuns) {
    super();
  }

  async run(): Promise<void> {
    for (const j of await this.jobs.list()) {
      process.stdout.write(`${j.name.padEnd(28)} ${j.cron.padEnd(16)} last=${j.last_run_at ?? '-'} (${j.last_status ?? '-'}) next=${j.next_run_at}\n`);
    }
  }
}
