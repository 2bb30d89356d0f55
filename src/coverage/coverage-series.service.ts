import { Injectable } from '@nestjs/common';
import { ServiceCatalog } from '../catalog/service-catalog.service.js';
import { NotFoundError } from '../common/domain-error.js';
import { DOSSIER_SERIES_MEASURES, type DossierSeriesMeasure, type Series, type SeriesMeasure, type SeriesQuery } from './coverage.dto.js';
import type { DossierFiguresRow } from './dossier-rollup.repository.js';
import { addFigures, decisionQuantileOf, DossierRollupService } from './dossier-rollup.service.js';
import { addRow, emptyTally, latencyPercentileOf, ratio, successRateOf, type CallTally } from './call-figures.js';
import { hourOf, RollupRepository, vietnamDayStart, type CallsAggregateRow } from './rollup.repository.js';
import { vietnamDay } from '../journal/vietnam-day.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

function dossierMeasureOf(measure: DossierSeriesMeasure, figures: DossierFiguresRow | undefined): number | null {
  switch (measure) {
    case 'dossiers_filed':
      return figures?.filed ?? 0;
    case 'automation_rate':
      return ratio(figures?.decidedAutomatically ?? 0, figures?.filed ?? 0);
    case 'decision_p50_seconds':
      return figures ? decisionQuantileOf(figures, 0.5) : null;
    case 'decision_p95_seconds':
      return figures ? decisionQuantileOf(figures, 0.95) : null;
  }
}

function measureOf(measure: Exclude<SeriesMeasure, DossierSeriesMeasure>, figures: CallTally | undefined): number | null {
  const measured = figures ? figures.answered + figures.failed : 0;
  const round = (value: number) => Math.round(value * 10_000) / 10_000;
  switch (measure) {
    case 'calls':
      return figures?.total ?? 0;
    case 'answered_calls':
      return figures?.answered ?? 0;
    case 'failed_calls':
      return figures?.failed ?? 0;
    case 'simulated_calls':
      return figures?.simulated ?? 0;
    case 'success_rate':
      return figures ? successRateOf(figures) : null;
    case 'mean_latency_ms':
      return measured === 0 ? null : round(figures!.latencySumMs / measured);
    case 'p50_latency_ms':
      return figures ? latencyPercentileOf(figures, 0.5) : null;
    case 'p95_latency_ms':
      return figures ? latencyPercentileOf(figures, 0.95) : null;
    case 'p99_latency_ms':
      return figures ? latencyPercentileOf(figures, 0.99) : null;
  }
}

/** The start of the bucket holding `at`, and the next one's. */
function bucketStart(at: number, interval: 'hour' | 'day'): number {
  return interval === 'hour' ? hourOf(at) : vietnamDayStart(vietnamDay(at));
}

/** Time series of one measure per hour or Vietnamese day, for one service or all, beside the previous period's. */
@Injectable()
export class CoverageSeriesService {
  constructor(
    private readonly catalog: ServiceCatalog,
    private readonly rollups: RollupRepository,
    private readonly dossierRollups: DossierRollupService,
  ) {}

  async series(query: SeriesQuery): Promise<Series> {
    if (query.service !== undefined && !(await this.catalog.find(query.service))) {
      throw new NotFoundError('service_not_found', `No public service ${query.service} in the catalog.`);
    }
    const step = query.interval === 'hour' ? HOUR_MS : DAY_MS;
    const from = bucketStart(query.from, query.interval);
    const lastStart = bucketStart(query.to - 1, query.interval);
    const to = lastStart + step;
    const length = to - from;
    const previousFrom = from - length;
    const valueAt = await this.valuesOf(query.measure, previousFrom, to, query.service, query.interval);
    const points: Series['points'] = [];
    for (let at = from; at < to; at += step) points.push({ at: new Date(at).toISOString(), value: valueAt(at), previous: valueAt(at - length) });
    return {
      service: query.service ?? null,
      measure: query.measure,
      interval: query.interval,
      from: new Date(from).toISOString(),
      to: new Date(to).toISOString(),
      previousFrom: new Date(previousFrom).toISOString(),
      points,
    };
  }

  /** The measure's value at each bucket start of [from, to): of the calls received (the journal's rollups) or of the dossiers filed. */
  private async valuesOf(measure: SeriesMeasure, from: number, to: number, serviceCode: string | undefined, interval: 'hour' | 'day'): Promise<(at: number) => number | null> {
    if (isDossierMeasure(measure)) {
      const byBucket = new Map<number, DossierFiguresRow>();
      for (const row of await this.dossierRollups.figures(from, to, interval)) {
        if (serviceCode !== undefined && row.serviceCode !== serviceCode) continue;
        const at = row.bucket!.getTime();
        byBucket.set(at, addFigures(byBucket.get(at), row));
      }
      return (at) => dossierMeasureOf(measure, byBucket.get(at));
    }
    const latency = LATENCY_MEASURES.includes(measure);
    const byBucket = summed(await this.rollups.callsOfPeriod(from, to, { serviceCode, bucket: interval, perService: false, latency }));
    return (at) => measureOf(measure, byBucket.get(at));
  }
}

/** The measures read from the latency histograms; the others count calls only. */
const LATENCY_MEASURES: readonly SeriesMeasure[] = ['p50_latency_ms', 'p95_latency_ms', 'p99_latency_ms'];

const isDossierMeasure = (measure: SeriesMeasure): measure is DossierSeriesMeasure => (DOSSIER_SERIES_MEASURES as readonly string[]).includes(measure);

function summed(rows: readonly CallsAggregateRow[]): Map<number, CallTally> {
  const buckets = new Map<number, CallTally>();
  for (const row of rows) {
    const at = row.bucket!.getTime();
    buckets.set(at, addRow(buckets.get(at) ?? emptyTally(), row));
  }
  return buckets;
}
