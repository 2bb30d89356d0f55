import { DossierRepository } from '../portal/dossier.repository.js';
import { queueCall } from '../queue/queue-unavailable.js';
import { VerificationProducer } from '../portal/verification.producer.js';
import { RecordsFollowerService } from '../portal/records-follower.service.js';
import { getQueueToken } from '@nestjs/bullmq';
import { Inject, Injectable } from '@nestjs/common';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { z } from 'zod';
import { NotFoundError } from '../common/domain-error.js';
import { parseInput } from '../common/validation.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { QueueName } from '../queue/queue-names.js';
import { REDIS } from '../queue/redis.module.js';
import { listWorkerHeartbeats, type WorkerHeartbeatRecord } from '../queue/worker-heartbeat.service.js';
import { finishedPerMinute, windowStart } from './queue-throughput.js';
import {
  cleanRequestSchema,
  jobSearchSchema,
  type jobPageSchema,
  type jobViewSchema,
  queueNameSchema,
  THROUGHPUT_MINUTES,
  type cleanResultSchema,
  type queueOverviewSchema,
  type queuesOverviewSchema,
  type retryResultSchema,
} from './queues.dto.js';

export type QueueOverview = z.infer<typeof queueOverviewSchema>;

/** What the metrics scrape reads of one queue. */
export interface QueueFigures {
  name: QueueName;
  counts: QueueOverview['counts'];
  oldestWaitingAgeSeconds: number | null;
  finished: { completed: number; failed: number };
}

/** Every queue of QueueName, by name: what the operators' endpoints, the board and the queue metrics act on. */
export const OPS_QUEUES = Symbol('OPS_QUEUES');
export type OpsQueues = ReadonlyMap<QueueName, Queue>;

/** The provider of OPS_QUEUES, from the queues the one queue factory (QueueModule) registers. */
export const opsQueuesProvider = {
  provide: OPS_QUEUES,
  inject: Object.values(QueueName).map((name) => getQueueToken(name)),
  useFactory: (...queues: Queue[]): OpsQueues => new Map(queues.map((queue) => [queue.name as QueueName, queue])),
};

/** A search by name scans at most this many pages' worth of jobs per answer, so that a rare name cannot make it slow. */
const SEARCH_SCAN_PAGES = 10;

/** Moved back to waiting per round of `retryJobs`; BullMQ loops until none is left. */
const RETRY_BATCH = 1_000;

/** What `clean` calls each state (BullMQ says `wait` for waiting). */
const CLEAN_TYPE = { completed: 'completed', failed: 'failed', delayed: 'delayed', waiting: 'wait', prioritized: 'prioritized' } as const;

/**
 * Queue operations for operators: the state of every queue, and pause, resume, retry of failed jobs and clean-up.
 * Everything is read from Redis, so every process answers the same. The queues' connections fail fast, and a Redis
 * failure becomes a 503.
 */
@Injectable()
export class QueueOperations {
  constructor(
    @Inject(OPS_QUEUES) private readonly queues: OpsQueues,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly dossiers: DossierRepository,
    private readonly producer: VerificationProducer,
    private readonly follower: RecordsFollowerService,
  ) {}

  async overview(): Promise<z.infer<typeof queuesOverviewSchema>> {
    const workers = await queueCall(() => listWorkerHeartbeats(this.redis, this.config.queuePrefix));
    const [queues, follower] = await Promise.all([
      Promise.all([...this.queues.keys()].map((name) => this.describe(name, workers))),
      // The queues are Redis's; the follower's lag is Postgres's, and a Postgres outage leaves the queues readable.
      this.follower.lag().catch(() => null),
    ]);
    return { queues, follower, observedAt: new Date().toISOString() };
  }

