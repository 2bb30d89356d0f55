import { JOURNAL_OUTCOMES, type JournalOutcome } from '../journal/call-outcome.js';
import { addHistograms, emptyHistogram, percentileOf } from './latency-buckets.js';
import type { CallsAggregateRow } from './rollup.repository.js';

/** Outcomes where the registry answered: a verdict of mismatch or not_found is the integration working. */
export const ANSWERED_OUTCOMES: readonly JournalOutcome[] = ['ok', 'mismatch', 'not_found'];
/** The service side's failures: it did not answer. A client's refused, invalid or over-limit call is not one. */
export const SERVICE_FAILURE_OUTCOMES: readonly JournalOutcome[] = ['unavailable', 'timeout', 'server_error'];

/**
 * What a set of calls says of the service that answered them.
 * - `total` and `byOutcome` count every call.
 * - `simulated` counts the calls that met a fault profile's fault (the journal's fault_kind): a developer's own test
 *   of a failure or a delay, not the service's behaviour.
 * - `answered` and `failed` count the calls without a simulated fault that the service answered, or failed to
 *   (SERVICE_FAILURE_OUTCOMES); the latency histogram, sum and maximum are theirs too, and the client's own errors
 *   (refused, invalid, rate_limited, quota_exhausted) are in neither.
 */
export interface CallTally {
  total: number;
  byOutcome: Record<JournalOutcome, number>;
  simulated: number;
  answered: number;
  failed: number;
  latencySumMs: number;
  latencyMaxMs: number;
  histogram: number[];
}

export function emptyTally(): CallTally {
  return {
    total: 0,
    byOutcome: Object.fromEntries(JOURNAL_OUTCOMES.map((outcome) => [outcome, 0])) as Record<JournalOutcome, number>,
    simulated: 0,
    answered: 0,
    failed: 0,
    latencySumMs: 0,
    latencyMaxMs: 0,
    histogram: emptyHistogram(),
  };
}

/** Adds one aggregate row of the rollups to a tally. */
export function addRow(tally: CallTally, row: CallsAggregateRow): CallTally {
  const outcome = row.outcome as JournalOutcome;
  tally.total += row.calls;
  tally.byOutcome[outcome] = (tally.byOutcome[outcome] ?? 0) + row.calls;
  if (row.simulated) {
    tally.simulated += row.calls;
    return tally;
  }
  if (ANSWERED_OUTCOMES.includes(outcome)) tally.answered += row.calls;
  else if (SERVICE_FAILURE_OUTCOMES.includes(outcome)) tally.failed += row.calls;
  else return tally;
  tally.latencySumMs += row.latency_sum_ms;
  tally.latencyMaxMs = Math.max(tally.latencyMaxMs, row.latency_max_ms);
  if (row.latency_buckets) addHistograms(tally.histogram, row.latency_buckets);
  return tally;
}

/** A share rounded to four places, or null of nothing. */
export const ratio = (part: number, whole: number): number | null => (whole === 0 ? null : Math.round((part / whole) * 10_000) / 10_000);

/** The calls the service answered over those it answered or failed, simulated faults and client errors aside. */
export function successRateOf(tally: Pick<CallTally, 'answered' | 'failed'>): number | null {
  return ratio(tally.answered, tally.answered + tally.failed);
}

/** The q-quantile of the service's latency (the calls it answered or failed, without simulated faults). */
export function latencyPercentileOf(tally: CallTally, q: number): number | null {
  return percentileOf(tally.histogram, q, tally.latencyMaxMs);
}
