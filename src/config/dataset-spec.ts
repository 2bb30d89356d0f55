import { z } from 'zod';

/**
 * The one definition of a synthetic dataset: the same seed, size and reference date give the same rows. The
 * environment (SANDBOX_SEED, SANDBOX_CITIZENS), `npm run seed`, `POST /sandbox/reset` and the reset job's payload all
 * parse with these schemas, so their limits cannot drift apart.
 */

/** Largest dataset any entry point accepts: 10 million citizens load in about three minutes here (docs/BENCHMARKS.md). */
export const MAX_DATASET_CITIZENS = 10_000_000;

/** The personas' newborn has a fixed 2026 birth date (so that its number never changes): "today" cannot be earlier. */
export const PERSONA_EARLIEST_REFERENCE_DATE = '2026-05-21';

export const datasetSeedSchema = z.string().min(1).max(64).regex(/^[\w.:-]+$/, { message: 'letters, digits, and . _ : - only' });

export const datasetCitizensSchema = z.number().int().min(0).max(MAX_DATASET_CITIZENS);

/** The generator's "today". */
export const referenceDateSchema = z.iso
  .date()
  .refine((date) => date >= PERSONA_EARLIEST_REFERENCE_DATE, {
    message: `must be ${PERSONA_EARLIEST_REFERENCE_DATE} or later (the personas' newborn is born the day before)`,
    params: { rule: 'min_date' },
  })
  .refine((date) => date <= '2100-12-31', { message: 'must be 2100-12-31 or earlier', params: { rule: 'max_date' } });

export const datasetSpecSchema = z.strictObject({
  seed: datasetSeedSchema,
  citizens: datasetCitizensSchema,
  referenceDate: referenceDateSchema,
});
export type DatasetSpecInput = z.output<typeof datasetSpecSchema>;
