import { Inject, Injectable } from '@nestjs/common';
import { ServiceCatalog } from '../catalog/service-catalog.service.js';
import { NotFoundError } from '../common/domain-error.js';
import { APP_CONFIG, type AppConfig, type CoverageThresholds } from '../config/app-config.js';
import { ConnectorDirectory } from '../connectors/connector-directory.service.js';
import { JOURNAL_OUTCOMES, type JournalOutcome } from '../journal/call-outcome.js';
import { DossierRepository, type DossierCoverageRow } from '../portal/dossier.repository.js';
import { SyncRunRepository, type SyncRunRow } from '../portal/sync-run.repository.js';
import { CoverageStageRepository } from './coverage-stage.repository.js';
import type { CoverageStatus, IntegrationStage, PeriodQuery, ServiceCoverage, ServicesCoverage } from './coverage.dto.js';
import { addHistograms, emptyHistogram, percentileOf } from './latency-buckets.js';
import { hourOf, RollupRepository } from './rollup.repository.js';

const HOUR_MS = 3_600_000;
/** Outcomes where the registry answered: a verdict of mismatch or not_found is the integration working. */
const ANSWERED: readonly JournalOutcome[] = ['ok', 'mismatch', 'not_found'];

const ratio = (part: number, whole: number): number | null => (whole === 0 ? null : Math.round((part / whole) * 10_000) / 10_000);

/**
 * The status of a service from its figures, with the reason (README, "Coverage"), first rule that applies:
 * a connector `disabled` or a stage `planned` is `not_integrated`; fewer than `minCalls` calls in the period is
 * `no_traffic`; a connector in `maintenance`, a success rate under `minSuccessRate` or a p95 above
 * `maxP95LatencyMs` is `degraded`; anything else `integrated`.
 */
export function statusOf(
  figures: { connectorState: string; stage: IntegrationStage; calls: number; successRate: number | null; p95: number | null },
  thresholds: CoverageThresholds,
): { status: CoverageStatus; reason: string } {
  if (figures.connectorState === 'disabled') return { status: 'not_integrated', reason: 'the connector is disabled' };
  if (figures.stage === 'planned') return { status: 'not_integrated', reason: 'the integration stage is planned' };
  if (figures.calls < thresholds.minCalls) return { status: 'no_traffic', reason: `${figures.calls} calls in the period, fewer than minCalls ${thresholds.minCalls}` };
  if (figures.connectorState === 'maintenance') return { status: 'degraded', reason: 'the connector is in maintenance' };
  if (figures.successRate !== null && figures.successRate < thresholds.minSuccessRate) {
    return { status: 'degraded', reason: `success rate ${figures.successRate} below minSuccessRate ${thresholds.minSuccessRate}` };
  }
  if (figures.p95 !== null && figures.p95 > thresholds.maxP95LatencyMs) {
    return { status: 'degraded', reason: `p95 latency ${figures.p95} ms above maxP95LatencyMs ${thresholds.maxP95LatencyMs}` };
  }
  return { status: 'integrated', reason: `success rate ${figures.successRate} and p95 latency ${figures.p95} ms within the thresholds` };
}

