import { z } from 'zod';

/**
 * Answers of the sandbox controls. The OpenAPI document is generated from these schemas, and the code that builds
 * each answer is typed by them.
 */

/** What a dataset rebuild did (the reset job's return value). */
export const seedResultSchema = z.object({
  seed: z.string(),
  referenceDate: z.string().describe('The generator\'s "today", YYYY-MM-DD'),
  generatedCitizens: z.number().int(),
  personas: z.number().int(),
  households: z.number().int(),
  changes: z.number().int().describe('Events in the changes feed'),
  durationMs: z.number(),
  phasesMs: z
    .object({ generateAndCopy: z.number(), indexes: z.number(), analyze: z.number() })
    .describe('Where the time went: generation and COPY (overlapping), index builds, ANALYZE'),
});

/** A job as the sandbox API shows it. */
export const sandboxJobViewSchema = z.object({
  jobId: z.string(),
  name: z.string(),
  state: z.enum(['waiting', 'waiting-children', 'prioritized', 'delayed', 'active', 'completed', 'failed', 'unknown']).describe("BullMQ's job state"),
  progress: z.number().describe('0-100'),
  result: seedResultSchema.nullable().describe('Set once the job completed'),
  failedReason: z.string().nullable(),
  queuedAt: z.string().describe('ISO 8601'),
  finishedAt: z.string().nullable().describe('ISO 8601'),
});

export const queuedJobSchema = sandboxJobViewSchema.extend({ statusUrl: z.string().describe('Where to follow the job: GET it') });

/** GET /sandbox/personas. */
export const personasSchema = z.object({
  personas: z.array(
    z.object({
      idNumber: z.string(),
      key: z.string().describe('Stable kebab-case slug'),
      title: z.string(),
      tests: z.string().describe('What the persona is for'),
      specialFields: z.array(z.string()).describe('The record fields that make it special'),
    }),
  ),
});
