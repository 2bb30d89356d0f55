import { afterAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { createDataSource } from '../../src/database/data-source.js';
import { prepareDatabase } from '../../src/database/database-bootstrap.js';

/** A database of this test's own, created by the processes under test and dropped afterwards. */
const base = new URL(process.env.DATABASE_URL!);
const name = `${base.pathname.slice(1)}_start_${process.pid}`;
const url = new URL(base);
url.pathname = `/${name}`;

async function onServer(sql: string): Promise<void> {
  const admin = new URL(base);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

describe('starting several processes on one database at once', () => {
  afterAll(async () => {
    await onServer(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  });

  it('creates the database and applies each migration once, whichever process gets there first', async () => {
    await onServer(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    // Three replicas, each with the single-connection pool a worker has.
    const sources = [1, 2, 3].map(() => createDataSource(url.toString(), 1));
    try {
      const applied = await Promise.all(sources.map((source) => prepareDatabase(source, url.toString())));
      const [rows] = [await sources[0].query(`SELECT name, count(*)::int AS times FROM migrations GROUP BY name`)];
      expect(rows.length).toBeGreaterThan(0);
      expect(rows.filter((row: { times: number }) => row.times !== 1)).toEqual([]);
      // One process applied them all; the others found none pending.
      expect(applied.map((names) => names.length).sort((a, b) => a - b)).toEqual([0, 0, rows.length]);
    } finally {
      for (const source of sources) if (source.isInitialized) await source.destroy();
    }
  }, 120_000);
});
