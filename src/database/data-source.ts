import { Socket } from 'node:net';
import pg from 'pg';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { markRaisedBy, POSTGRES } from '../common/problem-details.js';
import { CreateRegistry1795826400000 } from './migrations/1795826400000-CreateRegistry.js';
import { CreateServiceCatalog1795830300000 } from './migrations/1795830300000-CreateServiceCatalog.js';
import { CreateConsumersAndConsents1795830360000 } from './migrations/1795830360000-CreateConsumersAndConsents.js';
import { CreateAccessAudit1795830420000 } from './migrations/1795830420000-CreateAccessAudit.js';
import { IndexConsumerKeyPrefix1796040000000 } from './migrations/1796040000000-IndexConsumerKeyPrefix.js';
import { UniqueConsumerNames1796040060000 } from './migrations/1796040060000-UniqueConsumerNames.js';
import { OneLiveConsent1796040120000 } from './migrations/1796040120000-OneLiveConsent.js';
import { CreateCallJournal1796400000000 } from './migrations/1796400000000-CreateCallJournal.js';
import { JournalBatchRefused1796470000000 } from './migrations/1796470000000-JournalBatchRefused.js';
import { SelfServiceConsumers1796460000000 } from './migrations/1796460000000-SelfServiceConsumers.js';
import { CreateConnectors1796486400000 } from './migrations/1796486400000-CreateConnectors.js';
import { LeanerJournalIndexes1796500000000 } from './migrations/1796500000000-LeanerJournalIndexes.js';
import { ServiceMinimumAge1796600000000 } from './migrations/1796600000000-ServiceMinimumAge.js';
import { PortalConsumer1796600060000 } from './migrations/1796600060000-PortalConsumer.js';
import { CreatePortalDossiers1796600120000 } from './migrations/1796600120000-CreatePortalDossiers.js';
import { OutboxUnqueuedIndex1796600180000 } from './migrations/1796600180000-OutboxUnqueuedIndex.js';
import { CreatePortalRecords1796700000000 } from './migrations/1796700000000-CreatePortalRecords.js';
import { CreateRecordsFollower1796700120000 } from './migrations/1796700120000-CreateRecordsFollower.js';
import { CreatePortalSyncRuns1796700060000 } from './migrations/1796700060000-CreatePortalSyncRuns.js';
import { CreatePortalSyncSchedules1796700240000 } from './migrations/1796700240000-CreatePortalSyncSchedules.js';
import { PortalRecordsRoomForUpdates1796700300000 } from './migrations/1796700300000-PortalRecordsRoomForUpdates.js';
import { SyncResultsDiscrepantIndex1796700360000 } from './migrations/1796700360000-SyncResultsDiscrepantIndex.js';
import { SyncResultsRetention1796700420000 } from './migrations/1796700420000-SyncResultsRetention.js';
import { CreateCoverageRollups1796800000000 } from './migrations/1796800000000-CreateCoverageRollups.js';
import { CreateCoverageStages1796800060000 } from './migrations/1796800060000-CreateCoverageStages.js';
import { IndexDossiersFiledAt1796800120000 } from './migrations/1796800120000-IndexDossiersFiledAt.js';
import { JournalRetryAfter1796801000000 } from './migrations/1796801000000-JournalRetryAfter.js';
import { CoverageServiceRollups1796802000000 } from './migrations/1796802000000-CoverageServiceRollups.js';
import { CoverageDossierRollups1796802060000 } from './migrations/1796802060000-CoverageDossierRollups.js';
import { CoverageTotalRollups1796802120000 } from './migrations/1796802120000-CoverageTotalRollups.js';
import { DossierBacklogIndex1796802180000 } from './migrations/1796802180000-DossierBacklogIndex.js';
import { CoverageAreaRollups1796802240000 } from './migrations/1796802240000-CoverageAreaRollups.js';

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
  SelfServiceConsumers1796460000000,
  JournalBatchRefused1796470000000,
  CreateConnectors1796486400000,
  LeanerJournalIndexes1796500000000,
  ServiceMinimumAge1796600000000,
  PortalConsumer1796600060000,
  CreatePortalDossiers1796600120000,
  OutboxUnqueuedIndex1796600180000,
  CreatePortalRecords1796700000000,
  CreatePortalSyncRuns1796700060000,
  CreateRecordsFollower1796700120000,
  CreatePortalSyncSchedules1796700240000,
  PortalRecordsRoomForUpdates1796700300000,
  SyncResultsDiscrepantIndex1796700360000,
  SyncResultsRetention1796700420000,
  CreateCoverageRollups1796800000000,
  CreateCoverageStages1796800060000,
  IndexDossiersFiledAt1796800120000,
  JournalRetryAfter1796801000000,
  CoverageServiceRollups1796802000000,
  CoverageDossierRollups1796802060000,
  CoverageTotalRollups1796802120000,
  DossierBacklogIndex1796802180000,
  CoverageAreaRollups1796802240000,
];

/**
 * The client of every pooled connection: pg's, with two things the pool does not do by itself.
 * - Its socket marks its own errors as the database's (markRaisedBy), so that ECONNREFUSED on connect and
 *   ECONNRESET of a query in flight are answered 503 like the other signs of an outage; Node's socket errors say
 *   nothing of whose socket failed.
 * - It always has an 'error' listener. pg-pool listens only while a client is idle; a client that is checked out (a
 *   transaction, the seeder's COPY) and whose session the server ends emits 'error' after failing its query, and an
 *   'error' event without a listener ends the process. The failed query already carries the error to its caller, a
 *   later one fails as "not queryable", and the pool drops the broken client when it is released.
 */
class PooledClient extends pg.Client {
  constructor(config?: pg.ClientConfig) {
    super({ ...config, stream: databaseSocket });
    this.on('error', () => undefined);
  }
}

function databaseSocket(): Socket {
  const socket = new Socket();
  // Registered before pg's own listener, so the error is marked before any query sees it.
  socket.on('error', (error) => markRaisedBy(error, POSTGRES));
  return socket;
}

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
    extra: { max: poolSize, connectionTimeoutMillis: 5_000, application_name: 'popgate', Client: PooledClient },
    // An idle connection the server ended (a restart): the pool has dropped it and opens another when next asked.
    // Without a listener this 'error' event would end the process; what an outage costs callers is logged with
    // their 503s.
    poolErrorHandler: () => undefined,
  };
}

/**
 * A DataSource on the database. `entities` are the app's (src/entities.ts, passed in from the top so that the
 * database layer imports no domain); migrations, the seeder and the CLI need none.
 */
export function createDataSource(databaseUrl: string, poolSize?: number, entities?: DataSourceOptions['entities']): DataSource {
  return new DataSource(dataSourceOptions(databaseUrl, poolSize, entities));
}
