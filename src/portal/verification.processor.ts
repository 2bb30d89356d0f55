import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { DelayedError, UnrecoverableError, Worker, type Job } from 'bullmq';
import { SystemConsumers } from '../access/system-consumers.service.js';
import { ServiceCatalog } from '../catalog/service-catalog.service.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { ConnectorDirectory } from '../connectors/connector-directory.service.js';
import { JOB_PAYLOAD_SCHEMAS } from '../queue/job-payloads.js';
import { JobName, QueueName } from '../queue/queue-names.js';
import { bullConnection } from '../queue/queue.module.js';
import { RegistryCalls, type InProcessCaller, type RegistryCallOutcome } from '../registry/registry-calls.service.js';
import { RegistryRepository } from '../registry/registry.repository.js';
import { decide, planVerification, type RegistryAnswers, type ServiceRules } from './dossier-verification.js';
import { DossierRepository, type AttemptRecord, type DossierRow } from './dossier.repository.js';
import { dossierIdOfJob } from './verification.producer.js';
import { PortalMetrics } from './portal-metrics.js';

/** What a verification job returns: what it decided, or that the dossier had been decided already. */
export interface VerificationJobResult {
  dossierId: string;
  decided: boolean;
  status: DossierRow['status'];
}

/** A transient registry failure: thrown so that BullMQ retries the job with the preset's backoff. */
export class RegistryUnreachableError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** How stale a service's allow-list and age rule may be here: the catalog's own refresh interval. */
const RULES_TTL_MS = ServiceCatalog.REFRESH_MS;

/** How often one job re-runs in place because the registry was reset while it verified. */
const MAX_DISCARDS = 3;

/**
 * Verifies dossiers: one job per dossier, calling the registry in-process as the portal consumer, through the
 * service's connector (its operations, state and fault profile), so that each call is gated, audited and journaled
 * with the job id and attempt. Decisions, attempts and dead letters are written by DossierRepository, each in one
 * transaction; a dossier decided already is left as it is, so a job that runs twice decides once.
 * - transient failures (timeout, 503, reset, malformed answer, maintenance) are thrown: BullMQ retries them with
 *   exponential backoff and jitter; on the last attempt the dossier gets a dead letter and `needs_review`;
 * - a rate limit (429, real or injected) delays the job by its Retry-After without spending an attempt;
 * - not found and mismatches are results; a refusal (a grant, the allow-list, an operation the connector does not
 *   enable) will not change by retrying, so it is a decision too (`needs_review`, `registry_refused`);
 * - a payload that cannot be processed is a dead letter at once (UnrecoverableError), without retries.
 * The worker is built here rather than by @Processor so that its concurrency and stall interval come from config,
 * and so that shutdown can bound the wait for active jobs (WORKER_GRACE_MS).
 */
