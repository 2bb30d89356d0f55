import { Injectable } from '@nestjs/common';
import type { KeyHolder } from '../access/admin.guard.js';
import { ServiceCatalog } from '../catalog/service-catalog.service.js';
import { ConflictError, GoneError, NotFoundError, ValidationFailedError } from '../common/domain-error.js';
import { discrepancyQuerySchema, syncRunQuerySchema, toDiscrepancyLineView, toSyncRunView, type DiscrepancyLineView, type RequestSyncRunInput, type SyncRunView } from './sync-run.dto.js';
import type { z } from 'zod';
import { SyncRunProducer } from './sync-run.producer.js';
import { SyncRunRepository, type SyncRunState } from './sync-run.repository.js';

/** The runs a request named: the run of each service asked for, new or the pending one already there. */
export interface RequestedRuns {
  runs: SyncRunView[];
}

/** Sync runs of the portal's records: requested, followed, listed, cancelled (the batches run on the sync queue). */
@Injectable()
export class SyncRunsService {
  constructor(
    private readonly runs: SyncRunRepository,
    private readonly producer: SyncRunProducer,
    private readonly catalog: ServiceCatalog,
  ) {}

  /**
   * Requests a run of each service asked for: a new pending run, started at once unless one is running, or the
   * pending run already there (the answer names it). The run and its plan are in Postgres before its jobs are queued.
   */
  async request(input: RequestSyncRunInput, holder: KeyHolder): Promise<RequestedRuns> {
    const codes = input.serviceCode === 'all' ? await this.runs.servicesWithRecords(this.catalog.allCodes()) : [input.serviceCode];
    if (input.serviceCode !== 'all' && !this.catalog.allCodes().includes(input.serviceCode)) {
      throw new ValidationFailedError(`serviceCode: ${input.serviceCode} is not in the catalog`, [{ field: 'serviceCode', rule: 'unknown_service', message: 'is not a service of the catalog' }]);
    }
    const requestedBy = holder.kind === 'admin' ? 'admin' : holder.consumerId;
    const views: SyncRunView[] = [];
    for (const serviceCode of codes) {
      const { runId, created } = await this.runs.request(serviceCode, input.mode, requestedBy);
      if (created) await this.producer.startNext(serviceCode);
      views.push(await this.get(runId));
    }
    return { runs: views };
  }

  async get(runId: string): Promise<SyncRunView> {
    const run = await this.runs.find(runId);
    if (!run) throw new NotFoundError('sync_run_not_found', 'No sync run has this id.');
    return toSyncRunView(run);
  }

  async list(query: z.output<typeof syncRunQuerySchema>): Promise<{ runs: SyncRunView[]; nextCursor: string | null }> {
    const rows = await this.runs.list({ serviceCode: query.serviceCode, state: query.state as SyncRunState | undefined, before: query.cursor, limit: query.limit + 1 });
    const page = rows.slice(0, query.limit);
    return { runs: page.map((row) => toSyncRunView(row)), nextCursor: rows.length > query.limit ? page[page.length - 1].runId : null };
  }

  /** The run, when its per-record results are still kept: 404 for no such run, 410 for one past its retention. */
  async withResults(runId: string): Promise<SyncRunView> {
    const run = await this.get(runId);
    if (run.resultsPrunedAt) {
      throw new GoneError('results_pruned', `This run's discrepancy list was dropped at ${run.resultsPrunedAt} (each service keeps the lists of its newest SYNC_RESULTS_KEEP_RUNS finished runs); its counts remain in GET /portal/v1/sync-runs/${runId}.`);
    }
    return run;
  }

  async discrepancies(runId: string, query: z.output<typeof discrepancyQuerySchema>): Promise<{ discrepancies: DiscrepancyLineView[]; nextCursor: string | null }> {
    await this.withResults(runId);
    const page = await this.runs.discrepancies(runId, query.kind ?? null, query.cursor ?? null, query.limit);
    return { discrepancies: page.lines.map(toDiscrepancyLineView), nextCursor: page.lastRecordId };
  }

  /** Every discrepancy of a run, page after page (for the CSV export, streamed). */
  async *allDiscrepancies(runId: string, kind: string | null): AsyncGenerator<DiscrepancyLineView> {
    for (let after: string | null = null; ; ) {
      const page = await this.runs.discrepancies(runId, kind, after, 1_000);
      yield* page.lines.map(toDiscrepancyLineView);
      if (!page.lastRecordId) return;
      after = page.lastRecordId;
    }
  }

  /** Cancels a pending or running run: its open batches are skipped, and the service's pending run may start. */
  async cancel(runId: string): Promise<SyncRunView> {
    const cancelled = await this.runs.cancel(runId);
    if (!cancelled) {
      const run = await this.get(runId);
      throw new ConflictError('sync_run_finished', `This sync run is ${run.state}; only a pending or running run can be cancelled.`);
    }
    if (cancelled.wasRunning) {
      await this.producer.dropBatches(runId, await this.runs.openBatchNos(runId));
      await this.producer.startNext(cancelled.serviceCode);
    }
    return this.get(runId);
  }
}
