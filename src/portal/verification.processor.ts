import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { DelayedError, UnrecoverableError, type Job, type Worker } from 'bullmq';
import { SystemConsumers } from '../access/system-consumers.service.js';
import { ServiceCatalog } from '../catalog/service-catalog.service.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { ConnectorDirectory } from '../connectors/connector-directory.service.js';
import { JOB_PAYLOAD_SCHEMAS } from '../queue/job-payloads.js';
import { JobName, QueueName } from '../queue/queue-names.js';
import { RegistryCalls, type InProcessCaller, type RegistryCallOutcome } from '../registry/registry-calls.service.js';
import { decide, planVerification, type Decision, type RegistryAnswers, type ServiceRules, type VerificationPlan } from './dossier-verification.js';
import { DossierRepository, type AttemptRecord, type DossierRow } from './dossier.repository.js';
import { dossierIdOfJob } from './verification.producer.js';
import { RegistryUnreachableError, startRegistryJobWorker, stopWithinGrace } from './registry-job-worker.js';
import { PortalMetrics } from './portal-metrics.js';

/** What a verification job returns: what it decided, or that the dossier had been decided already. */
export interface VerificationJobResult {
  dossierId: string;
  decided: boolean;
  status: DossierRow['status'];
}

/** A failure of Postgres or of the network (worth a retry), as opposed to one of the dossier's data. */
function isInfrastructureError(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && (/^[0-9A-Z]{5}$/.test(code) || code.startsWith('E'));
}

