import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { JOB_PRESETS } from '../queue/job-options.js';
import { JobName, QueueName } from '../queue/queue-names.js';
import { REDIS } from '../queue/redis.module.js';
import { SyncRunRepository } from './sync-run.repository.js';
import { REGISTRY_BACKOFF } from './verification.producer.js';

/** The job id of a run's batch: one job per batch, so that adding it twice adds it once. */
export function syncBatchJobId(runId: string, batchNo: number): string {
  return `sync-${runId}-${batchNo}`;
}

/** The run and batch a sync job id names, or null when it is not one. */
export function batchOfJob(jobId: string | undefined): { runId: string; batchNo: number } | null {
  const match = /^sync-([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})-(\d{1,9})$/.exec(jobId ?? '');
  return match ? { runId: match[1], batchNo: Number(match[2]) } : null;
}

/** Jobs per addBulk: one Redis round trip each, and a bounded command for a plan of thousands of batches. */
const ADD_CHUNK = 1_000;

/** A service's job scheduler as Redis holds it. */
export interface HeldSchedule {
  pattern: string | null;
  timeZone: string | null;
  everyMs: number | null;
  mode: string | null;
  next: number | null;
}

/** What one pass of the sync reconciler did. */
export interface SyncReconcileResult {
  checked: number;
  enqueued: number;
  started: number;
  stopped: number;
}

/**
 * The only caller of `add` on the sync queue. A run's batches are in Postgres before their jobs are added, so a failed
 * add loses nothing: the reconciler adds them later under the same job ids.
 */
@Injectable()
export class SyncRunProducer {
  private readonly logger = new Logger('SyncRunProducer');