  /** The queue named `name`, or 404: the path takes any string. */
  queue(name: string): Queue {
    const parsed = queueNameSchema.safeParse(name);
    const queue = parsed.success ? this.queues.get(parsed.data) : undefined;
    if (!queue) throw new NotFoundError('queue_not_found', `No queue is named ${JSON.stringify(name.slice(0, 64))}; the queues are ${[...this.queues.keys()].join(', ')}.`);
    return queue;
  }

  async pause(name: string): Promise<QueueOverview> {
    const queue = this.queue(name);
    await queueCall(() => queue.pause());
    return this.describeOne(queue);
  }

  async resume(name: string): Promise<QueueOverview> {
    const queue = this.queue(name);
    await queueCall(() => queue.resume());
    return this.describeOne(queue);
  }

  /**
   * Moves every failed job back to waiting. On the verification queue a failed job is a dead letter whose dossier is
   * decided (`needs_review`): retrying the job alone would find it decided, so this re-drives the open dead letters
   * instead (the dossiers back to `received`, their jobs retried with fresh attempts), as POST /ops/dead-letters/redrive does.
   */
  async retryFailed(name: string): Promise<z.infer<typeof retryResultSchema>> {
    const queue = this.queue(name);
    if (queue.name === QueueName.Verification) {
      const letters = await this.dossiers.redrive({ openOnly: true });
      for (const { dossierId } of letters) await this.producer.redrive(dossierId).catch(() => undefined);
      return { queue: QueueName.Verification, retried: letters.length };
    }
    return queueCall(async () => {
      const before = await queue.getFailedCount();
      await queue.retryJobs({ state: 'failed', count: RETRY_BATCH });
      const after = await queue.getFailedCount();
      return { queue: queue.name as QueueName, retried: Math.max(0, before - after) };
    });
  }

  async clean(name: string, body: unknown): Promise<z.infer<typeof cleanResultSchema>> {
    const queue = this.queue(name);
    const request = parseInput(cleanRequestSchema, body ?? {});
    const removedJobIds = await queueCall(() => queue.clean(request.graceMs, request.limit, CLEAN_TYPE[request.state]));
    // Jobs of undecided dossiers may be among them: the reconciler's next pass checks every pending dossier.
    if (queue.name === QueueName.Verification && removedJobIds.length > 0) await queueCall(() => this.producer.forgetFullPass());
    return { queue: queue.name as QueueName, state: request.state, removed: removedJobIds.length, removedJobIds };
  }

  /**
   * One page of the jobs of a queue in one state, newest first, optionally of one job name or the one job of an id.
   * The cursor is an offset into the state's list, so a page may repeat or skip a job that moved meanwhile: fine
   * for looking, not for bookkeeping (Postgres keeps that). A name is matched by scanning, at most
   * SEARCH_SCAN_PAGES pages per answer.
   */
  async jobs(name: string, query: unknown): Promise<z.infer<typeof jobPageSchema>> {
    const queue = this.queue(name);
    const search = parseInput(jobSearchSchema, query, 'query');
    return queueCall(async () => {
      if (search.id !== undefined) {
        const job = await queue.getJob(search.id);
        const state = job ? await job.getState() : undefined;
        const matches = job && state === search.state && (search.name === undefined || job.name === search.name);
        return { queue: queue.name as QueueName, jobs: matches ? [jobView(job, state)] : [], nextCursor: null };
      }
      const found: z.infer<typeof jobViewSchema>[] = [];
      let offset = Number(search.cursor ?? 0);
      for (let scanned = 0; found.length < search.limit && scanned < SEARCH_SCAN_PAGES; scanned += 1) {
        const page = await queue.getJobs([search.state], offset, offset + search.limit - 1, false);
        for (const job of page) {
          offset += 1;
          if (search.name === undefined || job.name === search.name) found.push(jobView(job, search.state));
          if (found.length === search.limit) break;
        }
        if (page.length < search.limit) return { queue: queue.name as QueueName, jobs: found, nextCursor: null };
      }
      return { queue: queue.name as QueueName, jobs: found, nextCursor: String(offset) };
    });
  }