/** Runs of one job in all (attempts and rate-limit delays), after which it is a dead letter whatever the cause. */
const MAX_RUNS = 50;

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
 * Its worker comes from startRegistryJobWorker (concurrency and stall interval from config, the registry backoff),
 * and shutdown bounds the wait for active jobs (WORKER_GRACE_MS).
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
    private readonly catalog: ServiceCatalog,
    private readonly connectors: ConnectorDirectory,
    private readonly system: SystemConsumers,
    private readonly metrics: PortalMetrics,
  ) {}

  onApplicationBootstrap(): void {
    this.worker = startRegistryJobWorker(QueueName.Verification, (job, token) => this.process(job, token), this.config, { concurrency: this.config.workers.verificationConcurrency }, this.logger);
  }

  /** Lets active jobs finish within WORKER_GRACE_MS (stopWithinGrace); what is still running then is taken over. */
  async beforeApplicationShutdown(): Promise<void> {
    const worker = this.worker;
    this.worker = null;
    if (worker) await stopWithinGrace(worker, this.config.workers.graceMs, this.logger);
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
      throw new UnrecoverableError(`unprocessable: job ${jobId} is not a verify-dossier job of one dossier`);
    }
    const claimed = await this.dossiers.claim(dossierId!);
    if (!claimed) throw new UnrecoverableError(`unprocessable: job ${jobId} names no dossier`);
    const { dossier } = claimed;
    if (!['received', 'verifying'].includes(dossier.status)) return { dossierId: dossier.dossierId, decided: false, status: dossier.status };

    const attempt = job.attemptsMade + 1;
    const lastAttempt = attempt >= (job.opts.attempts ?? 1);
    let service: ServiceRules;
    let plan: VerificationPlan;
    try {
      service = await this.rulesOf(dossier.serviceCode);
      plan = planVerification(service, dossier.applicant);
    } catch (error) {
      if (error instanceof UnrecoverableError) throw error;
      // Not the registry's failure and not Postgres's: the dossier itself cannot be verified (a malformed applicant).
      if (!isInfrastructureError(error)) return this.unprocessable(job, dossier.dossierId, error);
      throw error;
    }
    const caller: InProcessCaller = {
      consumerId: this.system.portalConsumer(),
      serviceCode: dossier.serviceCode,
      dossierId: dossier.dossierId,
      requestId: jobId,
      jobId,
      attempt,
    };

    let epoch = claimed.datasetEpoch;
    for (let discarded = 0; ; discarded += 1) {
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
        const startedRuns = job.attemptsStarted ?? attempt;
        if (outcome.status === 429 && token && startedRuns < MAX_RUNS) {
          // A rate limit, real or injected: wait as long as the registry asked, without spending an attempt (up to
          // MAX_RUNS runs of the job in all, so that a limit that never lifts still ends in a dead letter).
          await this.dossiers.recordAttempt(record('delayed', outcome.code));
          this.metrics.attempted('delayed');
          await job.moveToDelayed(Date.now() + Math.min(outcome.retryAfterMs ?? 1_000, this.config.portal.verificationMaxWaitMs), token);
          throw new DelayedError();
        }
        if (lastAttempt || startedRuns >= MAX_RUNS) {
          await this.dossiers.deadLetter(
            dossier.dossierId,
            { reasonClass: 'registry_unreachable', error: `${outcome.code}: ${outcome.message}`, attempts: attempt, jobId },
            record('dead_letter', outcome.code),
          );
          this.metrics.attempted('dead_letter');
          throw new UnrecoverableError(`registry_unreachable: attempt ${attempt} of dossier ${dossier.dossierId}: ${outcome.code}`);
        }
        await this.dossiers.recordAttempt(record('retry', outcome.code));
        this.metrics.attempted('retry');
        // The backoff strategy waits at least the registry's Retry-After, if it gave one (a 503).
        throw new RegistryUnreachableError(
          outcome.code,
          `attempt ${attempt} of dossier ${dossier.dossierId}: ${outcome.code}`,
          outcome.retryAfterMs === null ? null : Math.min(outcome.retryAfterMs, this.config.portal.verificationMaxWaitMs),
        );
      }

      let decision: Decision;
      try {
        decision = refused
          ? {
              status: 'needs_review',
              reason: 'registry_refused',
              detail: `The registry refused the portal's call (${refused.code}): ${refused.message}`,
              verification: { fields: {}, citizenStatus: null, age: null },
            }
          : decide(dossier.applicant, service, plan, answers, dossier.filedAt);
      } catch (error) {
        return this.unprocessable(job, dossier.dossierId, error);
      }
      const result = await this.dossiers.decide(dossier.dossierId, decision, epoch, record('decided', refused?.code ?? null));
      if (result.kind === 'stale') {
        // The registry was reset while this job read it: its answers belong to the old dataset; check again.
        await this.dossiers.recordAttempt(record('discarded', null));
        this.metrics.attempted('discarded');
        if (discarded + 1 >= MAX_DISCARDS) throw new RegistryUnreachableError('dataset_reset', `dossier ${dossier.dossierId}: the registry was reset ${MAX_DISCARDS} times while it was verified`, null);
        epoch = result.datasetEpoch;
        continue;
      }
      const decided = result.kind === 'decided';
      if (decided) {
        this.metrics.attempted('decided');
        this.metrics.decided(dossier.serviceCode, decision.status, decision.reason);
        this.logger.debug(`dossier ${dossier.dossierId}: ${decision.status}${decision.reason ? ` (${decision.reason})` : ''}`);
      }
      return { dossierId: dossier.dossierId, decided, status: decision.status };
    }
  }

  /** A dossier its job can never verify: a dead letter at once, no retries. */
  private async unprocessable(job: Job, dossierId: string, error: unknown): Promise<never> {
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    await this.dossiers.deadLetter(dossierId, { reasonClass: 'unprocessable', error: message, attempts: job.attemptsMade + 1, jobId: String(job.id) }, null);
    this.metrics.attempted('dead_letter');
    throw new UnrecoverableError(`unprocessable: ${message}`);
  }

  /** A service's rules, its catalog entry read at most every RULES_TTL_MS (the connector's operations are in memory). */
  private async rulesOf(serviceCode: string): Promise<ServiceRules> {
    let cached = this.services.get(serviceCode);
    if (!cached || Date.now() - cached.readAt > RULES_TTL_MS) {
      const service = await this.catalog.find(serviceCode);
      if (!service) throw new UnrecoverableError(`unprocessable: service ${serviceCode} is not in the catalog`);
      cached = { readAt: Date.now(), allowedFields: new Set(service.allowedFields), minimumAge: service.minimumAge };
      this.services.set(serviceCode, cached);
    }
    return { allowedFields: cached.allowedFields, operations: this.connectors.operationsOf(serviceCode), minimumAge: cached.minimumAge };
  }
}
