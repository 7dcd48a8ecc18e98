import { Command, CommandRunner, Option } from 'nest-commander';
import { DataSource } from 'typeorm';
import { runMigrationsExclusively } from '../platform/database/run-migrations';

@Command({ name: 'migrate', description: 'Apply pending migrations (creates the database when missing)' })
export class MigrateCommand extends CommandRunner {
  constructor(private readonly dataSource: DataSource) {
    super();
  }

  async run(_: string[], options: { revert?: boolean }): Promise<void> {
    if (options.revert) {
      await this.dataSource.undoLastMigration({ transaction: 'each' });
      process.stdout.write('reverted the last migration\n');
      return;
    }
    const applied = await runMigrationsExclusively(this.dataSource);
    process.stdout.write(applied.length ? `applied: ${applied.join(', ')}\n` : 'database is up to date\n');
  }

  @Option({ flags: '--revert', description: 'Undo the most recent migration instead' })
  parseRevert(): boolean {
    return true;
  }
}
