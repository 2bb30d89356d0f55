import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { SyncRunProducer, type SyncReconcileResult } from './sync-run.producer.js';
import { SyncRunRepository } from './sync-run.repository.js';
import { SyncSchedules } from './sync-schedules.service.js';

/**
 * Makes sure that every open batch of a running run has its job (SyncRunProducer.reconcile): every SYNC_RECONCILE_MS,
 * batches whose job Redis lost are queued again under the same job id, and a pending run left without a running one
 * is started; the services' schedules that Redis lost get their job schedulers back. Runs in every process with workers; two passes at once do nothing twice, since a job id is added once
 * and a batch is done once.
 */
@Injectable()
export class SyncReconciler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('SyncReconciler');
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<SyncReconcileResult | null> | null = null;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly producer: SyncRunProducer,
    private readonly schedules: SyncSchedules,
    private readonly runs: SyncRunRepository,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.runOnce(), this.config.sync.reconcileMs);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }

  /** One pass (a pass still running is joined, not doubled); failures are logged and tried again next interval. */
  runOnce(): Promise<SyncReconcileResult | null> {
    this.running ??= this.schedules
      .applyAll()
      .catch((error: unknown) => this.logger.warn(`sync schedules not applied: ${(error as Error).message}`))
      .then(() => this.producer.reconcile())
      .then((result) => {
        if (result.enqueued > 0 || result.started > 0 || result.stopped > 0) {
          this.logger.log(`sync runs: ${result.enqueued} batch job(s) queued again, ${result.started} run(s) started, ${result.stopped} stopped, of ${result.checked} open batches`);
        }
        return result;
      })
      .then(async (result) => {
        // Per service, the discrepancy lists of the newest SYNC_RESULTS_KEEP_RUNS finished runs are kept; older ones go.
        const pruned = await this.runs.pruneResults(this.config.sync.resultsKeepRuns).catch((error: unknown) => {
          this.logger.warn(`old sync results not pruned: ${(error as Error).message}`);
          return 0;
        });
        if (pruned > 0) this.logger.log(`sync runs: ${pruned} results of runs past SYNC_RESULTS_KEEP_RUNS dropped`);
        return result;
      })
      .catch((error: unknown) => {
        this.logger.warn(`sync reconciliation failed, trying again in ${this.config.sync.reconcileMs} ms: ${(error as Error).message}`);
        return null;
      })
      .finally(() => (this.running = null));
    return this.running;
  }
}
