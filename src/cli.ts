import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { CommandFactory } from 'nest-commander';
import { AppModule } from './app.module';
import { loadConfigOrExit } from './bootstrap';
import { MigrateCommand } from './cli/migrate.command';
import { ProjectionStatusCommand, RebuildProjectionsCommand } from './cli/projections.command';
import { CreateAdminCommand, CreateOrganizationCommand, CreateServiceAccountCommand, SetRateLimitCommand } from './modules/identity';

/** Administrative commands (nest-commander): `node dist/src/cli.js --help`. */
const config = loadConfigOrExit();

@Module({
  imports: [AppModule.forRoles(config, [])],
  providers: [
    MigrateCommand,
    RebuildProjectionsCommand,
    ProjectionStatusCommand,
    CreateAdminCommand,
    CreateServiceAccountCommand,
    CreateOrganizationCommand,
    SetRateLimitCommand,
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
