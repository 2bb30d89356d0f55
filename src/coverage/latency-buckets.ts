import { bucketIn, histogramSqlOf, quantileOf } from '../common/histogram.js';

/**
 * The fixed latency buckets of the coverage rollups, in ms: bucket i counts the calls with latency <= bound i and
 * above bound i - 1 (Prometheus' `le`), and the last bucket, one past the bounds, those above 60 s. Fixed, because
 * histograms of different hours are summed bucket by bucket: changing a bound would need every rollup recomputed.
 * They run from 1 ms (an in-process look-up) to 60 s (the longest latency a fault profile may simulate,
 * LATENCY_DESCRIPTION.maxMs), about three per decade, so a percentile read from them is off by at most the width of
 * its bucket (interpolated within it, see `percentileOf`).
 */
export const LATENCY_BUCKET_BOUNDS_MS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1_000, 2_000, 5_000, 10_000, 30_000, 60_000] as const;

/** Buckets per histogram: one per bound and the one above the last. */
export const LATENCY_BUCKET_COUNT = LATENCY_BUCKET_BOUNDS_MS.length + 1;

/** The bucket of a latency (0-based). */
export function bucketOf(latencyMs: number): number {
  return bucketIn(LATENCY_BUCKET_BOUNDS_MS, latencyMs);
}

/** The SQL expression of the latency histogram of `column` in an aggregate: one `count(*) FILTER` per bucket, in order. */
export function histogramSql(column: string): string {
  return histogramSqlOf(column, LATENCY_BUCKET_BOUNDS_MS);
}

export { addHistograms } from '../common/histogram.js';

export function emptyHistogram(): number[] {
  return new Array<number>(LATENCY_BUCKET_COUNT).fill(0);
}

/** The q-quantile (0 < q <= 1) of a latency histogram, in ms, or null when it is empty (`quantileOf`). */
export function percentileOf(histogram: readonly number[], q: number, maxMs: number): number | null {
  return quantileOf(LATENCY_BUCKET_BOUNDS_MS, histogram, q, maxMs);
}
