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
        // Two processes starting together (API and worker) may race to create it; losing the race is fine.
        if ((error as { code?: string }).code !== '42P04') throw error;
      }
    }
  } finally {
    await client.end();
  }
}

/** Creates the database if needed, connects, and applies pending migrations. Returns the names applied. */
export async function prepareDatabase(dataSource: DataSource, databaseUrl: string): Promise<string[]> {
  await ensureDatabaseExists(databaseUrl);
  if (!dataSource.isInitialized) {
    try {
      await dataSource.initialize();
    } catch (error) {
      throw new PostgresUnreachableError(databaseUrl, error);
    }
  }
  const applied = await dataSource.runMigrations({ transaction: 'each' });
  return applied.map((migration) => migration.name);
}

/** The pg pool behind TypeORM: hot paths use it directly for named prepared statements, which TypeORM cannot make. */
export function pgPoolOf(dataSource: DataSource): pg.Pool {
  return (dataSource.driver as unknown as { master: pg.Pool }).master;
}
