import { z } from 'zod';
import { blankIsAbsent, safeText } from '../common/validation.js';
import { QueueName } from '../queue/queue-names.js';

/** Minutes of throughput GET /ops/queues shows. */
export const THROUGHPUT_MINUTES = 15;

/** A queue named in the path: one of QueueName (404 `queue_not_found` otherwise). */
export const queueNameSchema = z.enum(QueueName);

const workerSchema = z.object({
  workerId: z.string().describe('Unique per process start'),
  pid: z.number().int(),
  host: z.string(),
  queues: z.array(z.string()).describe('The queues this process runs a worker on'),
  startedAt: z.string().describe('ISO 8601'),
  lastBeatAt: z.string().describe('ISO 8601: the last heartbeat (every 5 s; a worker silent for 15 s is no longer listed)'),
});

/** One queue as operators see it. */
export const queueOverviewSchema = z.object({
  name: queueNameSchema,
  isPaused: z.boolean().describe('Paused queues hand no new job to any worker; active jobs finish'),
  counts: z
    .object({
      waiting: z.number().int(),
      active: z.number().int(),
      delayed: z.number().int().describe('Waiting for their time, backoff retries among them'),
      prioritized: z.number().int(),
      waitingChildren: z.number().int(),
      completed: z.number().int().describe('Kept as the job preset says (removeOnComplete)'),
      failed: z.number().int().describe('Dead letters of Redis: failed after their last attempt, or unrecoverable'),
      paused: z.number().int().describe('Jobs held by a pause: the waiting ones while the queue is paused (BullMQ 6 keeps them in the waiting list), else 0'),
    })
    .describe('Jobs by state'),
  oldestWaitingAgeSeconds: z.number().nullable().describe('Age of the oldest waiting job (since it was added); null when none waits'),
  throughput: z
    .object({
      windowStart: z.string().describe('ISO 8601: the start of the first minute'),
      completedPerMinute: z.array(z.number().int()).describe(`${THROUGHPUT_MINUTES} counts, one per minute, oldest first; the last is the current minute so far`),
      failedPerMinute: z.array(z.number().int()).describe('The same for jobs that failed for good (an attempt that is retried is not counted)'),
    })
    .describe("Jobs finished per minute, from the workers' own counts (BullMQ metrics)"),
  workers: z.array(workerSchema).describe('Worker processes serving this queue, by their heartbeat'),
});

/** The changes follower of portal records: not a queue, but work in flight that operators watch with the queues. */
export const followerOverviewSchema = z.object({
  follower: z.string().describe('The follower (one row of portal_follower_cursor)'),
  cursor: z.string().describe("The last change id applied of the registry's current feed (0: none yet)"),
  eventsBehind: z.number().int().describe('Events of the feed not applied yet'),
  secondsBehind: z.number().describe('Seconds since the oldest event not applied yet was recorded; 0 at the head'),
  restarts: z.number().int().describe('Registry resets after which the follower started again from the new feed'),
  updatedAt: z.string().nullable().describe('ISO 8601: when the cursor last moved; null before the first run'),
});

export const queuesOverviewSchema = z.object({
  queues: z.array(queueOverviewSchema).describe('Every queue, in QueueName order'),
  follower: followerOverviewSchema.nullable().describe("The changes follower's lag (from Postgres); null when Postgres could not be read"),
  observedAt: z.string().describe('ISO 8601'),
});

/** States `clean` may empty. Active jobs are left alone: a worker holds their lock. */
export const CLEANABLE_STATES = ['completed', 'failed', 'delayed', 'waiting', 'prioritized'] as const;

export const cleanRequestSchema = z.strictObject({
  state: z.enum(CLEANABLE_STATES).describe('Which jobs to remove'),
  graceMs: z
    .number()
    .int()
    .min(0)
    .max(365 * 24 * 3600 * 1000)
    .default(0)
    .describe('Keep jobs younger than this: finished ones by their finish time, the others by when they were added'),
  limit: z.number().int().min(1).max(10_000).default(1_000).describe('At most this many jobs are removed per call'),
});

export const cleanResultSchema = z.object({
  queue: queueNameSchema,
  state: z.enum(CLEANABLE_STATES),
  removed: z.number().int(),
  removedJobIds: z.array(z.string()),
});

export const retryResultSchema = z.object({
  queue: queueNameSchema,
  retried: z.number().int().describe('Failed jobs moved back to waiting (the failed count before the call less after it)'),
});

