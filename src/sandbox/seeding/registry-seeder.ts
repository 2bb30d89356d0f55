import type pg from 'pg';
import type { z } from 'zod';
import type { seedResultSchema } from '../sandbox.dto.js';
import type { CitizenRecord, HouseholdRecord } from '../../registry/citizen.js';
import { RegistryLoader, type DatasetContent, type DatasetSpec } from '../../registry/registry-loader.js';
import { generateHouseholds } from '../population/population-generator.js';
import { personaEvents, personaHouseholds } from '../population/personas.js';

/** What to seed: the dataset depends only on the spec's three values, row for row. */
export interface SeedOptions extends DatasetSpec {
  /** Called after every COPY chunk with the generated citizens written so far. */
  onProgress?: (written: number, total: number) => void;
}

/** What a dataset rebuild did: the reset job's return value, shown by GET /sandbox/jobs/{jobId}. */
export type SeedResult = z.infer<typeof seedResultSchema>;

/**
 * Seeds the sandbox registry: the personas first, then the generated population, and the personas' histories in
 * the changes feed. The registry's RegistryLoader writes them, in one transaction.
 */
export class RegistrySeeder {
  private readonly loader: RegistryLoader;

  constructor(pool: pg.Pool) {
    this.loader = new RegistryLoader(pool);
  }

  /** Seeds only when the registry holds no citizen; returns undefined when it already had data. */
  async seedIfEmpty(options: SeedOptions): Promise<SeedResult | undefined> {
    let counts: SeedCounts | undefined;
    const result = await this.loader.loadIfEmpty(() => {
      const dataset = datasetFor(options);
      counts = dataset.counts;
      return dataset.content;
    });
    return result && counts ? seedResult(options, counts, result) : undefined;
  }

  /** Replaces whatever is loaded with the dataset for these options. */
  async reset(options: SeedOptions): Promise<SeedResult> {
    const dataset = datasetFor(options);
    return seedResult(options, dataset.counts, await this.loader.replace(dataset.content));
  }
}

interface SeedCounts {
  generated: number;
  personas: number;
}

function datasetFor(options: SeedOptions): { content: DatasetContent; counts: SeedCounts } {
  const today = new Date(`${options.referenceDate}T00:00:00Z`);
  const counts: SeedCounts = { generated: 0, personas: 0 };
  function* households(): Generator<{ household: HouseholdRecord; members: CitizenRecord[] }> {
    for (const group of personaHouseholds(today)) {
      counts.personas += group.members.length;
      yield group;
    }
    for (const group of generateHouseholds({ seed: options.seed, citizens: options.citizens, today })) {
      counts.generated += group.members.length;
      yield group;
    }
  }
  const spec = { seed: options.seed, citizens: options.citizens, referenceDate: options.referenceDate };
  return {
    counts,
    content: {
      spec,
      households: households(),
      events: () => personaEvents(today),
      onChunk: () => options.onProgress?.(counts.generated, options.citizens),
    },
  };
}

function seedResult(options: SeedOptions, counts: SeedCounts, loaded: Awaited<ReturnType<RegistryLoader['replace']>>): SeedResult {
  return {
    seed: options.seed,
    referenceDate: options.referenceDate,
    generatedCitizens: counts.generated,
    personas: counts.personas,
    households: loaded.households,
    changes: loaded.changes,
    durationMs: loaded.durationMs,
    phasesMs: loaded.phasesMs,
  };
}
