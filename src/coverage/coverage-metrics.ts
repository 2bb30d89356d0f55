import { Injectable } from '@nestjs/common';
import { Gauge } from 'prom-client';
import { MetricsRegistry } from '../common/metrics.module.js';
import { COVERAGE_STATUSES, type ServicesCoverage } from './coverage.dto.js';
import { CoverageService } from './coverage.service.js';

/** A scrape waits this long for the coverage figures at most: a slow database must not hang the whole scrape. */
const READ_TIMEOUT_MS = 2_000;

/** Every process reads the same Postgres: said in each help text, so that a dashboard does not sum them. */
const SAME_EVERYWHERE = 'read from Postgres at each scrape over the last 24 hours; every process reports the same figures, so take one (max), never a sum';

/**
 * The coverage gauges per service, read at scrape from CoverageService over the last 24 hours (what
 * GET /coverage/v1/services answers by default). The alert rules and the Grafana dashboard (docker/) read exactly
 * these names: `popgate_coverage_service_status{service,status}` (1 for the current status, 0 for the others) and
 * `popgate_coverage_success_ratio{service}` (left out for a service without calls). When the figures cannot be read
 * within READ_TIMEOUT_MS, both are left out rather than shown stale.
 */
@Injectable()
export class CoverageMetrics {
  /** The read in flight: prom-client starts every metric's collect at once, so the series of one scrape share it. */
  private read: Promise<ServicesCoverage | null> | undefined;

  constructor(metrics: MetricsRegistry, coverage: CoverageService) {
    const registers = [metrics.registry];
    const figures = (): Promise<ServicesCoverage | null> =>
      (this.read ??= withTimeout(coverage.services({ from: Date.now() - 24 * 3_600_000, to: Date.now() }))
        .catch(() => null)
        .finally(() => {
          this.read = undefined;
        }));
    new Gauge({
      name: 'popgate_coverage_service_status',
      help: `Computed coverage status per service: 1 for its current status, 0 for the others (README, "Coverage"); ${SAME_EVERYWHERE}`,
      labelNames: ['service', 'status'] as const,
      registers,
      async collect() {
        this.reset();
        for (const service of (await figures())?.services ?? []) {
          for (const status of COVERAGE_STATUSES) this.set({ service: service.serviceCode, status }, service.status === status ? 1 : 0);
        }
      },
    });
    new Gauge({
      name: 'popgate_coverage_success_ratio',
      help: `Answered calls (ok, mismatch, not_found) over all calls per service (absent without calls); ${SAME_EVERYWHERE}`,
      labelNames: ['service'] as const,
      registers,
      async collect() {
        this.reset();
        for (const service of (await figures())?.services ?? []) {
          if (service.successRate !== null) this.set({ service: service.serviceCode }, service.successRate);
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
