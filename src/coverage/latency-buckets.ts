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
  const index = LATENCY_BUCKET_BOUNDS_MS.findIndex((bound) => latencyMs <= bound);
  return index === -1 ? LATENCY_BUCKET_BOUNDS_MS.length : index;
}

/** The SQL expression of the histogram of `column` in an aggregate: one `count(*) FILTER` per bucket, in order. */
export function histogramSql(column: string): string {
  const bounds = LATENCY_BUCKET_BOUNDS_MS;
  const counts = bounds.map((bound, i) =>
    i === 0 ? `count(*) FILTER (WHERE ${column} <= ${bound})` : `count(*) FILTER (WHERE ${column} > ${bounds[i - 1]} AND ${column} <= ${bound})`,
  );
  counts.push(`count(*) FILTER (WHERE ${column} > ${bounds[bounds.length - 1]})`);
  return `ARRAY[${counts.join(', ')}]::integer[]`;
}

/** Adds histograms bucket by bucket. */
export function addHistograms(into: number[], other: readonly number[]): number[] {
  for (let i = 0; i < LATENCY_BUCKET_COUNT; i++) into[i] = (into[i] ?? 0) + (other[i] ?? 0);
  return into;
}

export function emptyHistogram(): number[] {
  return new Array<number>(LATENCY_BUCKET_COUNT).fill(0);
}

/**
 * The q-quantile (0 < q <= 1) of a histogram, in ms, or null when it is empty: the bucket holding the rank q × n,
 * interpolated linearly between its bounds (as Prometheus' histogram_quantile does). The bucket above the last bound
 * has no upper bound: `maxMs` (the largest latency seen) closes it.
 */
export function percentileOf(histogram: readonly number[], q: number, maxMs: number): number | null {
  const total = histogram.reduce((sum, n) => sum + n, 0);
  if (total === 0) return null;
  const rank = q * total;
  let below = 0;
  for (let i = 0; i < histogram.length; i++) {
    const n = histogram[i];
    if (n > 0 && below + n >= rank) {
      const lower = i === 0 ? 0 : LATENCY_BUCKET_BOUNDS_MS[i - 1];
      const upper = i < LATENCY_BUCKET_BOUNDS_MS.length ? Math.min(LATENCY_BUCKET_BOUNDS_MS[i], Math.max(maxMs, lower)) : Math.max(maxMs, lower);
      return Math.round((lower + ((upper - lower) * (rank - below)) / n) * 1000) / 1000;
    }
    below += n;
  }
  return maxMs;
}
