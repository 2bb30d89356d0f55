import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { DelayedError, UnrecoverableError, type Job, type Worker } from 'bullmq';
import { SystemConsumers } from '../access/system-consumers.service.js';
import { ServiceCatalog } from '../catalog/service-catalog.service.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { ConnectorDirectory } from '../connectors/connector-directory.service.js';
import { parseJobPayload } from '../queue/job-payloads.js';
import { JobName, QueueName } from '../queue/queue-names.js';
import type { VerifyResult } from '../registry/registry.dto.js';
import { RegistryCalls, type InProcessCaller, type RegistryCallOutcome } from '../registry/registry-calls.service.js';
import { canVerify, correctionsOf, discrepanciesOf, lookupFieldsOf, verifyItemOf, type PortalRecordRow } from './sync-discrepancies.js';
import { syncBatchJobId, SyncRunProducer } from './sync-run.producer.js';
import { SyncRunRepository, type SyncResult } from './sync-run.repository.js';
import { SyncSchedules } from './sync-schedules.service.js';
import { RegistryUnreachableError, startRegistryJobWorker, stopWithinGrace } from './registry-job-worker.js';

/** What a batch job returns. */
export interface SyncBatchJobResult {
  runId: string;
  batchNo: number;
  outcome: 'done' | 'already_done' | 'not_running' | 'stopped';
  records: number;
}

/** Runs of one job in all (attempts and rate-limit delays), after which the run stops whatever the cause. */
const MAX_RUNS = 50;
/** Attempts of one call (the verify-batch or a look-up) within a batch's run before the batch is retried as a whole (each attempt is journaled). */
const LOOKUP_ATTEMPTS = 6;
/** The first wait between two attempts of a call; it doubles. */
const LOOKUP_RETRY_MS = 20;
/**
 * A rate limit met by a look-up is waited out in place when its Retry-After is at most this long (a rate limit's is
 * about a second), so that a batch needing more calls than the limit's burst still progresses instead of starting
 * over; a longer one (the daily quota) ends the batch's run, and the batch waits or its run stops.
 */
const IN_PLACE_LIMIT_WAIT_MS = 5_000;
/** Waits in place of one look-up, after which the batch is delayed as a whole. */
const IN_PLACE_LIMIT_WAITS = 20;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A limit the registry put on the portal consumer: the batch waits it out, or the run stops when it is too long. */
class LimitReachedError extends Error {
  constructor(
    readonly code: string,
    readonly detail: string,
    readonly retryAfterMs: number,
  ) {
    super(`${code}: ${detail}`);
  }
}

/** A refusal that retrying will not change (the allow-list, a disabled connector): the run stops with it. */
class RefusedError extends Error {}

/**
 * Runs the jobs of the sync queue: the batches of sync runs, one job per batch, and the firings of the services'
 * schedules (SyncSchedules.fire). The batches: A batch reads its records (a keyset range of `record_id` within
 * the service), verifies them in one verify-batch call and looks up what verify cannot see, calling the registry
 * in-process as the portal consumer through the service's connector (gated, audited and journaled with the job id and
 * attempt), and commits its results with the batch's `done` mark in one transaction (SyncRunRepository.completeBatch),
 * so a batch that runs twice after a crash changes nothing.
 * - transient failures (503, timeouts, resets) are retried: a call (the verify-batch or a look-up) in place a few
 *   times, then the whole batch with the registry backoff; on the batch's last attempt the run stops with the failure as its reason;
 * - a rate limit or the daily quota (429) delays the batch by its Retry-After, noted on the run; a wait longer than
 *   SYNC_MAX_WAIT_MS (the daily quota renews at midnight) stops the run with that reason instead;
 * - a refusal of the whole call (the allow-list, the connector) stops the run: retrying will not change it;
 * - an item the registry could not check (an invalid record) is a result with its error, counted in `errors`.
 */
