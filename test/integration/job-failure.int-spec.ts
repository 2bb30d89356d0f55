import { describe, expect, it } from '@jest/globals';
import type { Job, Queue } from 'bullmq';
import { NotFoundError, ServiceUnavailableError, ValidationFailedError } from '../../src/common/domain-error.js';
import { jobStep } from '../../src/queue/job-failure.js';
import { JOB_PRESETS } from '../../src/queue/job-options.js';
import { expectEventually } from '../utils/expect-eventually.js';
import { useTestQueues } from '../utils/test-queue.js';

/** The failure mapping under a real BullMQ worker on the real Redis: retried, given up, or a result. */
describe('job failure mapping on a real queue', () => {
  const queues = useTestQueues();
  const fastRetries = { ...JOB_PRESETS.registryCall, backoff: { type: 'fixed' as const, delay: 10 } };

  const settled = async (queue: Queue, added: Job) => {
    let state = '';
    await expectEventually(async () => {
      state = await added.getState();
      expect(['completed', 'failed']).toContain(state);
    }, 10_000);
    return { state, job: (await queue.getJob(added.id!))! };
  };

  it('retries a transient failure until it succeeds', async () => {
    const { queue, worker } = queues.queue('transient');
    worker(async (job) => jobStep(async () => {
      if (job.attemptsMade < 2) throw new ServiceUnavailableError('the registry is down');
      return 'verified';
    }, () => 'result'));
    const { state, job } = await settled(queue, await queue.add('t', {}, fastRetries));
    expect(state).toBe('completed');
    expect(job.returnvalue).toBe('verified');
    expect(job.attemptsMade).toBe(3);
  });

  it('gives up at once on a permanent failure', async () => {
    const { queue, worker } = queues.queue('permanent');
    worker(async () => jobStep(async () => { throw new ValidationFailedError('bad dossier', []); }, () => 'result'));
    const { state, job } = await settled(queue, await queue.add('p', {}, fastRetries));
    expect(state).toBe('failed');
    expect(job.attemptsMade).toBe(1);
    expect(job.failedReason).toContain('permanent');
  });

  it('completes with an expected outcome instead of failing', async () => {
    const { queue, worker } = queues.queue('result');
    worker(async () => jobStep(async () => { throw new NotFoundError('citizen_not_found', 'no such citizen'); }, (error) => ({ outcome: error.code })));
    const { state, job } = await settled(queue, await queue.add('r', {}, fastRetries));
    expect(state).toBe('completed');
    expect(job.returnvalue).toEqual({ outcome: 'citizen_not_found' });
    expect(job.attemptsMade).toBe(1);
  });
});
