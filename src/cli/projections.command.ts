import { Command, CommandRunner } from 'nest-commander';
import { SingleBar, Presets } from 'cli-progress';
import { ProjectionRebuilder } from '../platform/projections/projection-rebuilder.service';
import { ProjectionRunner } from '../platform/projections/projection-runner.service';

@Command({
  name: 'projections:rebuild',
  arguments: '[name]',
  description: 'Replay the event store from position zero into a projection (all projections when no name is given)',
})
export class RebuildProjectionsCommand extends CommandRunner {
  constructor(private readonly rebuilder: ProjectionRebuilder) {
    super();
  }

  async run([name]: string[]): Promise<void> {
    const names = name ? [name] : this.rebuilder.names();
    for (const n of names) {
      const bar = new SingleBar(
        { format: `${n.padEnd(24)} [{bar}] {percentage}% | {value}/{total} events | {eta_formatted} left`, stream: process.stderr },
        Presets.shades_classic,
      );
      let started = false;
      const t0 = Date.now();
      const events = await this.rebuilder.rebuild(n, (done, total) => {
        if (!started) {
          bar.start(Math.max(total, 1), 0);
          started = true;
        }
        bar.setTotal(Math.max(total, done, 1));
        bar.update(done);
      });
      bar.stop();
      const secs = (Date.now() - t0) / 1000;
      process.stdout.write(`${n}: ${events} events replayed in ${secs.toFixed(1)} s (${Math.round(events / Math.max(secs, 0.001))} events/s)\n`);
    }
  }
}

@Command({ name: 'projections:status', description: 'Checkpoint and status of every projection' })
export class ProjectionStatusCommand extends CommandRunner {
  constructor(
    private readonly rebuilder: ProjectionRebuilder,
    private readonly runner: ProjectionRunner,
  ) {
    super();
  }

  async run(): Promise<void> {
    for (const n of this.rebuilder.names()) {
      const cp = await this.runner.checkpoint(n);
      process.stdout.write(`${n}\t${cp.status}\tprocessed=${cp.eventsProcessed}\tposition=${cp.position}\n`);
    }
  }
}
