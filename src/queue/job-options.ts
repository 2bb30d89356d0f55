import type { JobsOptions } from 'bullmq';

/**
 * Option presets for jobs, so that every producer retries, backs off and keeps finished jobs the same way. Backoff
 * carries jitter: after a registry outage, jobs that failed together must not come back together.
 */
export const JOB_PRESETS = {
  /**
   * A rebuild of a whole dataset: cheap to redo and must not run twice at once, so one retry after a crash is enough.
   * Finished jobs stay a day (their status URL answers meanwhile), failed ones a week.
   */
  rebuild: {
    attempts: 2,
    backoff: { type: 'fixed', delay: 1_000 },
    removeOnComplete: { age: 24 * 3600, count: 100 },
    removeOnFail: { age: 7 * 24 * 3600 },
  },
  /**
   * A call to the registry made by a job (verification, sync batches): transient failures are retried with
   * exponential backoff from one second, with half of each delay drawn at random; after the last attempt the job is
   * a dead letter, kept a week for operators.
   */
  registryCall: {
    attempts: 6,
    backoff: { type: 'exponential', delay: 1_000, jitter: 0.5 },
    removeOnComplete: { age: 24 * 3600, count: 10_000 },
    removeOnFail: { age: 7 * 24 * 3600 },
  },
} as const satisfies Record<string, JobsOptions>;

export type JobPreset = keyof typeof JOB_PRESETS;
