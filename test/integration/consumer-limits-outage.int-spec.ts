import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Redis } from 'ioredis';
import { ConsumerLimits } from '../../src/access/consumer-limits.service.js';
import type { ConsumerIdentity } from '../../src/access/consumer-directory.service.js';
import type { AppConfig } from '../../src/config/app-config.js';
import { createRedisConnection } from '../../src/queue/redis-connection.js';
import { expectEventually } from '../utils/expect-eventually.js';
import { PrivateRedis } from '../utils/private-redis.js';

const RATE = 200;

/**
 * The issue: the per-consumer rate limit is shared by the API processes through Redis, and a Redis outage under
 * load produces no errors, only the per-process fallback. Two ConsumerLimits on two connections stand for two
 * processes; the Redis is this test's own, so that it can be stopped and frozen.
 */
describe('the shared rate limit through a Redis outage', () => {
  let redis: PrivateRedis;
  const connections: Redis[] = [];
  const processes: ConsumerLimits[] = [];
  const caller: ConsumerIdentity = {
    consumerId: randomUUID(),
    name: 'outage spec',
    kind: 'state',
    serviceCodes: new Set(['SANDBOX-ALL']),
    rateLimitPerSecond: RATE,
    dailyQuota: 100_000_000,
  };
  const prefix = `limits-outage-${randomUUID()}`;

  beforeAll(async () => {
    redis = await PrivateRedis.start();
    for (let i = 0; i < 2; i += 1) {
      const connection = createRedisConnection(redis.url);
      connection.on('error', () => undefined);
      await connection.connect();
      connections.push(connection);
      processes.push(new ConsumerLimits({ queuePrefix: prefix, access: { rateLimitPerSecond: RATE, dailyQuota: 100_000_000 } } as unknown as AppConfig, connection));
    }
  }, 30_000);
  afterAll(async () => {
    for (const limits of processes) await limits.onApplicationShutdown();
    for (const connection of connections) connection.disconnect();
    await redis?.destroy();
  }, 30_000);

  /** Ten calls per process per turn of the event loop for `ms`: what passed, how they were refused, the slowest turn. */
  async function hammer(ms: number) {
    let admitted = 0;
    let slowestMs = 0;
    const refusals = new Set<string>();
    const started = performance.now();
    while (performance.now() - started < ms) {
      const turn = performance.now();
      const outcomes = await Promise.all(
        processes.flatMap((limits) =>
          Array.from({ length: 10 }, async () => {
            try {
              await limits.take(caller);
              return null;
            } catch (error) {
              return (error as { code?: string }).code ?? String(error);
            }
          }),
        ),
      );
      slowestMs = Math.max(slowestMs, performance.now() - turn);
      for (const outcome of outcomes) {
        if (outcome === null) admitted += 1;
        else refusals.add(outcome);
      }
      await new Promise((resolve) => setImmediate(resolve));
    }
    return { admitted, refusals, slowestMs, seconds: (performance.now() - started) / 1000 };
  }

  /** The bound of SharedRateLimit for two processes, and the least a fair share gives. */
  const sharedBound = (seconds: number) => RATE * (1 + seconds) + 2 * 2 * Math.ceil(RATE / 20);

  it('admits about the rate between both processes while Redis answers', async () => {
    const { admitted, refusals, seconds } = await hammer(1_000);
    expect(admitted).toBeLessThanOrEqual(sharedBound(seconds));
    expect(admitted).toBeGreaterThanOrEqual(RATE * seconds * 0.8);
    expect(refusals).toEqual(new Set(['rate_limited']));
  });

  it('keeps serving with a bucket per process while Redis is stopped, refusing only with rate_limited', async () => {
    await redis.stop();
    const { admitted, refusals, seconds } = await hammer(1_000);
    expect(refusals).toEqual(new Set(['rate_limited']));
    // Each process on its own: more than one shared bucket would give, at most two buckets' worth.
    expect(admitted).toBeGreaterThan(RATE * (1 + seconds));
    expect(admitted).toBeLessThanOrEqual(2 * (RATE * (1 + seconds)) + 2 * 2 * Math.ceil(RATE / 20));
  });

  it('shares the limit again once Redis is back', async () => {
    await redis.start();
    const key = processes[0].rateKeyOf(caller.consumerId);
    const probe = createRedisConnection(redis.url);
    probe.on('error', () => undefined);
    await probe.connect();
    try {
      // The connections reconnect with backoff, then a call tries Redis again within a second.
      await expectEventually(async () => {
        await hammer(100);
        expect(await probe.exists(key)).toBe(1);
      }, 15_000, 200);
      await expectEventually(async () => {
        const { admitted, seconds } = await hammer(1_000);
        expect(admitted).toBeLessThanOrEqual(sharedBound(seconds));
      }, 15_000, 0);
    } finally {
      probe.disconnect();
    }
  }, 40_000);

  it('answers every call within a bounded wait while Redis is frozen (connected, answering nothing)', async () => {
    redis.freeze();
    try {
      const { admitted, refusals, slowestMs } = await hammer(1_500);
      expect(refusals).toEqual(new Set(['rate_limited']));
      expect(admitted).toBeGreaterThan(0);
      // The Redis timeout is 100 ms; the rest is this machine's noise.
      expect(slowestMs).toBeLessThan(1_000);
    } finally {
      redis.resume();
    }
  });
});
