import pg from 'pg';
import type { DataSource } from 'typeorm';
import { ServiceUnavailableError } from '../common/domain-error.js';

/** How a newcomer starts a missing service; printed with the URL that failed. */
export const START_POSTGRES_HINT =
  'start it with `docker compose -f docker/compose.yml up -d postgres`, or on a Debian host ' +
  '`pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start`';

/** The URL without its password, safe to print. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparseable URL)';
  }
}

/** Raised when Postgres cannot be reached; the message names the URL and how to start the service. */
export class PostgresUnreachableError extends ServiceUnavailableError {
  constructor(url: string, cause: unknown) {
    super(`cannot reach PostgreSQL at ${redactUrl(url)} (${(cause as Error)?.message ?? cause}); ${START_POSTGRES_HINT}`, [], { cause });
  }
}

/**
 * Creates the database named in `databaseUrl` when it is missing, by connecting to the server's `postgres`
 * database. The quick start relies on this: a fresh machine has the server but not popgate's database.
 */
export async function ensureDatabaseExists(databaseUrl: string): Promise<void> {
  const target = new URL(databaseUrl);
  const databaseName = decodeURIComponent(target.pathname.replace(/^\//, '')) || 'postgres';
  const admin = new URL(databaseUrl);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString(), connectionTimeoutMillis: 5_000 });
  try {
    await client.connect();
  } catch (error) {
    throw new PostgresUnreachableError(databaseUrl, error);
  }
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [databaseName]);
    if (found.rowCount === 0) {
      try {
        await client.query(`CREATE DATABASE "${databaseName.replace(/"/g, '""')}"`);
      } catch (error) {
        // Two processes starting together (API and worker) may race to create it; losing the race is fine. The loser
        // gets 42P04 (duplicate_database) when the winner had committed, or 23505 on pg_database's unique index when
        // both were creating it at once.
        const code = (error as { code?: string }).code;
        if (code !== '42P04' && code !== '23505') throw error;
      }
    }
  } finally {
    await client.end();
  }
}

/** Key of the advisory lock that serialises migrations: replicas starting together must not run them twice. */
const MIGRATIONS_LOCK_KEY = 0x5eed_0002;

/**
 * Creates the database if needed, connects, and applies pending migrations. Returns the names applied.
 * TypeORM takes no lock of its own: two processes starting together (two API replicas, an API and a worker) would
 * both find a migration pending and both run it, and the loser would fail on the table the winner created. So the
 * migrations run under a session advisory lock held by a connection of its own (the data source's pool may have a
 * single connection, which the migrations need): the second process waits, then finds nothing pending. A process that
 * dies holding it releases it with its connection.
 */
export async function prepareDatabase(dataSource: DataSource, databaseUrl: string): Promise<string[]> {
  await ensureDatabaseExists(databaseUrl);
  if (!dataSource.isInitialized) {
    try {
      await dataSource.initialize();
    } catch (error) {
      throw new PostgresUnreachableError(databaseUrl, error);
    }
  }
  const lock = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 5_000, application_name: 'popgate-migrations' });
  try {
    await lock.connect();
  } catch (error) {
    throw new PostgresUnreachableError(databaseUrl, error);
  }
  try {
    await lock.query('SELECT pg_advisory_lock($1)', [MIGRATIONS_LOCK_KEY]);
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    return applied.map((migration) => migration.name);
  } finally {
    await lock.end();
  }
}

/** The pg pool behind TypeORM: hot paths use it directly for named prepared statements, which TypeORM cannot make. */
export function pgPoolOf(dataSource: DataSource): pg.Pool {
  return (dataSource.driver as unknown as { master: pg.Pool }).master;
}