@Injectable()
export class VerificationProcessor implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('VerificationProcessor');
  private worker: Worker | null = null;
  private readonly services = new Map<string, { readAt: number; allowedFields: ReadonlySet<string>; minimumAge: number | null }>();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly dossiers: DossierRepository,
    private readonly registry: RegistryCalls,
    private readonly registryData: RegistryRepository,
    private readonly catalog: ServiceCatalog,
    private readonly connectors: ConnectorDirectory,
    private readonly system: SystemConsumers,
    private readonly metrics: PortalMetrics,
  ) {}

  onApplicationBootstrap(): void {
    this.worker = new Worker(QueueName.Verification, (job, token) => this.process(job, token), {
      connection: bullConnection(this.config.redisUrl),
      prefix: this.config.queuePrefix,
      concurrency: this.config.workers.verificationConcurrency,
      lockDuration: this.config.workers.stalledMs,
      stalledInterval: this.config.workers.stalledMs,
      // A job whose worker died twice still gets a third run; after that the reconciler dead-letters it.
      maxStalledCount: 2,
      metrics: { maxDataPoints: 24 * 60 },
    });
    this.worker.on('error', (error) => this.logger.warn(`verification worker: ${error.message}`));
  }

  /**
   * Stops taking jobs and lets the active ones finish for up to WORKER_GRACE_MS; a job still running then is left
   * locked, and another worker takes it over once its lock expires (WORKER_STALLED_MS).
   */
  async beforeApplicationShutdown(): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    this.worker = null;
    let timer: NodeJS.Timeout | undefined;
    // pause(false) stops fetching and resolves once the active jobs have finished; close() would do the same, but a
    // close that has started cannot be forced any more, so the wait is the pause's.
    const finished = worker.pause(false).then(() => true);
    const deadline = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), this.config.workers.graceMs)));
    const inTime = await Promise.race([finished, deadline]);
    clearTimeout(timer);
    if (!inTime) this.logger.warn(`verification jobs still running after ${this.config.workers.graceMs} ms are left to another worker`);
    await worker.close(!inTime);
  }

  async process(job: Job, token?: string): Promise<VerificationJobResult> {
    const startedAt = new Date();
    const jobId = String(job.id);
    const dossierId = dossierIdOfJob(jobId);
    const payload = JOB_PAYLOAD_SCHEMAS[JobName.VerifyDossier].safeParse(job.data);
    if (job.name !== JobName.VerifyDossier || !payload.success || payload.data.dossierId !== dossierId) {
      if (dossierId) {
        const error = 'its payload is not the verify-dossier payload of this dossier';
        await this.dossiers.deadLetter(dossierId, { reasonClass: 'unprocessable', error, attempts: job.attemptsMade + 1, jobId }, null);
      }
      throw new UnrecoverableError(`job ${jobId} cannot be processed: not a verify-dossier job of one dossier`);
    }
    const dossier = await this.dossiers.find(dossierId!);
    if (!dossier) throw new UnrecoverableError(`job ${jobId}: no dossier ${dossierId}`);
    if (!['received', 'verifying'].includes(dossier.status)) return { dossierId: dossier.dossierId, decided: false, status: dossier.status };
    await this.dossiers.startVerifying(dossier.dossierId);

    const attempt = job.attemptsMade + 1;
    const lastAttempt = attempt >= (job.opts.attempts ?? 1);
    const service = await this.rulesOf(dossier.serviceCode);
    const plan = planVerification(service, dossier.applicant);
    const caller: InProcessCaller = {
      consumerId: this.system.portalConsumer(),
      serviceCode: dossier.serviceCode,
      dossierId: dossier.dossierId,
      requestId: jobId,
      jobId,
      attempt,
    };

    for (let discarded = 0; ; discarded += 1) {
      const epoch = await this.registryData.datasetEpoch();
      const calls: AttemptRecord['calls'] = [];
      const record = (outcome: AttemptRecord['outcome'], problemCode: string | null): AttemptRecord => ({
        dossierId: dossier.dossierId,
        jobId,
        attempt,
        startedAt,
        outcome,
        problemCode,
        calls,
      });
      const answers: RegistryAnswers = { notFound: false, verify: null, lookup: null };
      const note = <T>(operation: string, outcome: RegistryCallOutcome<T>) => {
        calls.push({ callId: outcome.callId, operation, outcome: outcome.kind === 'ok' ? 'ok' : outcome.code });
        return outcome;
      };

      const steps: Array<() => Promise<RegistryCallOutcome<unknown> | null>> = [];
      const { applicant } = dossier;
      if (plan.verify) {
        const input = { idNumber: applicant.idNumber, fullName: applicant.fullName, dateOfBirth: applicant.dateOfBirth, ...(plan.verifySex ? { sex: applicant.sex } : {}) };
        steps.push(async () => {
          const outcome = note('verify', await this.registry.verify(caller, input));
          if (outcome.kind === 'ok') answers.verify = outcome.value;
          return outcome;
        });
      }
      if (plan.lookupFields.length > 0) {
        steps.push(async () => {
          // After a verify that found nobody, there is nobody to look up.
          if (answers.verify?.verdict === 'not_found') return null;
          const outcome = note('lookup', await this.registry.lookup(caller, applicant.idNumber, plan.lookupFields));
          if (outcome.kind === 'ok') answers.lookup = outcome.value;
          return outcome;
        });
      }

      let refused: { code: string; message: string } | null = null;
      for (const step of steps) {
        const outcome = await step();
        if (!outcome || outcome.kind === 'ok') continue;
        if (outcome.kind === 'permanent') {
          if (outcome.status === 404) answers.notFound = true;
          else refused = { code: outcome.code, message: outcome.message };
          break;
        }
        if (outcome.status === 429 && token) {
          // A rate limit, real or injected: wait as long as the registry asked, without spending an attempt.
          await this.dossiers.recordAttempt(record('delayed', outcome.code));
          await job.moveToDelayed(Date.now() + (outcome.retryAfterMs ?? 1_000), token);
          throw new DelayedError();
        }
        if (lastAttempt) {
          await this.dossiers.deadLetter(
            dossier.dossierId,
            { reasonClass: 'registry_unreachable', error: `${outcome.code}: ${outcome.message}`, attempts: attempt, jobId },
            record('dead_letter', outcome.code),
          );
        } else {
          await this.dossiers.recordAttempt(record('retry', outcome.code));
        }
        throw new RegistryUnreachableError(outcome.code, `attempt ${attempt} of dossier ${dossier.dossierId}: ${outcome.code}`);
      }

      if ((await this.registryData.datasetEpoch()) !== epoch && discarded < MAX_DISCARDS) {
        // The registry was reset while this job read it: its answers belong to the old dataset.
        await this.dossiers.recordAttempt(record('discarded', null));
        continue;
      }
      const decision = refused
        ? {
            status: 'needs_review' as const,
            reason: 'registry_refused' as const,
            detail: `The registry refused the portal's call (${refused.code}): ${refused.message}`,
            verification: { fields: {}, citizenStatus: null, age: null },
          }
        : decide(applicant, service, plan, answers, dossier.filedAt);
      const decided = await this.dossiers.decide(dossier.dossierId, decision, epoch, record('decided', refused?.code ?? null));
      if (decided) {
        this.metrics.decided(dossier.serviceCode, decision.status, decision.reason);
        this.logger.debug(`dossier ${dossier.dossierId}: ${decision.status}${decision.reason ? ` (${decision.reason})` : ''}`);
      }
      return { dossierId: dossier.dossierId, decided, status: decision.status };
    }
  }

  /** A service's rules, its catalog entry read at most every RULES_TTL_MS (the connector's operations are in memory). */
  private async rulesOf(serviceCode: string): Promise<ServiceRules> {
    let cached = this.services.get(serviceCode);
    if (!cached || Date.now() - cached.readAt > RULES_TTL_MS) {
      const service = await this.catalog.find(serviceCode);
      if (!service) throw new UnrecoverableError(`service ${serviceCode} is not in the catalog`);
      cached = { readAt: Date.now(), allowedFields: new Set(service.allowedFields), minimumAge: service.minimumAge };
      this.services.set(serviceCode, cached);
    }
    return { allowedFields: cached.allowedFields, operations: this.connectors.operationsOf(serviceCode), minimumAge: cached.minimumAge };
  }
}
