import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import copyStreams from 'pg-copy-streams';
import type { CitizenRecord, HouseholdRecord } from './citizen.js';
import { CITIZEN_COLUMNS, HOUSEHOLD_COLUMNS } from './citizen-row.js';
import { citizenCopyRow, householdCopyRow } from './copy-format.js';

/** The dataset a load describes: the same three values give the same rows (recorded in registry_dataset). */
export interface DatasetSpec {
  seed: string;
  /** Generated citizens, in addition to the personas, which are always present. */
  citizens: number;
  /** The generator's "today" (ages, card expiry, "moved last week"), `YYYY-MM-DD`. */
  referenceDate: string;
}

/** A change event to append to the feed with the dataset. */
export interface LoadedChangeEvent {
  kind: string;
  idNumber: string;
  occurredAt: string;
  details: Record<string, unknown>;
}

/** What to load: households with their members, in load order, and the feed's events. */
export interface DatasetContent {
  spec: DatasetSpec;
  households: Iterable<{ household: HouseholdRecord; members: CitizenRecord[] }>;
  events: () => readonly LoadedChangeEvent[];
  /** Called after every COPY chunk has been handed to PostgreSQL. */
  onChunk?: () => void;
}

export interface LoadResult {
  citizens: number;
  households: number;
  changes: number;
  durationMs: number;
  /** Where the time went: generation and COPY (overlapping), index builds, ANALYZE. */
  phasesMs: { generateAndCopy: number; indexes: number; analyze: number };
}

/** Rows per COPY write: large enough to amortise stream overhead, small enough to report progress smoothly. */
const ROWS_PER_CHUNK = 2_000;

/** Key of the advisory lock that serialises seeding: the API and a worker starting together must not both seed. */
const SEED_LOCK_KEY = 0x5eed_0001;

/**
 * The registry's bulk write: replaces its tables with a dataset using COPY in one transaction, so the registry is
 * either the old dataset or the complete new one, never half of each. TRUNCATE and COPY FREEZE in the same
 * transaction let Postgres skip WAL-heavy tuple visibility work later. What the dataset holds is the sandbox's
 * business (src/sandbox/seeding/registry-seeder.ts); the tables are the registry's, so only this class writes them.
 */
export class RegistryLoader {
  constructor(private readonly pool: pg.Pool) {}

  /** Loads only when the registry holds no citizen; returns undefined when it already had data. */
  async loadIfEmpty(content: () => DatasetContent): Promise<LoadResult | undefined> {
    return this.withSeedLock(async (client) => {
      const existing = await client.query('SELECT 1 FROM citizens LIMIT 1');
      if (existing.rowCount !== 0) return undefined;
      return this.load(client, content());
    });
  }

  /** Replaces whatever is loaded with this dataset. */
  async replace(content: DatasetContent): Promise<LoadResult> {
    return this.withSeedLock((client) => this.load(client, content));
  }

