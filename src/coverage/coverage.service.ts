import { Inject, Injectable } from '@nestjs/common';
import { ServiceCatalog } from '../catalog/service-catalog.service.js';
import { NotFoundError } from '../common/domain-error.js';
import { APP_CONFIG, type AppConfig, type CoverageThresholds } from '../config/app-config.js';
import { ConnectorDirectory } from '../connectors/connector-directory.service.js';
import { DossierRepository } from '../portal/dossier.repository.js';
import { SyncRunRepository, type SyncRunRow } from '../portal/sync-run.repository.js';
import { CoverageStageRepository } from './coverage-stage.repository.js';
import type { DossierFiguresRow } from './dossier-rollup.repository.js';
import { decisionQuantileOf, DossierRollupService } from './dossier-rollup.service.js';
import { ReferenceData } from '../reference/reference-data.js';
import {
  CONFIRMED_ESSENTIAL_SERVICES,
  COVERAGE_STATUSES,
  type AgenciesCoverage,
  type AreasCoverage,
  type CoverageStatus,
  type Headline,
  type IntegrationStage,
  type PeriodQuery,
  type ServiceCoverage,
  type ServiceCoverageDetail,
  type ServicesCoverage,
} from './coverage.dto.js';
import { addRow, emptyTally, latencyPercentileOf, ratio, successRateOf } from './call-figures.js';
import { hourOf, RollupRepository } from './rollup.repository.js';

const HOUR_MS = 3_600_000;

/**
 * The status of a service from its figures, with the reason (README, "Coverage"), first rule that applies:
 * a connector `disabled` or a stage `planned` is `not_integrated`; fewer than `minCalls` calls that the service answered
 * or failed (client errors and simulated faults aside, call-figures.ts) is `no_traffic`; a connector in `maintenance`, a success rate under `minSuccessRate` or a p95 above
 * `maxP95LatencyMs` is `degraded`; anything else `integrated`.
 */
export function statusOf(
  figures: { connectorState: string; stage: IntegrationStage; calls: number; successRate: number | null; p95: number | null },
  thresholds: CoverageThresholds,
): { status: CoverageStatus; reason: string } {
  if (figures.connectorState === 'disabled') return { status: 'not_integrated', reason: 'the connector is disabled' };
  if (figures.stage === 'planned') return { status: 'not_integrated', reason: 'the integration stage is planned' };
  if (figures.calls < thresholds.minCalls) {
    return { status: 'no_traffic', reason: `${figures.calls} calls answered or failed by the service in the period, fewer than minCalls ${thresholds.minCalls}` };
  }
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
    private readonly dossierRollups: DossierRollupService,
    private readonly syncRuns: SyncRunRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async services(period: PeriodQuery): Promise<ServicesCoverage> {
    const from = hourOf(period.from);
    const to = Math.ceil(period.to / HOUR_MS) * HOUR_MS;
    const [services, connectors, stages, calls, dossiers, backlogs, runs] = await Promise.all([
      this.catalog.list(),
      this.connectors.list(),
      this.stages.stages(),
      this.rollups.callsOfPeriod(period.from, period.to),
      this.dossierRollups.figures(from, to),
      this.dossiers.backlogByService(),
      this.syncRuns.lastCompletedPerService(),
    ]);
    const connectorOf = new Map(connectors.map((connector) => [connector.serviceCode, connector]));
    const dossiersOf = new Map(dossiers.map((row) => [row.serviceCode, row]));
    const backlogOf = new Map(backlogs.map((row) => [row.serviceCode, row.backlog]));
    const runOf = new Map(runs.map((run) => [run.serviceCode, run]));
    const thresholds = this.config.coverage.thresholds;
    const periodView = { from: new Date(from).toISOString(), to: new Date(to).toISOString() };
    const lines = services.map((service): ServiceCoverage => {
        const connector = connectorOf.get(service.code);
        const stage = stages.get(service.code) ?? 'planned';
        const tally = emptyTally();
        for (const row of calls) if (row.service_code === service.code) addRow(tally, row);
        const successRate = successRateOf(tally);
        const latencyMs = { p50: latencyPercentileOf(tally, 0.5), p95: latencyPercentileOf(tally, 0.95), p99: latencyPercentileOf(tally, 0.99) };
        const connectorState = connector?.state ?? 'disabled';
        const { status, reason } = statusOf({ connectorState, stage, calls: tally.answered + tally.failed, successRate, p95: latencyMs.p95 }, thresholds);
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
          calls: { total: tally.total, byOutcome: tally.byOutcome, simulated: tally.simulated, answered: tally.answered, failed: tally.failed },
          successRate,
          latencyMs,
          dossiers: dossierFigures(dossiersOf.get(service.code), backlogOf.get(service.code) ?? 0),
          lastSyncRun: syncRunFigures(runOf.get(service.code)),
          status,
          statusReason: reason,
        };
      });
    return { period: periodView, headline: headlineOf(lines), thresholds, services: lines };
  }

  /** One service's line, with its data-minimisation block: what its allow-list holds that it never used, and what it was refused. */
  async service(code: string, period: PeriodQuery): Promise<ServiceCoverageDetail> {
    const entry = await this.catalog.find(code);
    const found = entry && (await this.services(period)).services.find((service) => service.serviceCode === code);
    if (!entry || !found) throw new NotFoundError('service_not_found', `No public service ${code} in the catalog.`);
    const fields = await this.rollups.fieldsOfPeriod(period.from, period.to, code);
    const allowed = new Set(entry.allowedFields);
    const returned = new Set(fields.filter((field) => field.returned > 0).map((field) => field.field));
    return {
      ...found,
      dataMinimisation: {
        neverReturned: entry.allowedFields.filter((field) => !returned.has(field)).sort(),
        refused: fields.filter((field) => !allowed.has(field.field) && field.refusedRequests > 0).map((field) => ({ field: field.field, calls: field.refusedRequests })),
        fields: fields.map((field) => ({ field: field.field, inAllowList: allowed.has(field.field), requested: field.requested, returned: field.returned })),
      },
    };
  }

  /** The services' figures rolled up per lead agency. */
  async agencies(period: PeriodQuery): Promise<AgenciesCoverage> {
    const coverage = await this.services(period);
    const byAgency = new Map<string, ServiceCoverage[]>();
    for (const service of coverage.services) byAgency.set(service.leadAgency, [...(byAgency.get(service.leadAgency) ?? []), service]);
    return {
      period: coverage.period,
      agencies: [...byAgency.entries()]
        .sort(([a], [b]) => a.localeCompare(b, 'vi'))
        .map(([leadAgency, services]) => ({
          leadAgency,
          essentialServices: services.filter((service) => service.essential).length,
          serviceCodes: services.map((service) => service.serviceCode),
          ...rolledUp(services),
        })),
    };
  }

  /** Dossiers per province or commune of their applicants (the portal's commune code, on the 2025 map). */
  async areas(period: PeriodQuery & { level: 'province' | 'commune' }): Promise<AreasCoverage> {
    const from = hourOf(period.from);
    const to = Math.ceil(period.to / HOUR_MS) * HOUR_MS;
    const rows = await this.dossierRollups.areas(from, to);
    const reference = ReferenceData.get();
    const areas = new Map<string, AreasCoverage['areas'][number]>();
    for (const row of rows) {
      const commune = row.communeCode ? reference.commune(row.communeCode) : undefined;
      const code = period.level === 'commune' ? (commune?.code ?? null) : (commune?.provinceCode ?? null);
      const name = period.level === 'commune' ? (commune?.name ?? null) : (commune?.provinceName ?? null);
      const key = code ?? '';
      const area = areas.get(key) ?? { code, name, provinceCode: commune?.provinceCode ?? null, dossiersFiled: 0, decidedAutomatically: 0, automationRate: null, backlog: 0 };
      area.dossiersFiled += row.filed;
      area.decidedAutomatically += row.decidedAutomatically;
      area.backlog += row.backlog;
      area.automationRate = ratio(area.decidedAutomatically, area.dossiersFiled);
      areas.set(key, area);
    }
    return {
      period: { from: new Date(from).toISOString(), to: new Date(to).toISOString() },
      level: period.level,
      areas: [...areas.values()].sort((a, b) => (a.code ?? '\uffff').localeCompare(b.code ?? '\uffff')),
    };
  }

  async setStage(code: string, stage: IntegrationStage): Promise<void> {
    if (!(await this.catalog.find(code))) throw new NotFoundError('service_not_found', `No public service ${code} in the catalog.`);
    await this.stages.set(code, stage);
  }
}