@Injectable()
export class SyncBatchProcessor implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('SyncBatchProcessor');
  private worker: Worker | null = null;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly runs: SyncRunRepository,
    private readonly producer: SyncRunProducer,
    private readonly registry: RegistryCalls,
    private readonly catalog: ServiceCatalog,
    private readonly connectors: ConnectorDirectory,
    private readonly system: SystemConsumers,
    private readonly schedules: SyncSchedules,
  ) {}

  onApplicationBootstrap(): void {
    this.worker = startRegistryJobWorker(QueueName.Sync, (job, token) => this.process(job, token), this.config, { concurrency: this.config.sync.concurrency, lockMs: this.config.sync.lockMs }, this.logger);
  }

  /** Lets active jobs finish within WORKER_GRACE_MS (stopWithinGrace); what is still running then is taken over. */
  async beforeApplicationShutdown(): Promise<void> {
    const worker = this.worker;
    this.worker = null;
    if (worker) await stopWithinGrace(worker, this.config.workers.graceMs, this.logger);
  }

  async process(job: Job, token?: string): Promise<SyncBatchJobResult | { runId: string | null }> {
    if (job.name === JobName.SyncSchedule) {
      // A service's schedule fired: its run is requested (or, while one is pending, that one is named).
      const { serviceCode, mode } = parseJobPayload(JobName.SyncSchedule, job);
      return { runId: await this.schedules.fireScheduled(serviceCode, mode) };
    }
    if (job.name !== JobName.SyncBatch) throw new UnrecoverableError(`unprocessable: job ${job.id} is not a sync-batch job`);
    const { runId, batchNo } = parseJobPayload(JobName.SyncBatch, job);
    const jobId = String(job.id);
    if (jobId !== syncBatchJobId(runId, batchNo)) throw new UnrecoverableError(`unprocessable: job ${jobId} does not carry its own batch`);
    const batch = await this.runs.batch(runId, batchNo);
    if (!batch) throw new UnrecoverableError(`unprocessable: sync run ${runId} has no batch ${batchNo}`);
    const skipped = (outcome: SyncBatchJobResult['outcome']): SyncBatchJobResult => ({ runId, batchNo, outcome, records: 0 });
    if (batch.done) return skipped('already_done');
    if (batch.runState !== 'running') return skipped('not_running');

    const attempt = job.attemptsMade + 1;
    const service = await this.catalog.find(batch.serviceCode);
    if (!service) {
      await this.stopRun(runId, `service ${batch.serviceCode} is no longer in the catalog`);
      return skipped('stopped');
    }
    const allowed: ReadonlySet<string> = new Set(service.allowedFields);
    const operations = this.connectors.operationsOf(batch.serviceCode);
    const caller: InProcessCaller = { consumerId: this.system.portalConsumer(), serviceCode: batch.serviceCode, requestId: jobId, jobId, attempt };
    const records = await this.runs.recordsOf(batch.serviceCode, batch.firstRecordId, batch.lastRecordId);

    let results: SyncResult[];
    try {
      results = await this.check(caller, records, allowed, operations, batch.mode === 'refresh');
    } catch (error) {
      return this.failed(job, token, runId, batchNo, attempt, error);
    }
    const committed = await this.runs.completeBatch(runId, batchNo, results);
    if (committed.kind !== 'done') return skipped(committed.kind);
    if (committed.runState === 'completed') {
      this.logger.log(`sync run ${runId} completed`);
      await this.producer.startNext(committed.serviceCode);
    }
    return { runId, batchNo, outcome: 'done', records: results.length };
  }

  /** Verifies and looks up a batch's records; throws what the batch's job must act on (a limit, a transient failure, a refusal). */
  private async check(caller: InProcessCaller, records: PortalRecordRow[], allowed: ReadonlySet<string>, operations: ReadonlySet<string>, refresh: boolean): Promise<SyncResult[]> {
    const verifying = canVerify(allowed, operations);
    const verdicts = new Map<string, VerifyResult | { error: string }>();
    if (verifying && records.length > 0) {
      const items = records.map((record) => verifyItemOf(record, allowed));
      const outcome = this.acted(await this.retriedInPlace(() => this.registry.verifyBatch(caller, items)));
      for (const entry of outcome) {
        const record = records[entry.index];
        verdicts.set(record.recordId, 'error' in entry ? { error: `${entry.error.code}: ${entry.error.detail}` } : entry);
      }
    }
    const canLookUp = operations.has('lookup');
    const results: SyncResult[] = new Array(records.length);
    let next = 0;
    let failed = false;
    const work = async () => {
      for (let index = next++; index < records.length && !failed; index = next++) {
        const record = records[index];
        const verdict = verdicts.get(record.recordId) ?? null;
        if (verdict && 'error' in verdict) {
          results[index] = { recordId: record.recordId, recordUpdatedAt: record.updatedAt, matched: false, discrepancies: [], corrections: null, checked: false, error: verdict.error };
          continue;
        }
        if (!verifying && !canLookUp) {
          results[index] = { recordId: record.recordId, recordUpdatedAt: record.updatedAt, matched: false, discrepancies: [], corrections: null, checked: false, error: 'the connector enables neither verify-batch nor look-up for this service' };
          continue;
        }
        const fields = lookupFieldsOf(verdict, allowed, canLookUp);
        let lookup: Record<string, unknown> | null = null;
        let notFound = false;
        if (fields.length > 0) {
          // The first failure ends the batch's run: the other look-ups of this run stop instead of calling on.
          const answer = await this.lookUp(caller, record.idNumber, fields).catch((error: unknown) => {
            failed = true;
            throw error;
          });
          if (answer === 'not_found') notFound = true;
          else lookup = answer;
        }
        const discrepancies = discrepanciesOf(record, verdict, lookup, notFound);
        const corrections = refresh && !notFound ? correctionsOf(discrepancies, lookup) : null;
        if (corrections && 'statusDate' in corrections && !/^\d{4}-\d{2}-\d{2}$/.test(String(corrections.statusDate))) delete corrections.statusDate;
        results[index] = { recordId: record.recordId, recordUpdatedAt: record.updatedAt, matched: discrepancies.length === 0, discrepancies, corrections, checked: !notFound, error: null };
      }
    };
    // Every lane settles before the batch throws: Promise.all would reject at the first failure while the other lanes
    // still have look-ups in flight, which would then run on (audited, journaled) after the batch failed, maybe
    // alongside its retry.
    const lanes = await Promise.allSettled(Array.from({ length: Math.min(this.config.sync.lookupConcurrency, records.length) }, work));
    const failure = lanes.find((settled): settled is PromiseRejectedResult => settled.status === 'rejected');
    if (failure) throw failure.reason;
    return results;
  }

  /** One look-up, retried in place (retriedInPlace); not found is an answer, a limit or a refusal is thrown. */
  private async lookUp(caller: InProcessCaller, idNumber: string, fields: string[]): Promise<Record<string, unknown> | 'not_found'> {
    const outcome = await this.retriedInPlace(() => this.registry.lookup(caller, idNumber, fields));
    if (outcome.kind === 'permanent' && outcome.status === 404) return 'not_found';
    return this.acted(outcome);
  }

  /**
   * A call of the batch, retried in place on a transient failure (each attempt is journaled): a 503, a timeout or a
   * reset up to LOOKUP_ATTEMPTS times, waiting the doubling backoff or the Retry-After the registry gave (capped by
   * VERIFICATION_MAX_WAIT_MS), whichever is longer; a short rate-limit wait (at most IN_PLACE_LIMIT_WAIT_MS) up to
   * IN_PLACE_LIMIT_WAITS times. Only what is left after that ends the batch's run. The batch's verify-batch call is
   * retried like its look-ups: retried only as a whole batch, at a 20 % unavailable connector one attempt in five
   * failed at its first call, and a million-record run (2,000 batches of six attempts) stopped about one time in four.
   */
  private async retriedInPlace<T>(call: () => Promise<RegistryCallOutcome<T>>): Promise<RegistryCallOutcome<T>> {
    for (let attempt = 1, waits = 0; ; ) {
      const outcome = await call();
      if (outcome.kind !== 'transient') return outcome;
      if (outcome.status === 429) {
        if ((outcome.retryAfterMs ?? 1_000) > IN_PLACE_LIMIT_WAIT_MS || waits >= IN_PLACE_LIMIT_WAITS) return outcome;
        waits += 1;
        await sleep(outcome.retryAfterMs ?? 1_000);
        continue;
      }
      if (attempt >= LOOKUP_ATTEMPTS) return outcome;
      await sleep(Math.max(LOOKUP_RETRY_MS * 2 ** (attempt - 1), Math.min(outcome.retryAfterMs ?? 0, this.config.portal.verificationMaxWaitMs)));
      attempt += 1;
    }
  }

  /** The value of a successful call; otherwise the error the batch acts on. */
  private acted<T>(outcome: RegistryCallOutcome<T>): T {
    if (outcome.kind === 'ok') return outcome.value;
    if (outcome.kind === 'transient' && outcome.status === 429) throw new LimitReachedError(outcome.code, outcome.message, outcome.retryAfterMs ?? 1_000);
    // A 503's Retry-After holds the batch at most as long as it holds a verification job (VERIFICATION_MAX_WAIT_MS).
    if (outcome.kind === 'transient') {
      throw new RegistryUnreachableError(outcome.code, `${outcome.code}: ${outcome.message}`, outcome.retryAfterMs === null ? null : Math.min(outcome.retryAfterMs, this.config.portal.verificationMaxWaitMs));
    }
    throw new RefusedError(`${outcome.code}: ${outcome.message}`);
  }

  /** What a batch does about a failed check: wait out a limit, retry a transient failure, or stop its run. */
  private async failed(job: Job, token: string | undefined, runId: string, batchNo: number, attempt: number, error: unknown): Promise<SyncBatchJobResult> {
    const runsStarted = job.attemptsStarted ?? attempt;
    if (error instanceof LimitReachedError) {
      const reason = `${error.code}: ${error.detail}`;
      if (error.retryAfterMs > this.config.sync.maxWaitMs || runsStarted >= MAX_RUNS || !token) {
        await this.stopRun(runId, `the portal consumer's limit was reached and the wait is longer than the run may wait (SYNC_MAX_WAIT_MS): ${reason}`);
        return { runId, batchNo, outcome: 'stopped', records: 0 };
      }
      const until = new Date(Date.now() + error.retryAfterMs);
      await this.runs.noteWaiting(runId, reason, until);
      await job.moveToDelayed(until.getTime(), token);
      throw new DelayedError();
    }
    if (error instanceof RefusedError) {
      await this.stopRun(runId, `the registry refused the portal's call: ${error.message}`);
      return { runId, batchNo, outcome: 'stopped', records: 0 };
    }
    const lastAttempt = attempt >= (job.opts.attempts ?? 1) || runsStarted >= MAX_RUNS;
    if (lastAttempt) {
      await this.stopRun(runId, `batch ${batchNo} could not reach the registry in ${attempt} attempts: ${(error as Error).message}`);
      throw new UnrecoverableError(`registry_unreachable: batch ${batchNo} of sync run ${runId}: ${(error as Error).message}`);
    }
    throw error;
  }

  private async stopRun(runId: string, reason: string): Promise<void> {
    const serviceCode = await this.runs.stop(runId, reason);
    if (serviceCode) {
      this.logger.warn(`sync run ${runId} stopped: ${reason}`);
      await this.producer.startNext(serviceCode);
    }
  }
}