/** Coverage per public service: the catalog, its connectors and stages, the rollups and the portal's figures. */
@Injectable()
export class CoverageService {
  constructor(
    private readonly catalog: ServiceCatalog,
    private readonly connectors: ConnectorDirectory,
    private readonly stages: CoverageStageRepository,
    private readonly rollups: RollupRepository,
    private readonly dossiers: DossierRepository,
    private readonly syncRuns: SyncRunRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async services(period: PeriodQuery): Promise<ServicesCoverage> {
    const from = hourOf(period.from);
    const to = Math.ceil(period.to / HOUR_MS) * HOUR_MS;
    const [services, connectors, stages, calls, dossiers, runs] = await Promise.all([
      this.catalog.list(),
      this.connectors.list(),
      this.stages.stages(),
      this.rollups.callsOfPeriod(period.from, period.to),
      this.dossiers.coverageByService(new Date(period.from), new Date(period.to)),
      this.syncRuns.lastCompletedPerService(),
    ]);
    const connectorOf = new Map(connectors.map((connector) => [connector.serviceCode, connector]));
    const dossiersOf = new Map(dossiers.map((row) => [row.serviceCode, row]));
    const runOf = new Map(runs.map((run) => [run.serviceCode, run]));
    const thresholds = this.config.coverage.thresholds;
    const periodView = { from: new Date(from).toISOString(), to: new Date(to).toISOString() };
    return {
      period: periodView,
      thresholds,
      services: services.map((service): ServiceCoverage => {
        const connector = connectorOf.get(service.code);
        const stage = stages.get(service.code) ?? 'planned';
        const byOutcome = Object.fromEntries(JOURNAL_OUTCOMES.map((outcome) => [outcome, 0])) as Record<JournalOutcome, number>;
        const histogram = emptyHistogram();
        let maxMs = 0;
        for (const row of calls) {
          if (row.service_code !== service.code) continue;
          byOutcome[row.outcome as JournalOutcome] += row.calls;
          addHistograms(histogram, row.latency_buckets);
          maxMs = Math.max(maxMs, row.latency_max_ms);
        }
        const total = JOURNAL_OUTCOMES.reduce((sum, outcome) => sum + byOutcome[outcome], 0);
        const successRate = ratio(ANSWERED.reduce((sum, outcome) => sum + byOutcome[outcome], 0), total);
        const latencyMs = { p50: percentileOf(histogram, 0.5, maxMs), p95: percentileOf(histogram, 0.95, maxMs), p99: percentileOf(histogram, 0.99, maxMs) };
        const connectorState = connector?.state ?? 'disabled';
        const { status, reason } = statusOf({ connectorState, stage, calls: total, successRate, p95: latencyMs.p95 }, thresholds);
        return {
          serviceCode: service.code,
          nameVi: service.nameVi,
          nameEn: service.nameEn,
          leadAgency: service.leadAgency,
          essential: service.essential,
          project06Number: service.project06Number,
          connector: { state: connectorState, operations: connector?.operations ?? [] },
          stage,
          period: periodView,
          calls: { total, byOutcome },
          successRate,
          latencyMs,
          dossiers: dossierFigures(dossiersOf.get(service.code)),
          lastSyncRun: syncRunFigures(runOf.get(service.code)),
          status,
          statusReason: reason,
        };
      }),
    };
  }

  async service(code: string, period: PeriodQuery): Promise<ServiceCoverage> {
    const found = (await this.services(period)).services.find((service) => service.serviceCode === code);
    if (!found) throw new NotFoundError('service_not_found', `No public service ${code} in the catalog.`);
    return found;
  }

  async setStage(code: string, stage: IntegrationStage): Promise<void> {
    if (!(await this.catalog.find(code))) throw new NotFoundError('service_not_found', `No public service ${code} in the catalog.`);
    await this.stages.set(code, stage);
  }
}

function dossierFigures(row: DossierCoverageRow | undefined): ServiceCoverage['dossiers'] {
  const round = (seconds: number | null) => (seconds === null ? null : Math.round(seconds * 1000) / 1000);
  return {
    filed: row?.filed ?? 0,
    decidedAutomatically: row?.decidedAutomatically ?? 0,
    automationRate: ratio(row?.decidedAutomatically ?? 0, row?.filed ?? 0),
    decisionP50Seconds: round(row?.decisionP50Seconds ?? null),
    decisionP95Seconds: round(row?.decisionP95Seconds ?? null),
    backlog: row?.backlog ?? 0,
  };
}

function syncRunFigures(run: SyncRunRow | undefined): ServiceCoverage['lastSyncRun'] {
  if (!run) return null;
  return {
    runId: run.runId,
    finishedAt: run.finishedAt?.toISOString() ?? null,
    scanned: run.scanned,
    matched: run.matched,
    driftRate: ratio(run.scanned - run.matched - run.errors, run.scanned),
    discrepancyRateByKind: Object.fromEntries(Object.entries(run.kinds).map(([kind, count]) => [kind, ratio(count, run.scanned) ?? 0])),
  };
}
