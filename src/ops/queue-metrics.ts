import { Injectable } from '@nestjs/common';
import { Counter, Gauge } from 'prom-client';
import { MetricsRegistry } from '../common/metrics.module.js';
import { QueueOperations, type QueueFigures } from './queue-operations.service.js';

/** A scrape waits this long for Redis at most: a Redis outage must not hang the whole scrape. */
const READ_TIMEOUT_MS = 1_000;

/** Every process reads the same Redis: said in each help text, so that a dashboard does not sum them. */
const SAME_EVERYWHERE = 'read from Redis at each scrape; every process reports the same figures, so take one (max), never a sum';

/**
 * The queues' metrics: jobs by queue and state, the age of the oldest waiting job, and jobs completed and failed
 * (the running totals BullMQ's workers keep), read from Redis when scraped, with a timeout. `popgate_queue_up` says
 * whether this scrape could read them; when it could not, the other series are left out rather than shown stale.
 */
@Injectable()
export class QueueMetrics {
  /** The read in flight: prom-client starts every metric's collect at once, so the series of one scrape share it. */
  private read: Promise<QueueFigures[] | null> | undefined;

  constructor(metrics: MetricsRegistry, operations: QueueOperations) {
    const registers = [metrics.registry];
    const figures = (): Promise<QueueFigures[] | null> =>
      (this.read ??= withTimeout(operations.figures())
        .catch(() => null)
        .finally(() => {
          this.read = undefined;
        }));
    new Gauge({
      name: 'popgate_queue_up',
      help: `1 when this scrape read the queue figures from Redis within ${READ_TIMEOUT_MS} ms, else 0`,
      registers,
      async collect() {
        this.set((await figures()) ? 1 : 0);
      },
    });
    new Gauge({
      name: 'popgate_queue_jobs',
      help: `Jobs by queue and state (completed and failed: those Redis still keeps); ${SAME_EVERYWHERE}`,
      labelNames: ['queue', 'state'] as const,
      registers,
      async collect() {
        this.reset();
        for (const queue of (await figures()) ?? []) {
          for (const [state, count] of Object.entries(queue.counts)) this.set({ queue: queue.name, state: STATE_LABELS[state] ?? state }, count);
        }
      },
    });
    new Gauge({
      name: 'popgate_queue_oldest_waiting_age_seconds',
      help: `Age of the oldest waiting job by queue, 0 when none waits; ${SAME_EVERYWHERE}`,
      labelNames: ['queue'] as const,
      registers,
      async collect() {
        this.reset();
        for (const queue of (await figures()) ?? []) this.set({ queue: queue.name }, queue.oldestWaitingAgeSeconds ?? 0);
      },
    });
    new Counter({
      name: 'popgate_queue_jobs_finished_total',
      help: `Jobs finished by queue and outcome (completed; failed: jobs that failed for good, not each failed attempt: see popgate_verification_attempts_total), as counted by the workers since their metrics began; ${SAME_EVERYWHERE}`,
      labelNames: ['queue', 'outcome'] as const,
      registers,
      async collect() {
        // The total lives in Redis: each scrape shows it as read, rather than counting here.
        this.reset();
        for (const queue of (await figures()) ?? []) {
          this.inc({ queue: queue.name, outcome: 'completed' }, queue.finished.completed);
          this.inc({ queue: queue.name, outcome: 'failed' }, queue.finished.failed);
        }
      },
    });
  }
}

/** Prometheus label values are snake_case. */
const STATE_LABELS: Record<string, string> = { waitingChildren: 'waiting_children' };

function withTimeout<T>(work: Promise<T>): Promise<T> {
  return Promise.race([
    work,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no answer from Redis in ${READ_TIMEOUT_MS} ms`)), READ_TIMEOUT_MS).unref()),
  ]);
}