  private async withSeedLock<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock($1)', [SEED_LOCK_KEY]);
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  private async load(client: pg.PoolClient, content: DatasetContent): Promise<LoadResult> {
    const started = performance.now();
    // The feed's cursor keeps counting across resets: a reader holding an old cursor then sees the new dataset's
    // events after it, never a silent gap (RESTART IDENTITY would hand out ids it has already passed).
    await client.query('TRUNCATE citizens, households, registry_changes, registry_dataset');
    // Building indexes once over loaded tables is several times faster than maintaining them row by row during COPY.
    await client.query(`SET LOCAL maintenance_work_mem = '256MB'`);
    const rebuild = await this.dropIndexes(client, ['citizens', 'households']);

    const households: string[] = [];
    let citizens = 0;
    // Households are buffered (a few hundred thousand short lines) because one connection can run only one COPY at
    // a time.
    function* chunks(): Generator<string> {
      let chunk = '';
      let rows = 0;
      for (const { household, members } of content.households) {
        households.push(householdCopyRow(household));
        for (const member of members) chunk += citizenCopyRow(member);
        rows += members.length;
        citizens += members.length;
        if (rows >= ROWS_PER_CHUNK) {
          yield chunk;
          chunk = '';
          rows = 0;
          content.onChunk?.();
        }
      }
      if (chunk !== '') yield chunk;
      content.onChunk?.();
    }

    const copyStarted = performance.now();
    await pipeline(
      Readable.from(chunks(), { objectMode: false }),
      client.query(copyStreams.from(`COPY citizens (${CITIZEN_COLUMNS.join(', ')}) FROM STDIN WITH (FREEZE)`)),
    );
    await pipeline(
      Readable.from(households.join(''), { objectMode: false }),
      client.query(copyStreams.from(`COPY households (${HOUSEHOLD_COLUMNS.join(', ')}) FROM STDIN WITH (FREEZE)`)),
    );

    const indexesStarted = performance.now();
    await rebuild();
    const analyzeStarted = performance.now();
    const changes = await this.insertEvents(client, content.events());
    await client.query('INSERT INTO registry_dataset (seed, citizens, reference_date) VALUES ($1, $2, $3)', [
      content.spec.seed,
      content.spec.citizens,
      content.spec.referenceDate,
    ]);
    await client.query('ANALYZE citizens');
    await client.query('ANALYZE households');
    const finished = performance.now();
    return {
      citizens,
      households: households.length,
      changes,
      durationMs: Math.round(finished - started),
      phasesMs: {
        generateAndCopy: Math.round(indexesStarted - copyStarted),
        indexes: Math.round(analyzeStarted - indexesStarted),
        analyze: Math.round(finished - analyzeStarted),
      },
    };
  }

  /**
   * Drops the unique constraints and indexes of `tables` and returns a function that recreates them from the
   * definitions read here, so the definitions stay those of the migrations.
   */
  private async dropIndexes(client: pg.PoolClient, tables: string[]): Promise<() => Promise<void>> {
    const constraints = await client.query<{ table: string; name: string; definition: string }>(
      `SELECT conrelid::regclass::text AS table, conname AS name, pg_get_constraintdef(oid) AS definition
       FROM pg_constraint WHERE conrelid = ANY($1::regclass[]) AND contype IN ('p', 'u')`,
      [tables],
    );
    const indexes = await client.query<{ name: string; definition: string }>(
      `SELECT indexname AS name, indexdef AS definition FROM pg_indexes
       WHERE schemaname = current_schema() AND tablename = ANY($1::text[])
         AND indexname NOT IN (SELECT conname FROM pg_constraint WHERE conrelid = ANY($1::regclass[]))`,
      [tables],
    );
    for (const index of indexes.rows) await client.query(`DROP INDEX ${index.name}`);
    for (const constraint of constraints.rows) await client.query(`ALTER TABLE ${constraint.table} DROP CONSTRAINT ${constraint.name}`);
    return async () => {
      for (const constraint of constraints.rows) {
        await client.query(`ALTER TABLE ${constraint.table} ADD CONSTRAINT ${constraint.name} ${constraint.definition}`);
      }
      for (const index of indexes.rows) await client.query(index.definition);
    };
  }

  private async insertEvents(client: pg.PoolClient, events: readonly LoadedChangeEvent[]): Promise<number> {
    if (events.length === 0) return 0;
    await client.query(
      `INSERT INTO registry_changes (kind, id_number, occurred_at, details)
       SELECT e.kind, e.id_number, e.occurred_at, e.details
       FROM jsonb_to_recordset($1::jsonb) AS e(kind text, id_number text, occurred_at timestamptz, details jsonb)`,
      [JSON.stringify(events.map((e) => ({ kind: e.kind, id_number: e.idNumber, occurred_at: e.occurredAt, details: e.details })))],
    );
    return events.length;
  }
}
