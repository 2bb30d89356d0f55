import 'reflect-metadata';
import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import { z } from 'zod';
import { ConfigError, loadConfig } from '../../config/app-config.js';
import { fieldErrorsOf } from '../../common/validation.js';
import { createDataSource } from '../../database/data-source.js';
import { pgPoolOf, prepareDatabase } from '../../database/database-bootstrap.js';
import { datasetCitizensSchema, datasetSeedSchema, referenceDateSchema } from '../../config/dataset-spec.js';
import { RegistrySeeder } from './registry-seeder.js';
import { exitOnStartupError } from '../../common/fatal-startup.js';

const USAGE = 'usage: npm run seed -- [--citizens N] [--seed S] [--reference-date YYYY-MM-DD] [--reset]';

const argumentsSchema = z.strictObject({
  citizens: z.coerce.number().pipe(datasetCitizensSchema).optional(),
  seed: datasetSeedSchema.optional(),
  'reference-date': referenceDateSchema.optional(),
  reset: z.boolean().default(false),
});

/**
 * `npm run seed`: loads the synthetic registry with a progress bar. Without --reset it leaves a registry that
 * already holds the same dataset alone; with --reset it replaces whatever is there. Defaults come from
 * SANDBOX_SEED and SANDBOX_CITIZENS.
 */
async function seed(): Promise<void> {
  const config = loadConfig();
  const { values } = parseArgs({
    options: {
      citizens: { type: 'string' },
      seed: { type: 'string' },
      'reference-date': { type: 'string' },
      reset: { type: 'boolean' },
    },
    strict: true,
  });
  const parsed = argumentsSchema.safeParse(values);
  if (!parsed.success) {
    const problems = fieldErrorsOf(parsed.error, '', values).map((e) => `--${e.field}: ${e.message}`);
    throw new ConfigError([...problems, USAGE]);
  }
  const options = {
    seed: parsed.data.seed ?? config.sandbox.seed,
    citizens: parsed.data.citizens ?? config.sandbox.citizens,
    referenceDate: parsed.data['reference-date'] ?? new Date().toISOString().slice(0, 10),
  };

  const dataSource = createDataSource(config.databaseUrl, 2);
  await prepareDatabase(dataSource, config.databaseUrl);
  const pool = pgPoolOf(dataSource);
  const loaded = await pool.query<{ seed: string; citizens: number; referenceDate: string }>(
    `SELECT seed, citizens, reference_date::text AS "referenceDate" FROM registry_dataset`,
  );
  const current = loaded.rows[0];
  const same = current && current.seed === options.seed && current.citizens === options.citizens && current.referenceDate === options.referenceDate;
  if (same && !parsed.data.reset) {
    process.stdout.write(`the registry already holds this dataset (seed ${options.seed}, ${options.citizens} citizens, ${options.referenceDate}); nothing to do\n`);
    await dataSource.destroy();
    return;
  }
  if (current && !parsed.data.reset) {
    await dataSource.destroy();
    throw new ConfigError([`the registry holds another dataset (seed ${current.seed}, ${current.citizens} citizens, ${current.referenceDate}); add --reset to replace it`]);
  }

  const bar = new cliProgress.SingleBar(
    { format: 'seeding {bar} {percentage}% | {value}/{total} citizens | {rate}/s | ETA {eta}s', hideCursor: true, noTTYOutput: true, notTTYSchedule: 2000 },
    cliProgress.Presets.shades_classic,
  );
  const started = performance.now();
  bar.start(options.citizens, 0, { rate: 0 });
  const result = await new RegistrySeeder(pool).reset({
    ...options,
    onProgress: (written) => bar.update(written, { rate: Math.round(written / ((performance.now() - started) / 1000)) }),
  });
  bar.stop();
  await dataSource.destroy();
  process.stdout.write(
    `seeded ${result.generatedCitizens} citizens + ${result.personas} personas in ${result.households} households ` +
      `(seed ${result.seed}, reference date ${result.referenceDate}) in ${(result.durationMs / 1000).toFixed(1)} s\n`,
  );
}

seed().catch(exitOnStartupError);
