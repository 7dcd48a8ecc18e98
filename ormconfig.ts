import 'reflect-metadata';
import { join } from 'node:path';
import { DataSource, DataSourceOptions } from 'typeorm';
import { SnakeNamingStrategy } from './src/platform/database/snake-naming.strategy';
import { pgTypeParsers } from './src/platform/database/timestamptz';
import { TypeOrmLogger } from './src/platform/database/typeorm-logger';

/**
 * The one TypeORM configuration, used by the application (DatabaseModule), by the migration CLI
 * (`npm run migrate`, `npx typeorm -d dist/ormconfig.js …`) and by tests.
 * The schema is never synchronised: migrations only.
 */
export function dataSourceOptions(
  url = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/kenbun',
  poolSize = Number(process.env.DATABASE_POOL_SIZE ?? 10),
): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities: [join(__dirname, 'src', '**', '*.entity.{ts,js}')],
    migrations: [join(__dirname, 'migrations', '*.{ts,js}')],
    migrationsTableName: 'typeorm_migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    migrationsRun: false,
    namingStrategy: new SnakeNamingStrategy(),
    // JIT compiles a plan whose estimated cost is high, which costs hundreds of milliseconds on the short set-based
    // statements of the ingest path (seen: 230 ms of JIT for a 15 ms query); nothing here runs long analytics
    // timestamptz values are read by a parser without regular expressions (see parseTimestamptz)
    extra: { max: poolSize, application_name: 'kenbun', options: '-c jit=off', types: pgTypeParsers },
    logging: ['warn', 'migration'],
    logger: new TypeOrmLogger(['warn', 'migration']),
    maxQueryExecutionTime: 2000,
  };
}

export default new DataSource(dataSourceOptions());
