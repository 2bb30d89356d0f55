import 'reflect-metadata';
import { createReadStream, createWriteStream, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import copyStreams from 'pg-copy-streams';
import { createDataSource } from '../src/database/data-source.js';
import { pgPoolOf, prepareDatabase } from '../src/database/database-bootstrap.js';
import { generateHouseholds } from '../src/sandbox/population/population-generator.js';
import { CITIZEN_COLUMNS } from '../src/registry/citizen-row.js';
import { citizenCopyRow } from '../src/registry/copy-format.js';
import { RegistrySeeder } from '../src/sandbox/seeding/registry-seeder.js';
import { BENCH_DATABASE_URL, machineSummary, recordResult } from './bench-support.js';

/**
 * `npm run bench:seed [-- --citizens N]`: times popgate's full seed (generation, households, family links, COPY,
 * index builds, ANALYZE) of N citizens, then, as the floor, a bare COPY of the same citizen rows from a file.
 * Target (issue 2): 1,000,000 citizens in at most 30 s on a 2-core machine.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({ options: { citizens: { type: 'string', default: '1000000' }, seed: { type: 'string', default: 'bench' } } });
  const citizens = Number(values.citizens);
  const seed = values.seed!;
  const referenceDate = '2026-11-28';
  const dataSource = createDataSource(BENCH_DATABASE_URL, 2);
  await prepareDatabase(dataSource, BENCH_DATABASE_URL);
  const pool = pgPoolOf(dataSource);

  console.log(`bench:seed — ${citizens.toLocaleString('en')} citizens, seed "${seed}" on ${machineSummary()}`);
  let lastShown = 0;
  const seeded = await new RegistrySeeder(pool).reset({
    seed,
    citizens,
    referenceDate,
    onProgress: (written, total) => {
      if (written - lastShown >= total / 10) {
        lastShown = written;
        process.stdout.write(`  seeded ${written.toLocaleString('en')} / ${total.toLocaleString('en')}\n`);
      }
    },
  });
  const seedSeconds = seeded.durationMs / 1000;

  // The floor: the same citizen rows, generated beforehand into a file (timed apart), then loaded with a bare COPY
  // into a table of the same columns without indexes or constraints, in its own transaction (so with WAL, like ours).
  const rowsFile = join(tmpdir(), `popgate-bench-rows-${process.pid}.tsv`);
  const generationStarted = performance.now();
  let rows = 0;
  function* lines(): Generator<string> {
    let chunk = '';
    for (const { members } of generateHouseholds({ seed, citizens, today: new Date(`${referenceDate}T00:00:00Z`) })) {
      for (const member of members) chunk += citizenCopyRow(member);
      rows += members.length;
      if (chunk.length > 1 << 20) {
        yield chunk;
        chunk = '';
      }
    }
    yield chunk;
  }
  await pipeline(Readable.from(lines()), createWriteStream(rowsFile));
  const generationSeconds = (performance.now() - generationStarted) / 1000;

  const client = await pool.connect();
  await client.query('CREATE TABLE copy_floor (LIKE citizens INCLUDING DEFAULTS)');
  const copyStarted = performance.now();
  await pipeline(createReadStream(rowsFile), client.query(copyStreams.from(`COPY copy_floor (${CITIZEN_COLUMNS.join(', ')}) FROM STDIN`)));
  const copySeconds = (performance.now() - copyStarted) / 1000;
  await client.query('DROP TABLE copy_floor');
  client.release();
  await dataSource.destroy();
  rmSync(rowsFile);

  const result = {
    citizens: seeded.generatedCitizens + seeded.personas,
    households: seeded.households,
    seedSeconds: Number(seedSeconds.toFixed(2)),
    ...Object.fromEntries(Object.entries(seeded.phasesMs).map(([phase, ms]) => [`seed.${phase}Seconds`, Number((ms / 1000).toFixed(2))])),
    citizensPerSecond: Math.round((seeded.generatedCitizens + seeded.personas) / seedSeconds),
    generationToFileSeconds: Number(generationSeconds.toFixed(2)),
    rawCopySeconds: Number(copySeconds.toFixed(2)),
    rawCopyRowsPerSecond: Math.round(rows / copySeconds),
    target: 'seed of 1,000,000 citizens ≤ 30 s',
    met: citizens < 1_000_000 ? 'n/a (smaller run)' : seedSeconds <= 30,
  };
  console.table(result);
  recordResult('seed', result);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
