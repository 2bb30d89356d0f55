import { UnrecoverableError } from 'bullmq';
import { DomainError } from '../common/domain-error.js';

/**
 * What a job does with a failure of one of its steps:
 * - `retry`: transient (the registry or a backing service is unavailable, a rate limit, a timeout): throw it, with
 *   its cause, so BullMQ retries with the preset's backoff;
 * - `give_up`: it can never succeed (bad input, refused access): UnrecoverableError, the job fails at once;
 * - `result`: an expected outcome (not found, a mismatch): the job completes with it, it is no failure.
 */
export type FailureHandling = 'retry' | 'give_up' | 'result';

/** The one mapping from an error to its handling, shared by every processor. */
export function failureHandling(error: unknown): FailureHandling {
  if (error instanceof UnrecoverableError) return 'give_up';
  if (!(error instanceof DomainError)) return 'retry'; // unknown errors (a dropped connection, say) are worth a retry
  if (error.status === 404) return 'result';
  if (error.status === 429 || error.status >= 500) return 'retry';
  return 'give_up';
}

/**
 * Runs one step of a job under that mapping: its value, or `onResult(error)` for an expected outcome; a permanent
 * failure becomes an UnrecoverableError (with the original as its cause); a transient one is rethrown as it is.
 */
export async function jobStep<T, R>(step: () => Promise<T>, onResult: (error: DomainError) => R): Promise<T | R> {
  try {
    return await step();
  } catch (error) {
    switch (failureHandling(error)) {
      case 'result':
        return onResult(error as DomainError);
      case 'give_up':
        if (error instanceof UnrecoverableError) throw error;
        throw Object.assign(new UnrecoverableError(`${(error as Error).message} (permanent: not retried)`), { cause: error });
      case 'retry':
        throw error;
    }
  }
}
