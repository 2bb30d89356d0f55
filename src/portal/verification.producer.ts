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
}

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
  async redrive(dossierId: string): Promise<void> {
    const job = await this.queue.getJob(verificationJobId(dossierId));
    if (job && (await job.isFailed())) {
      // A fresh set of attempts: without the reset the job would have its last attempt only.
      await job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
      await this.dossiers.markEnqueued([dossierId]);
      return;
    }
    if (job && (await job.isCompleted())) await job.remove();
    await this.enqueue([dossierId]);
  }

  /**
   * One pass over the outbox (dossiers filed and not decided, filed more than `graceMs` ago): a dossier whose job Redis
   * does not hold (Redis restarted empty, or was down at filing) gets it again under the same job id; one whose job
   * failed for good without its dead letter being written (Postgres was down then) is handed to `onFailed`. Pages
   * of 1,000, one Redis round trip each.
   */
  async reconcile(graceMs: number, onFailed: (dossierId: string, failedReason: string, attempts: number) => Promise<boolean>): Promise<ReconcileResult> {
    const result: ReconcileResult = { checked: 0, enqueued: 0, deadLettered: 0 };
    const before = new Date(Date.now() - graceMs);
    let after: string | null = null;
    for (;;) {
      const page = await this.dossiers.pendingOutbox(before, after, 1_000);
      if (page.length === 0) return result;
      after = page[page.length - 1].dossierId;
      result.checked += page.length;
      const pipeline = this.redis.pipeline();
      for (const { dossierId } of page) pipeline.hmget(this.queue.toKey(verificationJobId(dossierId)), 'timestamp', 'finishedOn', 'failedReason', 'attemptsMade');
      const answers = (await pipeline.exec()) ?? [];
      const missing: string[] = [];
      for (const [index, { dossierId, createdAt }] of page.entries()) {
        const [error, fields] = answers[index] ?? [new Error('no answer'), null];
        if (error) throw error;
        const [timestamp, finishedOn, failedReason, attemptsMade] = fields as Array<string | null>;
        if (timestamp === null) missing.push(dossierId);
        else if (finishedOn !== null && failedReason !== null) {
          if (Number(finishedOn) < createdAt.getTime()) {
            // The job failed before this outbox row was written: a re-drive whose retry did not reach Redis.
            await this.redrive(dossierId);
            result.enqueued += 1;
          } else if (await onFailed(dossierId, failedReason, Number(attemptsMade ?? 0))) result.deadLettered += 1;
        }
      }
      if (missing.length > 0 && (await this.enqueue(missing))) result.enqueued += missing.length;
    }
  }
}