function byStatusOf(services: readonly ServiceCoverage[]): Record<CoverageStatus, number> {
  const counts = Object.fromEntries(COVERAGE_STATUSES.map((status) => [status, 0])) as Record<CoverageStatus, number>;
  for (const service of services) counts[service.status] += 1;
  return counts;
}

/** Project 06's headline: essential services integrated, against the confirmed list of 24. */
function headlineOf(services: readonly ServiceCoverage[]): Headline {
  const essential = services.filter((service) => service.essential);
  const integrated = essential.filter((service) => service.status === 'integrated').length;
  return {
    essentialServices: essential.length,
    essentialIntegrated: integrated,
    confirmedList: CONFIRMED_ESSENTIAL_SERVICES,
    shareOfConfirmed: ratio(integrated, CONFIRMED_ESSENTIAL_SERVICES) ?? 0,
    essentialByStatus: byStatusOf(essential),
  };
}

/** A group of services' figures summed (an agency's). */
function rolledUp(services: readonly ServiceCoverage[]) {
  const calls = services.reduce((sum, service) => sum + service.calls.total, 0);
  const answered = services.reduce((sum, service) => sum + service.calls.answered, 0);
  const failed = services.reduce((sum, service) => sum + service.calls.failed, 0);
  const filed = services.reduce((sum, service) => sum + service.dossiers.filed, 0);
  const automatic = services.reduce((sum, service) => sum + service.dossiers.decidedAutomatically, 0);
  return {
    services: services.length,
    byStatus: byStatusOf(services),
    calls,
    successRate: successRateOf({ answered, failed }),
    dossiersFiled: filed,
    automationRate: ratio(automatic, filed),
    backlog: services.reduce((sum, service) => sum + service.dossiers.backlog, 0),
  };
}

function dossierFigures(row: DossierFiguresRow | undefined, backlog: number): ServiceCoverage['dossiers'] {
  return {
    filed: row?.filed ?? 0,
    decidedAutomatically: row?.decidedAutomatically ?? 0,
    automationRate: ratio(row?.decidedAutomatically ?? 0, row?.filed ?? 0),
    decisionP50Seconds: row ? decisionQuantileOf(row, 0.5) : null,
    decisionP95Seconds: row ? decisionQuantileOf(row, 0.95) : null,
    backlog,
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
