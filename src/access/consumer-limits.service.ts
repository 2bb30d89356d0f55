import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { RateLimitedError } from '../common/domain-error.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { REDIS } from '../queue/redis.module.js';
import type { ConsumerIdentity } from './consumer-directory.service.js';
import { SharedRateLimit, type RateAnswer } from './shared-rate-limit.js';

/** How often local quota counts are added to the shared Redis counters. */
const QUOTA_FLUSH_MS = 250;

/** Prefix (after QUEUE_PREFIX) of the shared rate buckets' keys: `<QUEUE_PREFIX>:rate:<consumerId>`. */
const RATE_KEY_PREFIX = 'rate';

/**
 * Per-consumer rate limit and daily quota, both shared by every API process through Redis.
 * - The rate limit counts HTTP calls; the quota counts citizens asked about, so that a verify-batch of 1,000 items
 *   spends 1,000 of it (otherwise batches would make the quota, the guard against enumeration, 1,000 times looser).
 * - The rate limit is one token bucket per consumer in Redis (refilled continuously at the consumer's rate, burst of
 *   one second's worth), which each process leases in parts of a twentieth of the rate and spends locally
 *   (SharedRateLimit, where the bound is argued): over any interval of T seconds, N processes together admit at most
 *   rate × (1 + T) + 2 × N × ceil(rate / 20) calls, against N × rate × (1 + T) when each process had its own bucket.
 *   If Redis fails or is slow (100 ms), each process falls back to a bucket of its own until Redis answers again.
 * - The daily quota (per UTC day) is shared by all processes through Redis. To keep Redis off the hot path, calls are
 *   counted locally and added with one INCRBY per consumer every QUOTA_FLUSH_MS; the quota can therefore be
 *   overshot by what all processes serve in that window. If Redis is down, counting stays local.
 */
@Injectable()
export class ConsumerLimits implements OnApplicationShutdown {
  private readonly rate: SharedRateLimit;
  private readonly pending = new Map<string, number>();
  /** Counts sent to Redis whose answer has not come back yet: still counted by take(). */
  private readonly inFlight = new Map<string, number>();
  private readonly known = new Map<string, { day: string; total: number }>();
  private readonly timer: NodeJS.Timeout;
  private readonly logger = new Logger('ConsumerLimits');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(REDIS) private readonly redis: Redis,
  ) {
    this.rate = new SharedRateLimit(redis, `${config.queuePrefix}:${RATE_KEY_PREFIX}`);
    this.timer = setInterval(() => void this.flush(), QUOTA_FLUSH_MS);
    this.timer.unref();
  }

  /** The Redis key of a consumer's shared rate bucket. */
  rateKeyOf(consumerId: string): string {
    return this.rate.redisKey(consumerId);
  }

  /**
   * Counts one call asking about `citizens` citizens; throws 429 `quota_exhausted` when the quota left today is
   * smaller than `citizens` (a batch is taken whole or refused whole), and 429 `rate_limited` when the rate limit is
   * spent. Answers synchronously, except for a call that has to wait for a lease of the shared rate limit (past a
   * burst from an idle consumer): it gets a promise, settled within Redis's timeout.
   */
  take(consumer: ConsumerIdentity, citizens = 1, now = Date.now()): void | Promise<void> {
    const quota = consumer.dailyQuota ?? this.config.access.dailyQuota;
    const day = utcDay(now);
    const known = this.known.get(consumer.consumerId);
    const used =
      (known?.day === day ? known.total : 0) + (this.pending.get(consumer.consumerId) ?? 0) + (this.inFlight.get(consumer.consumerId) ?? 0);
    if (used + citizens > quota) {
      const left = Math.max(0, quota - used);
      throw new RateLimitedError(
        'quota_exhausted',
        `This consumer's daily quota of ${quota} citizens asked about is ${left === 0 ? 'spent' : `down to ${left}, fewer than the ${citizens} of this call`}; it renews at 00:00 UTC.`,
        secondsToNextUtcDay(now),
      );
    }
    const rate = consumer.rateLimitPerSecond ?? this.config.access.rateLimitPerSecond;
    const decision = this.rate.take(consumer.consumerId, rate, rate, now);
    if (decision instanceof Promise) return decision.then((settled) => this.count(consumer.consumerId, rate, citizens, settled));
    this.count(consumer.consumerId, rate, citizens, decision);
  }

  private count(consumerId: string, rate: number, citizens: number, decision: RateAnswer): void {
    if (!decision.admitted) throw new RateLimitedError('rate_limited', `This consumer may make ${rate} registry calls per second.`, decision.retryAfterSeconds);
    this.pending.set(consumerId, (this.pending.get(consumerId) ?? 0) + citizens);
  }

  /** Adds the local counts to Redis and learns the shared totals. */
  async flush(now = Date.now()): Promise<void> {
    if (this.pending.size === 0) return;
    const day = utcDay(now);
    const batch = [...this.pending];
    this.pending.clear();
    // Additive: a flush may start while the previous one is still waiting for Redis.
    for (const [consumerId, count] of batch) this.inFlight.set(consumerId, (this.inFlight.get(consumerId) ?? 0) + count);
    const putBack = (consumerId: string, count: number) => this.pending.set(consumerId, (this.pending.get(consumerId) ?? 0) + count);
    try {
      const pipeline = this.redis.pipeline();
      for (const [consumerId, count] of batch) {
        const key = `${this.config.queuePrefix}:quota:${consumerId}:${day}`;
        pipeline.incrby(key, count).expire(key, 2 * 24 * 3600);
      }
      const results = (await pipeline.exec()) ?? [];
      batch.forEach(([consumerId, count], index) => {
        const [error, total] = results[index * 2] ?? [new Error('no reply')];
        if (error) putBack(consumerId, count);
        else this.known.set(consumerId, { day, total: Number(total) });
      });
    } catch (error) {
      // Keep counting locally; the counts return to the pending map so they reach Redis once it is back.
      for (const [consumerId, count] of batch) putBack(consumerId, count);
      this.logger.warn(`quota counters not saved to Redis: ${(error as Error).message}`);
    } finally {
      for (const [consumerId, count] of batch) {
        const left = (this.inFlight.get(consumerId) ?? 0) - count;
        if (left > 0) this.inFlight.set(consumerId, left);
        else this.inFlight.delete(consumerId);
      }
    }
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.flush().catch(() => undefined);
  }
}

const MS_PER_DAY = 86_400_000;
/** The last day asked for, kept: every call asks, and formatting a date is most of what this costs. */
let lastDay = { number: Number.NaN, text: '' };

/** The UTC day of `now`, as `YYYY-MM-DD`. */
function utcDay(now: number): string {
  const number = Math.floor(now / MS_PER_DAY);
  if (number !== lastDay.number) lastDay = { number, text: new Date(number * MS_PER_DAY).toISOString().slice(0, 10) };
  return lastDay.text;
}

function secondsToNextUtcDay(now: number): number {
  const next = new Date(now);
  next.setUTCHours(24, 0, 0, 0);
  return Math.max(1, Math.ceil((next.getTime() - now) / 1000));
}
