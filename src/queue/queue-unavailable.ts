import { ServiceUnavailableError } from '../common/domain-error.js';

/** Runs a call to the job queues; a Redis failure becomes the 503 every queue endpoint answers, with its cause kept. */
export async function queueCall<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw new ServiceUnavailableError('The job queues (Redis) are unavailable; try again shortly.', [], { cause: error });
  }
}
