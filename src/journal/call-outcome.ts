import { toProblem } from '../common/problem-details.js';
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
 * was answered, as for a simulated timeout or connection reset), its problem code.
 */
export interface CallEnding {
  outcome: JournalOutcome;
  httpStatus: number | null;
  problemCode: string | null;
}

/** A served call: 200, with the outcome its answer carries (a verify verdict of mismatch or not_found). */
export function servedEnding(call: CallRecord): CallEnding {
  return { outcome: call.servedOutcome, httpStatus: 200, problemCode: null };
}

/**
 * A call that ended with an error, classed by the problem it is answered with: credentials, grants, allow-list and
 * consent refusals are `refused`; bad requests `invalid`; limits `rate_limited` or `quota_exhausted`; an outage or a
 * connector that is down `unavailable`; anything else of the server's `server_error`.
 */
export function failedEnding(error: unknown): CallEnding {
  const { problem } = toProblem(error);
  return { outcome: outcomeOfProblem(problem.status, problem.code), httpStatus: problem.status, problemCode: problem.code };
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
