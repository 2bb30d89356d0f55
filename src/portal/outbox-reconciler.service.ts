import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { DossierRepository } from './dossier.repository.js';
import { verificationJobId, VerificationProducer, type ReconcileResult } from './verification.producer.js';

/**
 * Why a job failed for good, from its failure: the processor's own failures begin with their class
 * (`unprocessable: …`, `registry_unreachable: …`); BullMQ's own for a job whose workers died too often says it stalled.
 */
export function reasonClassOf(failedReason: string): 'registry_unreachable' | 'unprocessable' | 'worker_lost' {
  if (failedReason.startsWith('unprocessable:')) return 'unprocessable';
  if (/stalled/i.test(failedReason)) return 'worker_lost';
  return 'registry_unreachable';
}

/**
 * Makes sure that every filed, undecided dossier has its job: every OUTBOX_RECONCILE_MS, dossiers filed more than one
 * interval ago whose job Redis does not hold are queued again under the same job id (Redis restarted without
 * persistence, or was down at filing), and a job that failed for good without its dead letter (Postgres was down at
 * that moment) gets it. A pass checks every pending dossier only when Redis may have lost jobs (another Redis run
 * than the last full pass's) and every FULL_PASS_EVERY intervals; otherwise just the dossiers never queued and the
 * jobs failed since (VerificationProducer.reconcile). Runs in every process with workers; passes in two processes at
 * once do nothing twice, since a job id is added once and a dossier decided once.
 */
@Injectable()
export class OutboxReconciler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('OutboxReconciler');
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<ReconcileResult | null> | null = null;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly producer: VerificationProducer,
    private readonly dossiers: DossierRepository,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.runOnce(), this.config.portal.outboxReconcileMs);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }

  /** One pass (a pass still running is joined, not doubled); failures are logged and tried again next interval. */
  runOnce(graceMs = this.config.portal.outboxReconcileMs): Promise<ReconcileResult | null> {
    this.running ??= this.producer
      .reconcile(graceMs, (dossierId, failedReason, attempts) =>
        this.dossiers.deadLetter(
          dossierId,
          { reasonClass: reasonClassOf(failedReason), error: failedReason, attempts, jobId: verificationJobId(dossierId) },
          null,
        ),
        this.config.portal.outboxReconcileMs,
      )
      .then((result) => {
        if (result.enqueued > 0 || result.deadLettered > 0) {
          this.logger.log(`outbox: ${result.enqueued} dossier job(s) queued again, ${result.deadLettered} dead-lettered, of ${result.checked} checked (${result.full ? 'every pending dossier' : 'those that may have lost their job'})`);
        }
        return result;
      })
      .catch((error: unknown) => {
        this.logger.warn(`outbox reconciliation failed, trying again in ${this.config.portal.outboxReconcileMs} ms: ${(error as Error).message}`);
        return null;
      })
      .finally(() => (this.running = null));
    return this.running;
  }
}
