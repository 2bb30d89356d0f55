import { RateLimitedError } from '../common/domain-error.js';
import { toProblem } from '../common/problem-details.js';
import { OUTAGE_RETRY_AFTER_SECONDS } from '../connectors/fault-kinds.js';
import type { CallRecord } from '../access/call-record.js';

/** The outcome class of a call in the journal. */
export const JOURNAL_OUTCOMES = [
  'ok',
  'mismatch',
  'not_found',
  'refused',
  'invalid',
  'rate_limited',
  'quota_exhausted',
  'unavailable',
  'timeout',
  'server_error',
] as const;
export type JournalOutcome = (typeof JOURNAL_OUTCOMES)[number];

/**
 * How a call ended: its outcome class, its HTTP status (the equivalent one for an in-process call; null when nothing
 * was answered, as for a simulated timeout or connection reset), its problem code, and the Retry-After it was
 * answered with (what an in-process caller is told to wait), so that a client's wait can be judged against it.
 */
export interface CallEnding {
  outcome: JournalOutcome;
  httpStatus: number | null;
  problemCode: string | null;
  /** Absent: none (a refusal of a malformed request). */
  retryAfterSeconds?: number | null;
}

/** A served call: 200, with the outcome its answer carries (a verify verdict of mismatch or not_found). */
export function servedEnding(call: CallRecord): CallEnding {
  return { outcome: call.servedOutcome, httpStatus: 200, problemCode: null, retryAfterSeconds: null };
}

/**
 * A call that ended with an error, classed by the problem it is answered with: credentials, grants, allow-list and
 * consent refusals are `refused`; bad requests `invalid`; limits `rate_limited` or `quota_exhausted`; an outage or a
 * connector that is down `unavailable`; anything else of the server's `server_error`.
 */
export function failedEnding(error: unknown): CallEnding {
  const { problem } = toProblem(error);
  // As the problem filter sets the header: a limit's own wait, and the outage wait on every other 503.
  const retryAfterSeconds = error instanceof RateLimitedError ? error.retryAfterSeconds : problem.status === 503 ? OUTAGE_RETRY_AFTER_SECONDS : null;
  return { outcome: outcomeOfProblem(problem.status, problem.code), httpStatus: problem.status, problemCode: problem.code, retryAfterSeconds };
}

export function outcomeOfProblem(status: number, code: string): JournalOutcome {
  if (status === 404) return 'not_found';
  if (status === 401 || status === 403) return 'refused';
  if (status === 429) return code === 'quota_exhausted' ? 'quota_exhausted' : 'rate_limited';
  if (status === 503) return 'unavailable';
  if (status === 504) return 'timeout';
  if (status >= 500) return 'server_error';
  return 'invalid';
}
