import { DataSource, type DataSourceOptions } from 'typeorm';
import { CreateRegistry1795826400000 } from './migrations/1795826400000-CreateRegistry.js';
import { CreateServiceCatalog1795830300000 } from './migrations/1795830300000-CreateServiceCatalog.js';
import { CreateConsumersAndConsents1795830360000 } from './migrations/1795830360000-CreateConsumersAndConsents.js';
import { CreateAccessAudit1795830420000 } from './migrations/1795830420000-CreateAccessAudit.js';
import { IndexConsumerKeyPrefix1796040000000 } from './migrations/1796040000000-IndexConsumerKeyPrefix.js';
import { UniqueConsumerNames1796040060000 } from './migrations/1796040060000-UniqueConsumerNames.js';
import { OneLiveConsent1796040120000 } from './migrations/1796040120000-OneLiveConsent.js';
import { CreateCallJournal1796400000000 } from './migrations/1796400000000-CreateCallJournal.js';

/** Every migration in order. `<unix-ms>-<PascalIntent>.ts`, one intent each, each with a working `down`. */
export const MIGRATIONS = [
  CreateRegistry1795826400000,
  CreateServiceCatalog1795830300000,
  CreateConsumersAndConsents1795830360000,
  CreateAccessAudit1795830420000,
  IndexConsumerKeyPrefix1796040000000,
  UniqueConsumerNames1796040060000,
  OneLiveConsent1796040120000,
  CreateCallJournal1796400000000,
];

/**
 * Options shared by the app, the migration CLI, the seeder and the tests. Never `synchronize`: the schema comes from
 * migrations only.
 */
export function dataSourceOptions(databaseUrl: string, poolSize = 10, entities: DataSourceOptions['entities'] = []): DataSourceOptions {
  return {
    type: 'postgres',
    url: databaseUrl,
    entities,
    migrations: MIGRATIONS,
    synchronize: false,
    migrationsRun: false,
    migrationsTransactionMode: 'each',
    extra: { max: poolSize, connectionTimeoutMillis: 5_000, application_name: 'popgate' },
  };
}

/**
 * A DataSource on the database. `entities` are the app's (src/entities.ts, passed in from the top so that the
 * database layer imports no domain); migrations, the seeder and the CLI need none.
 */
export function createDataSource(databaseUrl: string, poolSize?: number, entities?: DataSourceOptions['entities']): DataSource {
  return new DataSource(dataSourceOptions(databaseUrl, poolSize, entities));
}
