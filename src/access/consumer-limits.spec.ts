import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { expectEventually } from '../../test/utils/expect-eventually.js';
import { freePort } from '../../test/utils/free-port.js';
import type { AppConfig } from '../config/app-config.js';
import { createRedisConnection } from '../queue/redis-connection.js';
import type { ConsumerIdentity } from './consumer-directory.service.js';
import { ConsumerLimits } from './consumer-limits.service.js';

/** Real Redis (as the gateway uses it); each test has its own key prefix, so runs never share counters. */
const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { lazyConnect: true, maxRetriesPerRequest: 1 });
const limitsWith = (queuePrefix: string, through: Redis = redis) =>
  new ConsumerLimits({ queuePrefix, access: { rateLimitPerSecond: 1_000, dailyQuota: 1_000 } } as unknown as AppConfig, through);

const consumer = (overrides: Partial<ConsumerIdentity> = {}): ConsumerIdentity => ({
  consumerId: randomUUID(),
  name: 'limits spec',
  kind: 'state',
  serviceCodes: new Set(['SANDBOX-ALL']),
  rateLimitPerSecond: null,
  dailyQuota: null,
  ...overrides,
});

/** The problem code a take() refuses with, or null when it passes (answered at once). */
function refusal(take: () => void | Promise<void>): string | null {
  try {
    expect(take()).toBeUndefined();
    return null;
  } catch (error) {
    return (error as { code: string }).code;
  }
}

/** The same, for a take that may wait for a lease of the shared rate limit. */
async function settled(take: () => void | Promise<void>): Promise<string | null> {
  try {
    await take();
    return null;
  } catch (error) {
    return (error as { code: string }).code;
  }
}

