import { Injectable } from '@nestjs/common';
import { ServiceCatalog } from '../catalog/service-catalog.service.js';
import { NotFoundError } from '../common/domain-error.js';
import type { JournalOutcome } from '../journal/call-outcome.js';
import type { Series, SeriesMeasure, SeriesQuery } from './coverage.dto.js';
import { addHistograms, emptyHistogram, percentileOf } from './latency-buckets.js';
import { hourOf, RollupRepository, vietnamDayStart, type CallsAggregateRow } from './rollup.repository.js';
import { vietnamDay } from '../journal/vietnam-day.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const ANSWERED: readonly string[] = ['ok', 'mismatch', 'not_found'] satisfies JournalOutcome[];
/** Failures of the service side: it did not answer (a client's refused or invalid call is not one). */
const FAILED: readonly string[] = ['unavailable', 'timeout', 'server_error'] satisfies JournalOutcome[];

/** One bucket's figures, summed over services and outcomes. */
interface BucketFigures {
  calls: number;
  answered: number;
  failed: number;
  latencySumMs: number;
  latencyMaxMs: number;
  histogram: number[];
}

function measureOf(measure: SeriesMeasure, figures: BucketFigures | undefined): number | null {
  const calls = figures?.calls ?? 0;
  const round = (value: number) => Math.round(value * 10_000) / 10_000;
  switch (measure) {
    case 'calls':
      return calls;
    case 'answered_calls':
      return figures?.answered ?? 0;
    case 'failed_calls':
      return figures?.failed ?? 0;
    case 'success_rate':
      return calls === 0 ? null : round(figures!.answered / calls);
    case 'mean_latency_ms':
      return calls === 0 ? null : round(figures!.latencySumMs / calls);
    case 'p50_latency_ms':
      return figures ? percentileOf(figures.histogram, 0.5, figures.latencyMaxMs) : null;
    case 'p95_latency_ms':
      return figures ? percentileOf(figures.histogram, 0.95, figures.latencyMaxMs) : null;
    case 'p99_latency_ms':
      return figures ? percentileOf(figures.histogram, 0.99, figures.latencyMaxMs) : null;
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
    const rows = await this.rollups.callsOfPeriod(previousFrom, to, { serviceCode: query.service, bucket: query.interval });
    const byBucket = summed(rows);
    const points: Series['points'] = [];
    for (let at = from; at < to; at += step) {
      points.push({ at: new Date(at).toISOString(), value: measureOf(query.measure, byBucket.get(at)), previous: measureOf(query.measure, byBucket.get(at - length)) });
    }
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
}

function summed(rows: readonly CallsAggregateRow[]): Map<number, BucketFigures> {
  const buckets = new Map<number, BucketFigures>();
  for (const row of rows) {
    const at = row.bucket!.getTime();
    const figures = buckets.get(at) ?? { calls: 0, answered: 0, failed: 0, latencySumMs: 0, latencyMaxMs: 0, histogram: emptyHistogram() };
    figures.calls += row.calls;
    if (ANSWERED.includes(row.outcome)) figures.answered += row.calls;
    if (FAILED.includes(row.outcome)) figures.failed += row.calls;
    figures.latencySumMs += row.latency_sum_ms;
    figures.latencyMaxMs = Math.max(figures.latencyMaxMs, row.latency_max_ms);
    addHistograms(figures.histogram, row.latency_buckets);
    buckets.set(at, figures);
  }
  return buckets;
}