  constructor(
    @InjectQueue(QueueName.Sync) private readonly queue: Queue,
    private readonly runs: SyncRunRepository,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Starts the service's pending run if none is running (see SyncRunRepository.start) and queues its batches. */
  async startNext(serviceCode: string): Promise<string | null> {
    for (;;) {
      const started = await this.runs.start(serviceCode, this.config.sync.batchSize);
      if (!started) return null;
      if (started.state === 'running') {
        await this.enqueue(started.runId, started.batchNos);
        return started.runId;
      }
      // A service without records: that run completed at once, and the next pending run may start.
    }
  }

  /** Adds the batches' jobs; returns whether Redis took them (a failure is logged: the reconciler adds them later). */
  async enqueue(runId: string, batchNos: readonly number[]): Promise<boolean> {
    const opts = (batchNo: number) => ({
      ...JOB_PRESETS.registryCall,
      backoff: { type: REGISTRY_BACKOFF, delay: this.config.portal.verificationBackoffMs },
      jobId: syncBatchJobId(runId, batchNo),
    });
    try {
      for (let start = 0; start < batchNos.length; start += ADD_CHUNK) {
        await this.queue.addBulk(batchNos.slice(start, start + ADD_CHUNK).map((batchNo) => ({ name: JobName.SyncBatch, data: { runId, batchNo }, opts: opts(batchNo) })));
      }
      return true;
    } catch (error) {
      this.logger.warn(`could not queue the batches of sync run ${runId}, the reconciler will: ${(error as Error).message}`);
      return false;
    }
  }

  /** The job scheduler id of a service's recurring run. */
  static schedulerId(serviceCode: string): string {
    return `sync-schedule-${serviceCode}`;
  }

  /** Creates or replaces the job scheduler of a service's recurring run (BullMQ adds its next job itself). */
  async upsertSchedule(serviceCode: string, when: { pattern: string | null; timeZone: string; everyMs: number | null }, mode: 'verify' | 'refresh'): Promise<void> {
    await this.queue.upsertJobScheduler(
      SyncRunProducer.schedulerId(serviceCode),
      when.pattern !== null ? { pattern: when.pattern, tz: when.timeZone } : { every: when.everyMs! },
      { name: JobName.SyncSchedule, data: { serviceCode, mode }, opts: { removeOnComplete: { count: 100 }, removeOnFail: { age: 7 * 24 * 3600 } } },
    );
  }

  async removeSchedule(serviceCode: string): Promise<void> {
    await this.queue.removeJobScheduler(SyncRunProducer.schedulerId(serviceCode));
  }

  /** When each service's scheduler fires next (epoch ms), for the services Redis holds a scheduler of. */
  async nextRuns(): Promise<Map<string, number | null>> {
    return new Map([...(await this.schedules()).entries()].map(([serviceCode, held]) => [serviceCode, held.next]));
  }

  /** The schedulers Redis holds, per service: what fires the runs (pattern and time zone, or interval; mode) and when next. */
  async schedules(): Promise<Map<string, HeldSchedule>> {
    const schedulers = await this.queue.getJobSchedulers(0, -1);
    return new Map(
      schedulers
        .filter((s) => (s.key ?? s.id ?? '').startsWith('sync-schedule-'))
        .map((s) => [
          (s.id ?? s.key).slice('sync-schedule-'.length),
          { pattern: s.pattern ?? null, timeZone: s.tz ?? null, everyMs: s.every === undefined || s.every === null ? null : Number(s.every), mode: (s.template?.data as { mode?: string } | undefined)?.mode ?? null, next: s.next ?? null },
        ]),
    );
  }

  /** Removes the queued jobs of a cancelled run's open batches (best effort: a job that runs anyway finds the run cancelled). */
  async dropBatches(runId: string, batchNos: readonly number[]): Promise<void> {
    await Promise.all(batchNos.map((batchNo) => this.queue.remove(syncBatchJobId(runId, batchNo)).catch(() => 0)));
  }

  /**
   * One pass: every open batch of a running run whose job Redis does not hold (Redis restarted empty, or was down when
   * the run started) is queued again under its job id; one whose job completed without the batch being done (the run
   * was not running then) is removed and queued again; one whose job failed for good (its workers died too often)
   * stops the run with that reason, since its records would otherwise never be checked. Services whose pending
   * run waits with none running (a start that crashed) get it started. Pages of 1,000 batches, one round trip each.
   */
  async reconcile(): Promise<SyncReconcileResult> {
    const result: SyncReconcileResult = { checked: 0, enqueued: 0, started: 0, stopped: 0 };
    const { batches, idleServices } = await this.runs.openWork();
    for (let start = 0; start < batches.length; start += ADD_CHUNK) {
      const page = batches.slice(start, start + ADD_CHUNK);
      result.checked += page.length;
      const pipeline = this.redis.pipeline();
      for (const { runId, batchNo } of page) pipeline.hmget(this.queue.toKey(syncBatchJobId(runId, batchNo)), 'timestamp', 'finishedOn', 'failedReason', 'returnvalue');
      const answers = (await pipeline.exec()) ?? [];
      const missing = new Map<string, number[]>();
      const stopped = new Set<string>();
      for (const [index, { runId, batchNo }] of page.entries()) {
        const [error, fields] = answers[index] ?? [new Error('no answer'), null];
        if (error) throw error;
        const [timestamp, finishedOn, failedReason, returnValue] = fields as Array<string | null>;
        if (timestamp !== null && finishedOn === null) continue;
        // Failed for good: finished without a return value. A job that completed after a failed attempt keeps that
        // attempt's failedReason beside its return value, and its batch, read as open just before its commit, is not
        // a reason to stop the run.
        if (timestamp !== null && failedReason !== null && returnValue === null) {
          if (!stopped.has(runId) && (await this.runs.stop(runId, `batch ${batchNo} failed for good: ${failedReason.slice(0, 300)}`))) {
            stopped.add(runId);
            result.stopped += 1;
          }
          continue;
        }
        if (timestamp !== null) await this.queue.remove(syncBatchJobId(runId, batchNo));
        missing.set(runId, [...(missing.get(runId) ?? []), batchNo]);
      }
      for (const [runId, batchNos] of missing) {
        if (stopped.has(runId)) continue;
        if (await this.enqueue(runId, batchNos)) result.enqueued += batchNos.length;
      }
    }
    for (const serviceCode of idleServices) if (await this.startNext(serviceCode)) result.started += 1;
    return result;
  }
}
