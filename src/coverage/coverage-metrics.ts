import { Injectable } from '@nestjs/common';
import { Gauge } from 'prom-client';
import { MetricsRegistry } from '../common/metrics.module.js';
import { COVERAGE_STATUSES, type ServicesCoverage } from './coverage.dto.js';
import { CoverageService } from './coverage.service.js';

/** A scrape waits this long for the coverage figures at most: a slow database must not hang the whole scrape. */
const READ_TIMEOUT_MS = 2_000;

/**
 * The windows the gauges are computed over, each a `window` label: the last 24 hours (what GET /coverage/v1/services
 * answers by default, and the dashboards show) and the last hour (what the alerts read: a day's figures move too
 * slowly to raise an alert within minutes of an outage, and to clear it within hours of the recovery). Periods are
 * counted in whole UTC hours: "1h" is the current hour and the one before it.
 */
const WINDOWS = { '24h': 24 * 3_600_000, '1h': 3_600_000 } as const;
type Window = keyof typeof WINDOWS;

/** Every process reads the same Postgres: said in each help text, so that a dashboard does not sum them. */
const SAME_EVERYWHERE = 'read from Postgres at each scrape over the `window` (24h or 1h) before it; every process reports the same figures, so take one (max), never a sum';

/**
 * The coverage gauges, read at scrape from CoverageService over each window of WINDOWS. The alert rules and the
 * Grafana dashboard (docker/) read exactly these names:
 * - `popgate_coverage_service_status{service,status,window}`: 1 for the service's current status, 0 for the others;
 * - `popgate_coverage_success_ratio{service,window}`: answered over answered and failed (left out without them);
 * - `popgate_coverage_automation_ratio{service,window}`: dossiers decided without review over filed (left out without
 *   dossiers);
 * - `popgate_coverage_essential_services{status,window}`: the essential services per status (the Project 06 headline).
 * When the figures cannot be read within READ_TIMEOUT_MS, a window's series are left out rather than shown stale.
 */
@Injectable()
export class CoverageMetrics {
  /** The reads in flight: prom-client starts every metric's collect at once, so the series of one scrape share them. */
  private reads: Promise<[Window, ServicesCoverage | null][]> | undefined;

  constructor(metrics: MetricsRegistry, coverage: CoverageService) {
    const registers = [metrics.registry];
    const figures = (): Promise<[Window, ServicesCoverage | null][]> =>
      (this.reads ??= Promise.all(
        (Object.keys(WINDOWS) as Window[]).map(async (window): Promise<[Window, ServicesCoverage | null]> => {
          const to = Date.now();
          return [window, await withTimeout(coverage.services({ from: to - WINDOWS[window], to })).catch(() => null)];
        }),
      ).finally(() => {
        this.reads = undefined;
      }));
    const perService = async (each: (window: Window, service: ServicesCoverage['services'][number]) => void) => {
      for (const [window, read] of await figures()) for (const service of read?.services ?? []) each(window, service);
    };
    new Gauge({
      name: 'popgate_coverage_service_status',
      help: `Computed coverage status per service: 1 for its current status, 0 for the others (README, "Coverage"); ${SAME_EVERYWHERE}`,
      labelNames: ['service', 'status', 'window'] as const,
      registers,
      async collect() {
        this.reset();
        await perService((window, service) => {
          for (const status of COVERAGE_STATUSES) this.set({ service: service.serviceCode, status, window }, service.status === status ? 1 : 0);
        });
      },
    });
    new Gauge({
      name: 'popgate_coverage_success_ratio',
      help: `Answered calls over answered and failed ones per service, simulated faults and client errors aside (absent without them); ${SAME_EVERYWHERE}`,
      labelNames: ['service', 'window'] as const,
      registers,
      async collect() {
        this.reset();
        await perService((window, service) => {
          if (service.successRate !== null) this.set({ service: service.serviceCode, window }, service.successRate);
        });
      },
    });
    new Gauge({
      name: 'popgate_coverage_automation_ratio',
      help: `Dossiers filed that were decided without review over those filed, per service (absent without dossiers); ${SAME_EVERYWHERE}`,
      labelNames: ['service', 'window'] as const,
      registers,
      async collect() {
        this.reset();
        await perService((window, service) => {
          if (service.dossiers.automationRate !== null) this.set({ service: service.serviceCode, window }, service.dossiers.automationRate);
        });
      },
    });
    new Gauge({
      name: 'popgate_coverage_essential_services',
      help: `Project 06's essential services per computed status (the headline: integrated ones against the confirmed list of 24); ${SAME_EVERYWHERE}`,
      labelNames: ['status', 'window'] as const,
      registers,
      async collect() {
        this.reset();
        for (const [window, read] of await figures()) {
          if (!read) continue;
          for (const status of COVERAGE_STATUSES) this.set({ status, window }, read.headline.essentialByStatus[status]);
        }
      },
    });
  }
}

function withTimeout<T>(work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`coverage figures not read within ${READ_TIMEOUT_MS} ms`)), READ_TIMEOUT_MS);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
