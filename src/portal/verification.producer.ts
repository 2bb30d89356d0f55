import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { REDIS } from '../queue/redis.module.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { JOB_PRESETS } from '../queue/job-options.js';
import { JobName, QueueName } from '../queue/queue-names.js';
import { DossierRepository } from './dossier.repository.js';

/** The backoff type of verification jobs: the verification worker's strategy (registryBackoff). */
export const REGISTRY_BACKOFF = 'registry';

/** The job id of a dossier's verification: one job per dossier, so that adding it twice adds it once. */
export function verificationJobId(dossierId: string): string {
  return `verify-${dossierId}`;
}

/** The dossier a verification job id names, or null when it is not one. */
export function dossierIdOfJob(jobId: string | undefined): string | null {
  const match = /^verify-([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/.exec(jobId ?? '');
  return match ? match[1] : null;
}

/** What one pass of the reconciler did. */
export interface ReconcileResult {
  checked: number;
  enqueued: number;
  deadLettered: number;
  /** Whether the pass checked every outbox row, not only those that may have lost their job (see `reconcile`). */
  full: boolean;
}

/** A full pass at least every this many reconciler intervals (the marker's lifetime), whatever Redis says. */
export const FULL_PASS_EVERY = 30;
/** How far before the previous pass a pass looks for failed jobs: the clocks of the processes that failed them. */
const FAILED_MARGIN_MS = 60_000;

/**
 * The only caller of `add` on the verification queue. Dossiers are in Postgres (with an outbox row) before their
 * job is added, so a failed add loses nothing: the reconciler adds it later.
 */
@Injectable()
export class VerificationProducer {
  private readonly logger = new Logger('VerificationProducer');

  constructor(
    @InjectQueue(QueueName.Verification) private readonly queue: Queue,
    private readonly dossiers: DossierRepository,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** The registry-call preset, with the first retry delay from config (VERIFICATION_BACKOFF_MS). */
  private jobOptions(dossierId: string) {
    const preset = JOB_PRESETS.registryCall;
    return { ...preset, backoff: { type: REGISTRY_BACKOFF, delay: this.config.portal.verificationBackoffMs }, jobId: verificationJobId(dossierId) };
  }

  /**
   * Adds the dossiers' jobs; returns whether Redis took them. A failure is logged, not thrown: the dossiers are
   * filed, and the reconciler will add their jobs once Redis answers.
   */
  async enqueue(dossierIds: readonly string[]): Promise<boolean> {
    if (dossierIds.length === 0) return true;
    try {
      await this.queue.addBulk(
        dossierIds.map((dossierId) => ({ name: JobName.VerifyDossier, data: { dossierId }, opts: this.jobOptions(dossierId) })),
      );
    } catch (error) {
      this.logger.warn(`could not queue ${dossierIds.length} verification job(s), the outbox keeps them: ${(error as Error).message}`);
      return false;
    }
    await this.dossiers.markEnqueued(dossierIds).catch(() => undefined);
    return true;
  }

  /**
   * Re-drives a dead letter's job under its own id: a failed job still in Redis is retried (BullMQ keeps its id); one
   * Redis no longer holds is added again.
   */
  async redrive(dossierId: string): Promise<boolean> {
    const job = await this.queue.getJob(verificationJobId(dossierId));
    if (job && (await job.isFailed())) {
      // A fresh set of attempts: without the reset the job would have its last attempt only.
      await job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
      await this.dossiers.markEnqueued([dossierId]);
      return true;
    }
    if (job && (await job.isCompleted())) await job.remove();
    return this.enqueue([dossierId]);
  }

  /**
   * One pass over the outbox (dossiers filed and not decided): a dossier whose job Redis does not hold (Redis
   * restarted empty, or was down at filing) gets it again under the same job id; one whose job failed for good
   * without its dead letter being written (Postgres was down then, or its workers died too often) is handed to
   * `onFailed`; one whose job failed before its outbox row was written (a re-drive whose retry did not reach Redis) is
   * re-driven. Rows not yet queued are left alone for `graceMs` (their filing or re-drive is adding the job now).
   * Pages of 1,000, one Redis round trip each.
   *
   * What a pass reads depends on what Redis may have lost. A full pass checks every outbox row, so its cost grows with
   * the backlog; it runs when the marker key is missing: Redis is another server or run than the one under which the
   * last full pass completed (a restart, with or without persistence, a failover, a flush: the marker names the run
   * id), or the marker has expired (it lives FULL_PASS_EVERY intervals: a job removed by hand is found then), or an
   * operator cleaned the queue (`forgetFullPass`). Otherwise a pass checks only the rows whose job never reached Redis
   * (`enqueued_at` unset) and the jobs that failed since the previous pass, so a backlog of a million queued dossiers
   * costs it nothing.
   */
  async reconcile(
    graceMs: number,
    onFailed: (dossierId: string, failedReason: string, attempts: number) => Promise<boolean>,
    intervalMs = this.config.portal.outboxReconcileMs,
  ): Promise<ReconcileResult> {
    const before = new Date(Date.now() - graceMs);
    const result: ReconcileResult = { checked: 0, enqueued: 0, deadLettered: 0, full: false };
    const runId = await this.redisRunId();
    result.full = runId === null || (await this.redis.get(this.fullPassMarker)) !== runId;
    let allQueued = true;
    for (let after: string | null = null; ; ) {
      const page = await this.dossiers.pendingOutbox(before, after, 1_000, !result.full);
      if (page.length === 0) break;
      after = page[page.length - 1].dossierId;
      allQueued = (await this.settle(page, onFailed, result)) && allQueued;
    }
    if (!result.full) {
      // Jobs that failed since the previous pass's cut-off (with a margin for the clocks of the processes that failed
      // them), paged by score so that entries removed meanwhile (re-drives, clean-ups) shift nothing past the cursor.
      const failedKey = this.queue.toKey('failed');
      let since = this.failedCheckedUntil - FAILED_MARGIN_MS;
      let seenAtSince = new Set<string>();
      for (;;) {
        const flat = await this.redis.zrangebyscore(failedKey, since, '+inf', 'WITHSCORES', 'LIMIT', 0, 1_000);
        const entries: Array<{ jobId: string; score: number }> = [];
        for (let i = 0; i < flat.length; i += 2) if (!seenAtSince.has(flat[i])) entries.push({ jobId: flat[i], score: Number(flat[i + 1]) });
        const dossierIds = entries.map(({ jobId }) => dossierIdOfJob(jobId)).filter((id): id is string => id !== null);
        if (dossierIds.length > 0) await this.settle(await this.dossiers.outboxRowsOf(dossierIds, before), onFailed, result);
        if (flat.length < 2_000 || entries.length === 0) break;
        const last = entries[entries.length - 1].score;
        seenAtSince = new Set([...(last === since ? seenAtSince : []), ...entries.filter(({ score }) => score === last).map(({ jobId }) => jobId)]);
        since = last;
      }
    } else if (allQueued && runId !== null) {
      // Only a full pass that queued every job it found missing vouches for this Redis run, for FULL_PASS_EVERY intervals.
      await this.redis.set(this.fullPassMarker, runId, 'PX', Math.max(1, FULL_PASS_EVERY * intervalMs));
    }
    this.failedCheckedUntil = before.getTime();
    return result;
  }

  /** Makes the next pass of every process a full one (after an operator removed jobs of the queue). */
  async forgetFullPass(): Promise<void> {
    await this.redis.del(this.fullPassMarker);
  }

  /** Outside the queue's own keys (`toKey(jobId)` are job hashes). */
  private get fullPassMarker(): string {
    return `${this.config.queuePrefix}:outbox-reconciler:${QueueName.Verification}:full-pass`;
  }

  /** Jobs that failed after this instant are checked by the next pass (0: every failed job Redis keeps). */
  private failedCheckedUntil = 0;

  /** The Redis server's run id (a new one after every restart), or null if Redis does not tell (INFO refused). */
  private async redisRunId(): Promise<string | null> {
    const info = await this.redis.info('server').catch(() => '');
    return /^run_id:(\w+)/m.exec(info)?.[1] ?? null;
  }

  /**
   * Checks outbox rows against their jobs in Redis and does what each needs (see `reconcile`); answers false if
   * Redis did not take a job it found missing.
   */
  private async settle(
    rows: ReadonlyArray<{ dossierId: string; createdAt: Date; enqueuedAt: Date | null }>,
    onFailed: (dossierId: string, failedReason: string, attempts: number) => Promise<boolean>,
    result: ReconcileResult,
  ): Promise<boolean> {
    result.checked += rows.length;
    const pipeline = this.redis.pipeline();
    for (const { dossierId } of rows) pipeline.hmget(this.queue.toKey(verificationJobId(dossierId)), 'timestamp', 'finishedOn', 'failedReason', 'attemptsMade', 'returnvalue');
    const answers = (await pipeline.exec()) ?? [];
    const missing: string[] = [];
    const queuedUnmarked: string[] = [];
    let allQueued = true;
    for (const [index, { dossierId, createdAt, enqueuedAt }] of rows.entries()) {
      const [error, fields] = answers[index] ?? [new Error('no answer'), null];
      if (error) throw error;
      const [timestamp, finishedOn, failedReason, attemptsMade, returnValue] = fields as Array<string | null>;
      if (timestamp === null) missing.push(dossierId);
      // Failed for good: finished without a return value (a job that completed after a failed attempt keeps its
      // failedReason beside the return value).
      else if (finishedOn !== null && failedReason !== null && returnValue === null) {
        if (Number(finishedOn) < createdAt.getTime()) {
          // The job failed before this outbox row was written: a re-drive whose retry did not reach Redis.
          if (await this.redrive(dossierId)) result.enqueued += 1;
          else allQueued = false;
        } else if (await onFailed(dossierId, failedReason, Number(attemptsMade ?? 0))) result.deadLettered += 1;
      } else if (enqueuedAt === null) queuedUnmarked.push(dossierId);
    }
    // Queued, but the mark after the add was lost: marked now, so that routine passes stop reading them.
    if (queuedUnmarked.length > 0) await this.dossiers.markEnqueued(queuedUnmarked);
    if (missing.length === 0) return allQueued;
    if (!(await this.enqueue(missing))) return false;
    result.enqueued += missing.length;
    return allQueued;
  }
}