  /**
   * Per queue, for the metrics scrape: jobs by state, the oldest waiting age, and the jobs finished since the
   * workers began counting (BullMQ metrics' running totals).
   */
  async figures(): Promise<QueueFigures[]> {
    return Promise.all(
      [...this.queues.entries()].map(async ([name, queue]) => {
        const [{ counts }, oldestWaitingAgeSeconds, completed, failed] = await Promise.all([
          this.counts(queue),
          this.oldestWaitingAge(queue),
          queue.getMetrics('completed', 0, 0),
          queue.getMetrics('failed', 0, 0),
        ]);
        return { name, counts, oldestWaitingAgeSeconds, finished: { completed: completed.meta.count, failed: failed.meta.count } };
      }),
    );
  }

  private async describeOne(queue: Queue): Promise<QueueOverview> {
    const workers = await queueCall(() => listWorkerHeartbeats(this.redis, this.config.queuePrefix));
    return this.describe(queue.name as QueueName, workers);
  }

  private async describe(name: QueueName, workers: WorkerHeartbeatRecord[]): Promise<QueueOverview> {
    const queue = this.queues.get(name)!;
    return queueCall(async () => {
      const now = Date.now();
      const [{ counts, isPaused }, oldestWaitingAgeSeconds, completed, failed] = await Promise.all([
        this.counts(queue),
        this.oldestWaitingAge(queue),
        queue.getMetrics('completed', 0, THROUGHPUT_MINUTES),
        queue.getMetrics('failed', 0, THROUGHPUT_MINUTES),
      ]);
      return {
        name,
        isPaused,
        counts,
        oldestWaitingAgeSeconds,
        throughput: {
          windowStart: windowStart(now, THROUGHPUT_MINUTES).toISOString(),
          completedPerMinute: finishedPerMinute(completed, now, THROUGHPUT_MINUTES),
          failedPerMinute: finishedPerMinute(failed, now, THROUGHPUT_MINUTES),
        },
        workers: workers.filter((worker) => worker.queues.includes(name)),
      };
    });
  }

  private async counts(queue: Queue): Promise<{ counts: QueueOverview['counts']; isPaused: boolean }> {
    const [counts, isPaused] = await Promise.all([
      queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'waiting-children', 'completed', 'failed'),
      queue.isPaused(),
    ]);
    const waiting = counts.waiting ?? 0;
    return {
      isPaused,
      counts: {
        waiting,
        active: counts.active ?? 0,
        delayed: counts.delayed ?? 0,
        prioritized: counts.prioritized ?? 0,
        waitingChildren: counts['waiting-children'] ?? 0,
        completed: counts.completed ?? 0,
        failed: counts.failed ?? 0,
        paused: isPaused ? waiting : 0,
      },
    };
  }

  /** Seconds since the oldest job of the waiting list was added (the list's far end: jobs are pushed at its head). */
  private async oldestWaitingAge(queue: Queue): Promise<number | null> {
    const [oldest] = await queue.getJobs(['wait'], 0, 0, true);
    return oldest ? Math.max(0, (Date.now() - oldest.timestamp) / 1000) : null;
  }

}

const isoOrNull = (time: number | undefined) => (time ? new Date(time).toISOString() : null);

function jobView(job: { id?: string; name: string; attemptsMade: number; opts: { attempts?: number }; timestamp: number; processedOn?: number; finishedOn?: number; failedReason?: string }, state: string): z.infer<typeof jobViewSchema> {
  return {
    jobId: String(job.id),
    name: job.name,
    state: (state as z.infer<typeof jobViewSchema>['state']) ?? 'unknown',
    attemptsMade: job.attemptsMade,
    attempts: job.opts.attempts ?? 1,
    addedAt: new Date(job.timestamp).toISOString(),
    processedAt: isoOrNull(job.processedOn),
    finishedAt: isoOrNull(job.finishedOn),
    failedReason: job.failedReason || null,
  };
}
