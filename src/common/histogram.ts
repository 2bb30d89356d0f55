/**
 * Fixed-bucket histograms, summed bucket by bucket across hours, so that percentiles come from rollups. Bucket i
 * counts the values <= bounds[i] and above bounds[i - 1] (Prometheus' `le`); the last bucket, one past the bounds,
 * those above the last bound. The bounds of a measure never change: every rollup holding it would have to be
 * recomputed.
 */

/** The SQL expression of the histogram of `column` in an aggregate: one `count(*) FILTER` per bucket, in order. */
export function histogramSqlOf(column: string, bounds: readonly number[]): string {
  const counts = bounds.map((bound, i) =>
    i === 0 ? `count(*) FILTER (WHERE ${column} <= ${bound})` : `count(*) FILTER (WHERE ${column} > ${bounds[i - 1]} AND ${column} <= ${bound})`,
  );
  counts.push(`count(*) FILTER (WHERE ${column} > ${bounds[bounds.length - 1]})`);
  return `ARRAY[${counts.join(', ')}]::integer[]`;
}

/** `ARRAY[sum(col[1]), ..., sum(col[n])]`: histograms of `buckets` buckets summed in an aggregate. */
export function summedHistogramsSqlOf(column: string, buckets: number): string {
  return `ARRAY[${Array.from({ length: buckets }, (_, i) => `sum(${column}[${i + 1}])`).join(', ')}]::integer[]`;
}

/** Adds a histogram into another, bucket by bucket. */
export function addHistograms(into: number[], other: readonly number[]): number[] {
  for (let i = 0; i < other.length; i++) into[i] = (into[i] ?? 0) + (other[i] ?? 0);
  return into;
}

/** The bucket of a value (0-based). */
export function bucketIn(bounds: readonly number[], value: number): number {
  const index = bounds.findIndex((bound) => value <= bound);
  return index === -1 ? bounds.length : index;
}

/**
 * The q-quantile (0 < q <= 1) of a histogram, or null when it is empty: the bucket holding the rank q × n,
 * interpolated linearly between its bounds (as Prometheus' histogram_quantile does). The bucket above the last bound
 * has no upper bound: `max` (the largest value seen) closes it, and it narrows the bucket it falls in, as `min` (the
 * smallest, when known) narrows its own: the quantile of values all alike is that value.
 */
export function quantileOf(bounds: readonly number[], histogram: readonly number[], q: number, max: number, min = 0): number | null {
  const total = histogram.reduce((sum, n) => sum + n, 0);
  if (total === 0) return null;
  const rank = q * total;
  let below = 0;
  for (let i = 0; i < histogram.length; i++) {
    const n = histogram[i];
    if (n > 0 && below + n >= rank) {
      const lower = Math.min(Math.max(i === 0 ? 0 : bounds[i - 1], min), Math.max(max, min));
      const upper = i < bounds.length ? Math.min(bounds[i], Math.max(max, lower)) : Math.max(max, lower);
      return Math.round((lower + ((upper - lower) * (rank - below)) / n) * 1000) / 1000;
    }
    below += n;
  }
  return max;
}
