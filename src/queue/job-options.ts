import { MetricsTime, type JobsOptions, type WorkerOptions } from 'bullmq';

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

/**
 * Options every processor's worker takes (`@Processor(queue, { ...WORKER_OPTIONS, concurrency })`). `metrics`: the
 * worker counts the jobs it completes and fails per minute in Redis, which GET /ops/queues reads
 * (`queue.getMetrics`); BullMQ's guide asks for the same setting on every worker of a queue. A week of one-minute
 * points costs about 60 KB of Redis per queue (BullMQ's guide: about 120 KB for two weeks).
 */
export const WORKER_OPTIONS = {
  metrics: { maxDataPoints: MetricsTime.ONE_WEEK },
} as const satisfies Partial<WorkerOptions>;
