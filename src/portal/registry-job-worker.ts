import type { Logger } from '@nestjs/common';
import { Worker, type Processor } from 'bullmq';
import type { AppConfig } from '../config/app-config.js';
import { WORKER_OPTIONS } from '../queue/job-options.js';
import type { QueueName } from '../queue/queue-names.js';
import { bullConnection } from '../queue/queue.module.js';
import { REGISTRY_BACKOFF } from './verification.producer.js';

/** A transient registry failure: thrown so that BullMQ retries the job with the preset's backoff. */
export class RegistryUnreachableError extends Error {
  constructor(
    readonly code: string,
    message: string,
    /** The registry's Retry-After, when it gave one: the next attempt waits at least this long. */
    readonly retryAfterMs: number | null,
  ) {
    super(message);
  }
}

/**
 * The verification jobs' backoff (job option `backoff: { type: 'registry', delay }`): exponential from `delay`,
 * less up to half of it at random (jitter, so that jobs failed together do not come back together), and never
 * shorter than the registry's Retry-After when it gave one.
 */
export function registryBackoff(attemptsMade: number, delay: number, error: unknown, random = Math.random()): number {
  const exponential = delay * 2 ** Math.max(0, attemptsMade - 1);
  const jittered = Math.round(exponential * (1 - 0.5 * random));
  const retryAfter = error instanceof RegistryUnreachableError && error.retryAfterMs !== null ? error.retryAfterMs : 0;
  return Math.max(jittered, retryAfter);
}

/**
 * A worker of one of the portal's queues whose jobs call the registry (dossier verification, sync batches), built
 * here rather than by @Processor so that its concurrency, lock and stall interval come from config: the stall check
 * follows WORKER_STALLED_MS, the lock `lockMs` (WORKER_STALLED_MS too unless the queue's jobs need longer, as sync
 * batches do: SYNC_LOCK_MS), a job whose worker died twice still gets a third run (after that its reconciler
 * handles it), and the `registry` backoff type is registryBackoff.
 */
export function startRegistryJobWorker(
  name: QueueName,
  processor: Processor,
  config: AppConfig,
  options: { concurrency: number; lockMs?: number },
  logger: Logger,
): Worker {
  const worker = new Worker(name, processor, {
    connection: bullConnection(config.redisUrl),
    prefix: config.queuePrefix,
    concurrency: options.concurrency,
    lockDuration: options.lockMs ?? config.workers.stalledMs,
    stalledInterval: config.workers.stalledMs,
    maxStalledCount: 2,
    ...WORKER_OPTIONS,
    settings: {
      backoffStrategy: (attemptsMade, type, error, job) =>
        type === REGISTRY_BACKOFF ? registryBackoff(attemptsMade, Number((job?.opts.backoff as { delay?: number } | undefined)?.delay ?? 1_000), error) : 0,
    },
  });
  worker.on('error', (error) => logger.warn(`${name} worker: ${error.message}`));
  return worker;
}

/**
 * Stops taking jobs and lets the active ones finish for up to WORKER_GRACE_MS; a job still running then is left
 * locked, and another worker takes it over once its lock expires (WORKER_STALLED_MS).
 */
export async function stopWithinGrace(worker: Worker, graceMs: number, logger: Logger): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  // pause(false) stops fetching and resolves once the active jobs have finished; close() would do the same, but a
  // close that has started cannot be forced any more, so the wait is the pause's.
  const finished = worker.pause(false).then(() => true);
  const deadline = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), graceMs)));
  const inTime = await Promise.race([finished, deadline]);
  clearTimeout(timer);
  if (!inTime) logger.warn(`${worker.name} jobs still running after ${graceMs} ms are left to another worker`);
  await worker.close(!inTime);
}
