import { Global, Logger, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../../ormconfig';
import { AppConfig } from '../../config/app-config';
import { ensureDatabase } from './ensure-database';
import { runMigrationsExclusively } from './run-migrations';

/**
 * PostgreSQL through TypeORM. Before the pool opens, the database is created when missing and pending
 * migrations are applied at initialisation (both configurable); the schema is never synchronised.
 */
@Global()
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [AppConfig],
      useFactory: async (config: AppConfig) => {
        const { DATABASE_URL: url, DATABASE_POOL_SIZE: pool } = config.env;
        if (config.env.DATABASE_CREATE_IF_MISSING && (await ensureDatabase(url))) {
          new Logger('Database').log({ msg: 'created missing database', database: config.databaseName });
        }
        return { ...dataSourceOptions(url, pool), migrationsRun: config.env.DATABASE_MIGRATE_ON_START };
      },
      dataSourceFactory: async (options) => {
        const ds = await new DataSource({ ...options!, migrationsRun: false }).initialize();
        if (options!.migrationsRun) await runMigrationsExclusively(ds);
        return ds;
      },
    }),
  ],
})
export class DatabaseModule {}
