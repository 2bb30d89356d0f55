import { describe, expect, it } from '@jest/globals';
import { UnrecoverableError } from 'bullmq';
import { ForbiddenError, NotFoundError, RateLimitedError, ServiceUnavailableError, ValidationFailedError } from '../common/domain-error.js';
import { failureHandling, jobStep } from './job-failure.js';

describe('failureHandling', () => {
  it.each([
    ['a registry outage', new ServiceUnavailableError('down'), 'retry'],
    ['a rate limit', new RateLimitedError('rate_limited', 'slow down', 1), 'retry'],
    ['a dropped connection (not a domain error)', Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }), 'retry'],
    ['a citizen not found', new NotFoundError('citizen_not_found', 'no such citizen'), 'result'],
    ['a refused purpose', new ForbiddenError('service_not_granted', 'no'), 'give_up'],
    ['bad input', new ValidationFailedError('bad', []), 'give_up'],
    ['an UnrecoverableError', new UnrecoverableError('never'), 'give_up'],
  ])('%s: %s', (_label, error, handling) => {
    expect(failureHandling(error)).toBe(handling);
  });
});

describe('jobStep', () => {
  it('returns the step value', async () => {
    await expect(jobStep(async () => 7, () => 'result')).resolves.toBe(7);
  });

  it('turns an expected outcome into a result', async () => {
    await expect(jobStep(async () => { throw new NotFoundError('citizen_not_found', 'x'); }, (error) => error.code)).resolves.toBe('citizen_not_found');
  });

  it('makes a permanent failure unrecoverable, keeping the cause', async () => {
    const refusal = new ForbiddenError('service_not_granted', 'no');
    const failure = await jobStep(async () => { throw refusal; }, () => 'result').catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(UnrecoverableError);
    expect((failure as Error).cause).toBe(refusal);
  });

  it('rethrows a transient failure as it is, for BullMQ to retry', async () => {
    const outage = new ServiceUnavailableError('down');
    await expect(jobStep(async () => { throw outage; }, () => 'result')).rejects.toBe(outage);
  });
});
