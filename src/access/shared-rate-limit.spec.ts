import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { leaseSize, SharedRateLimit } from './shared-rate-limit.js';

/** Real Redis, as the gateway uses it; each test has a key prefix of its own. */
const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: 1 });

/** Blocks this process's event loop, as a CPU-starved host or a long GC pause does. */
function stall(ms: number): void {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    // busy
  }
}

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe('SharedRateLimit', () => {
  afterAll(() => redis.disconnect());

  it('keeps sharing the bucket when this process stalled past the timeout while Redis answered in time', async () => {
    await redis.ping();
    const limit = new SharedRateLimit(redis, `rate-spec-${randomUUID()}`, 50);
    const rate = 100;
    const key = 'consumer';
    // The first call is admitted on credit and sends a reservation (on the next turn of the event loop).
    expect(limit.take(key, rate, rate, Date.now())).toEqual({ admitted: true });
    await nextTurn();
    // The reservation is written; the process stalls for longer than the timeout, while Redis answers at once.
    stall(200);
    await new Promise((resolve) => setTimeout(resolve, 20));
    // Still shared: the calls answered at once are at most one lease plus its credit, after which they wait for
    // Redis. A process that took Redis for down answers from a bucket of its own, a whole second's worth at once.
    let answeredAtOnce = 0;
    for (let i = 0; i < rate; i += 1) {
      if (!(limit.take(key, rate, rate, Date.now()) instanceof Promise)) answeredAtOnce += 1;
    }
    expect(answeredAtOnce).toBeLessThanOrEqual(2 * leaseSize(rate));
  });
});