describe('ConsumerLimits', () => {
  const created: ConsumerLimits[] = [];
  const limits = (prefix = `limits-spec-${randomUUID()}`, through: Redis = redis) => {
    const instance = limitsWith(prefix, through);
    created.push(instance);
    return instance;
  };

  afterAll(async () => {
    for (const instance of created) await instance.onApplicationShutdown();
    redis.disconnect();
  });

  it('lets a burst of one second through, refuses the next call, and refills at the consumer\'s rate', async () => {
    const subject = limits();
    const caller = consumer({ rateLimitPerSecond: 3 });
    const t0 = 1_000_000;
    const outcomes = [];
    for (let i = 0; i < 4; i += 1) outcomes.push(await settled(() => subject.take(caller, 1, t0)));
    expect(outcomes).toEqual([null, null, null, 'rate_limited']);
    expect(await settled(() => subject.take(caller, 1, t0 + 340))).toBe(null);
    expect(await settled(() => subject.take(caller, 1, t0 + 340))).toBe('rate_limited');
  });

  it('counts a batch by its citizens against the quota and refuses a batch larger than what is left, whole', () => {
    const subject = limits();
    const caller = consumer({ dailyQuota: 10 });
    const now = Date.parse('2026-11-30T10:00:00Z');
    expect(refusal(() => subject.take(caller, 8, now))).toBe(null);
    expect(refusal(() => subject.take(caller, 3, now))).toBe('quota_exhausted');
    expect(refusal(() => subject.take(caller, 2, now))).toBe(null);
    expect(refusal(() => subject.take(caller, 1, now))).toBe('quota_exhausted');
  });

  it('shares the quota between processes through Redis, and a new UTC day starts from zero', async () => {
    const prefix = `limits-spec-${randomUUID()}`;
    const first = limits(prefix);
    const second = limits(prefix);
    const caller = consumer({ dailyQuota: 5 });
    const now = Date.parse('2026-11-30T23:59:00Z');
    first.take(caller, 4, now);
    await first.flush(now);
    // The second process learns the shared total when it flushes its own count.
    second.take(caller, 1, now);
    await second.flush(now);
    expect(refusal(() => second.take(caller, 1, now))).toBe('quota_exhausted');
    expect(refusal(() => second.take(caller, 1, now + 120_000))).toBe(null);
  });

  /** Calls take() on every process, `perRound` times each per turn of the event loop, for `ms`; counts what passed. */
  async function hammer(processes: ConsumerLimits[], caller: ConsumerIdentity, ms: number, perRound = 10) {
    let admitted = 0;
    const codes = new Set<string>();
    const started = Date.now();
    while (Date.now() - started < ms) {
      const round = processes.flatMap((process) => Array.from({ length: perRound }, () => settled(() => process.take(caller))));
      for (const outcome of await Promise.all(round)) {
        if (outcome === null) admitted += 1;
        else codes.add(outcome);
      }
      await new Promise((resolve) => setImmediate(resolve));
    }
    return { admitted, codes, seconds: (Date.now() - started) / 1000 };
  }

  it('shares the rate limit between processes through Redis: two admit together about the rate, not twice it', async () => {
    const prefix = `limits-spec-${randomUUID()}`;
    const rate = 200;
    const { admitted, codes, seconds } = await hammer([limits(prefix), limits(prefix)], consumer({ rateLimitPerSecond: rate }), 1_500);
    // One bucket admits at most its burst (a second's worth) plus the rate over the time; the leases add at most
    // 2 × N × ceil(rate / 20) (SharedRateLimit). Two buckets of their own would admit twice the first two terms.
    expect(admitted).toBeLessThanOrEqual(rate * (1 + seconds) + 2 * 2 * Math.ceil(rate / 20));
    expect(admitted).toBeGreaterThanOrEqual(rate * seconds * 0.8);
    expect(codes).toEqual(new Set(['rate_limited']));
  });

  it('answers an idle consumer\'s first calls at once, and a larger burst within the rate after one lease, refusing none', async () => {
    const subject = limits();
    const caller = consumer({ rateLimitPerSecond: 100 });
    // A twentieth of the rate is admitted on credit, synchronously.
    for (let i = 0; i < 5; i += 1) expect(subject.take(caller)).toBeUndefined();
    const waiting = subject.take(caller);
    expect(waiting).toBeInstanceOf(Promise);
    const rest = await Promise.all([waiting, ...Array.from({ length: 24 }, () => subject.take(caller))].map((take) => settled(() => take)));
    expect(rest.filter((outcome) => outcome !== null)).toEqual([]);
  });

  it('keeps each shared bucket in Redis under the queue prefix only until it would be full again', async () => {
    const prefix = `limits-spec-${randomUUID()}`;
    const subject = limits(prefix);
    const caller = consumer({ rateLimitPerSecond: 10 });
    const key = subject.rateKeyOf(caller.consumerId);
    expect(key).toBe(`${prefix}:rate:${caller.consumerId}`);
    expect(await settled(() => subject.take(caller))).toBe(null);
    // One call on credit and a lease of one token: 8 of 10 left, full again in 200 ms, kept 1 s more.
    await expectEventually(async () => expect(Number(await redis.hget(key, 'tokens'))).toBe(8));
    const ttl = await redis.pttl(key);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(1_200);
    await expectEventually(async () => expect(await redis.exists(key)).toBe(0), 3_000, 100);
  });

  it('falls back to a bucket per process when Redis cannot be reached, and keeps serving', async () => {
    const unreachable = createRedisConnection(`redis://127.0.0.1:${await freePort()}`);
    unreachable.on('error', () => undefined);
    try {
      const [first, second] = [limits(undefined, unreachable), limits(undefined, unreachable)];
      const caller = consumer({ rateLimitPerSecond: 5 });
      const t0 = Date.now();
      const outcomes = async (process: ConsumerLimits) => {
        const seen = [];
        for (let i = 0; i < 7; i += 1) seen.push(await settled(() => process.take(caller, 1, t0)));
        return seen;
      };
      // The first calls go on credit while the reservation fails; then the local bucket decides.
      expect(await outcomes(first)).toEqual([null, null, null, null, null, 'rate_limited', 'rate_limited']);
      expect(await outcomes(second)).toEqual([null, null, null, null, null, 'rate_limited', 'rate_limited']);
    } finally {
      unreachable.disconnect();
    }
  });
});
