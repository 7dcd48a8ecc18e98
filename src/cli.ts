import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { CommandFactory } from 'nest-commander';
import { AppModule } from './app.module';
import { loadConfigOrExit } from './bootstrap';
import { JobListCommand, JobRunCommand } from './cli/job-run.command';
import { MigrateCommand } from './cli/migrate.command';
import { ProjectionStatusCommand, RebuildProjectionsCommand } from './cli/projections.command';
import { CreateAdminCommand, CreateOrganizationCommand, CreateServiceAccountCommand, IdentityModule, SetRateLimitCommand } from './modules/identity';
import { ProjectionsModule } from './platform/projections/projections.module';
import { ScheduledJobsModule } from './platform/scheduling';

/** Administrative commands (nest-commander): `node dist/src/cli.js --help`. */
const config = loadConfigOrExit();

@Module({
  // the application (no role), plus the modules whose exports the commands use: AppModule does not re-export them
  imports: [AppModule.forRoles(config, []), IdentityModule, ProjectionsModule, ScheduledJobsModule],
  providers: [
    MigrateCommand,
    RebuildProjectionsCommand,
    ProjectionStatusCommand,
    CreateAdminCommand,
    CreateServiceAccountCommand,
    CreateOrganizationCommand,
    SetRateLimitCommand,
    JobRunCommand,
    JobListCommand,
  ],
})
class CliModule {}

void CommandFactory.run(CliModule, {
  logger: ['error', 'warn'],
  errorHandler: (err) => {
    process.stderr.write(`${err.message}\n`);
    process.exit(1);
  },
});
