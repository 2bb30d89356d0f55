import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import type { AppConfig } from '../config/app-config.js';
import type { ConsumerIdentity } from './consumer-directory.service.js';
import { ConsumerLimits } from './consumer-limits.service.js';

/** Real Redis (as the gateway uses it); each test has its own key prefix, so runs never share counters. */
const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { lazyConnect: true, maxRetriesPerRequest: 1 });
const limitsWith = (queuePrefix: string) =>
  new ConsumerLimits({ queuePrefix, access: { rateLimitPerSecond: 1_000, dailyQuota: 1_000 } } as unknown as AppConfig, redis);

const consumer = (overrides: Partial<ConsumerIdentity> = {}): ConsumerIdentity => ({
  consumerId: randomUUID(),
  name: 'limits spec',
  kind: 'state',
  serviceCodes: new Set(['SANDBOX-ALL']),
  rateLimitPerSecond: null,
  dailyQuota: null,
  ...overrides,
});

/** The problem code a take() refuses with, or null when it passes. */
function refusal(take: () => void): string | null {
  try {
    take();
    return null;
  } catch (error) {
    return (error as { code: string }).code;
  }
}

describe('ConsumerLimits', () => {
  const created: ConsumerLimits[] = [];
  const limits = (prefix = `limits-spec-${randomUUID()}`) => {
    const instance = limitsWith(prefix);
    created.push(instance);
    return instance;
  };

  afterAll(async () => {
    for (const instance of created) await instance.onApplicationShutdown();
    redis.disconnect();
  });

  it('lets a burst of one second through, refuses the next call, and refills at the consumer\'s rate', () => {
    const subject = limits();
    const caller = consumer({ rateLimitPerSecond: 3 });
    const t0 = 1_000_000;
    expect([0, 1, 2].map(() => refusal(() => subject.take(caller, 1, t0)))).toEqual([null, null, null]);
    expect(refusal(() => subject.take(caller, 1, t0))).toBe('rate_limited');
    expect(refusal(() => subject.take(caller, 1, t0 + 340))).toBe(null);
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
});