const EXAMPLE_WORKER = {
  workerId: '5d0c4a43-9a8e-4f6f-8c0d-9b112b1f0c8e',
  pid: 4121,
  host: 'popgate-worker-1',
  queues: ['maintenance', 'sandbox', 'verification'],
  startedAt: '2026-12-01T08:00:02.114Z',
  lastBeatAt: '2026-12-01T09:14:57.530Z',
};

export const QUEUE_EXAMPLE: z.infer<typeof queueOverviewSchema> = {
  name: QueueName.Verification,
  isPaused: false,
  counts: { waiting: 120, active: 8, delayed: 14, prioritized: 0, waitingChildren: 0, completed: 9_871, failed: 3, paused: 0 },
  oldestWaitingAgeSeconds: 4.2,
  throughput: {
    windowStart: '2026-12-01T09:00:00.000Z',
    completedPerMinute: [610, 598, 640, 602, 615, 633, 590, 621, 608, 617, 600, 629, 611, 604, 231],
    failedPerMinute: [0, 0, 1, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0],
  },
  workers: [EXAMPLE_WORKER],
};

export const QUEUES_EXAMPLE: z.infer<typeof queuesOverviewSchema> = {
  queues: [
    {
      ...QUEUE_EXAMPLE,
      name: QueueName.Sandbox,
      counts: { waiting: 0, active: 0, delayed: 0, prioritized: 0, waitingChildren: 0, completed: 2, failed: 0, paused: 0 },
      oldestWaitingAgeSeconds: null,
      throughput: { ...QUEUE_EXAMPLE.throughput, completedPerMinute: Array(15).fill(0), failedPerMinute: Array(15).fill(0) },
    },
    QUEUE_EXAMPLE,
  ],
  follower: { follower: 'portal-records', cursor: '48213', eventsBehind: 120, secondsBehind: 2.4, restarts: 1, updatedAt: '2026-12-01T09:14:57.610Z' },
  observedAt: '2026-12-01T09:14:58.002Z',
};

/** The states a job search may ask for (BullMQ's job states). */
export const JOB_STATES = ['waiting', 'active', 'delayed', 'prioritized', 'waiting-children', 'completed', 'failed'] as const;

export const jobSearchSchema = z.strictObject({
  state: blankIsAbsent(z.enum(JOB_STATES).default('failed')).describe('Jobs in this state (default failed)'),
  name: blankIsAbsent(safeText(100).optional()).describe('Only jobs of this job name (`verify-dossier`)'),
  id: blankIsAbsent(safeText(200).optional()).describe('The job of this id, if it is in `state`'),
  cursor: blankIsAbsent(z.string().regex(/^\d{1,9}$/, { message: 'must be a nextCursor of a previous page' }).optional()).describe('`nextCursor` of the previous page'),
  limit: blankIsAbsent(z.coerce.number().int().min(1).max(200).default(50)).describe('Jobs per page (1-200)'),
});

export const jobViewSchema = z.object({
  jobId: z.string(),
  name: z.string(),
  state: z.enum([...JOB_STATES, 'unknown']),
  attemptsMade: z.number().int(),
  attempts: z.number().int().describe('Attempts the job may make'),
  addedAt: z.string().describe('ISO 8601'),
  processedAt: z.string().nullable().describe('ISO 8601: the last attempt began'),
  finishedAt: z.string().nullable().describe('ISO 8601'),
  failedReason: z.string().nullable(),
});

export const jobPageSchema = z.object({
  queue: queueNameSchema,
  jobs: z.array(jobViewSchema).describe('Newest first'),
  nextCursor: z.string().nullable().describe('Pass as `cursor` for the next page; null at the end'),
});

export const JOB_PAGE_EXAMPLE: z.infer<typeof jobPageSchema> = {
  queue: QueueName.Verification,
  jobs: [
    {
      jobId: 'dossier-1f0c8e5d-0c4a-43a9-8e0f-6f7c0d9b112b',
      name: 'verify-dossier',
      state: 'failed',
      attemptsMade: 6,
      attempts: 6,
      addedAt: '2026-12-01T08:59:10.021Z',
      processedAt: '2026-12-01T09:00:13.480Z',
      finishedAt: '2026-12-01T09:00:13.912Z',
      failedReason: 'The registry is unavailable; try again shortly.',
    },
  ],
  nextCursor: '50',
};
