import type { Redis } from 'ioredis';

/**
 * One step of a shared token bucket, atomic in Redis: refill by the time elapsed since the last step (the callers'
 * clocks; one that lags never refills backwards), subtract the calls already admitted on credit, grant up to `want`
 * whole tokens, and keep the key only until the bucket would be full again (an absent key is a full bucket).
 * Returns { granted, msUntilOneToken } (0 when a token is left).
 */
const RESERVE_LUA = `
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local now = tonumber(ARGV[3])
local debt = tonumber(ARGV[4])
local want = tonumber(ARGV[5])
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1]) or burst
local at = tonumber(state[2]) or now
if now > at then
  tokens = math.min(burst, tokens + (now - at) * rate / 1000)
  at = now
end
tokens = tokens - debt
local granted = 0
if tokens >= 1 then
  granted = math.min(want, math.floor(tokens))
  tokens = tokens - granted
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(at))
redis.call('PEXPIRE', KEYS[1], math.ceil((burst - tokens) * 1000 / rate) + 1000)
local wait = 0
if tokens < 1 then wait = math.ceil((1 - tokens) * 1000 / rate) end
return {granted, wait}
`;

/** A Redis that does not answer within this is treated as down: the rate limit never holds a call up longer. */
const REDIS_TIMEOUT_MS = 100;
/** While Redis is down, how often a call tries it again (in the background; calls meanwhile use the local bucket). */
const PROBE_INTERVAL_MS = 1_000;
/** A lease is this share of a second's rate: 50 ms worth at the full rate. */
const LEASES_PER_SECOND = 20;

/** The lease size of a rate: how many tokens a process takes from Redis at once, and how many it may owe. */
export function leaseSize(perSecond: number): number {
  return Math.max(1, Math.ceil(perSecond / LEASES_PER_SECOND));
}

/** A call admitted, or refused with the whole seconds until the bucket has a token. */
export type RateAnswer = { admitted: true } | { admitted: false; retryAfterSeconds: number };

/** What take() gives: the answer, or (for a call waiting for a lease) a promise of it, never rejected. */
export type RateDecision = RateAnswer | Promise<RateAnswer>;

interface Lease {
  perSecond: number;
  burst: number;
  /** Tokens granted by Redis to this process and not spent yet. */
  tokens: number;
  /** Calls admitted ahead of Redis (while a lease was on its way), not yet charged to the shared bucket. */
  credit: number;
  /** Credit sent with the reservation in flight. */
  charging: number;
  /** False once Redis said the bucket is empty, until it grants again: then no call is admitted on credit. */
  creditOpen: boolean;
  /** The shared bucket holds no token before this time (the callers' clock): calls are refused without asking. */
  emptyUntil: number;
  /** The latest clock a call of this key brought: sent with the next reservation. */
  now: number;
  reserving: boolean;
  queued: boolean;
  waiters: { resolve: (decision: RateAnswer) => void; now: number }[];
}

/**
 * Token buckets shared by every process through Redis, leased in small parts so that Redis stays off the path of
 * almost every call. Each bucket holds up to `burst` tokens and refills at `perSecond`, as one bucket would in a
 * single process; a process takes tokens from it in leases of L = leaseSize(perSecond) (a twentieth of the rate)
 * with one Lua step (RESERVE_LUA), and spends them locally, synchronously. It asks for the next lease when half of
 * the current one is spent, and the reservations of one event-loop turn share one pipeline.
 * - A call that finds no leased token is admitted on credit, up to L calls per process, while a lease is on its
 *   way (so an idle consumer's first call does not wait for Redis); credit is charged to the shared bucket with the
 *   next reservation, whatever the bucket holds, and is not extended once Redis said the bucket is empty. Past the
 *   credit, the call waits for the reservation in flight (at most REDIS_TIMEOUT_MS).
 * - Overshoot bound, while Redis answers: over any interval of T seconds, N processes together admit at most
 *   burst + perSecond × T + 2 × N × L calls. The first two terms are one bucket's own bound; each process may hold up
 *   to L leased tokens taken before the interval, and the calls admitted on credit but not paid for by the bucket at
 *   its end are at most L per process (credit stops once Redis said the bucket is empty, and resumes only after it
 *   granted again, so debts cannot pile up). With a burst of one second's worth: (1 + T) seconds' worth plus N
 *   tenths of a second's worth (at least 2 × N calls). Clock skew between hosts adds at most skew × perSecond.
 * - When Redis fails or does not answer within REDIS_TIMEOUT_MS, every key falls back to a bucket of this process
 *   alone (so N processes admit up to N times the rate), and a call tries Redis again in the background every
 *   PROBE_INTERVAL_MS. Nothing is ever thrown at the caller.
 */
export class SharedRateLimit {
  private readonly leases = new Map<string, Lease>();
  private readonly local = new Map<string, { tokens: number; updatedAt: number }>();
  private queue: [string, Lease][] = [];
  private scheduled = false;
  /** Redis failed: until a probe succeeds, buckets are local. */
  private down = false;
  private nextProbeAt = 0;

  constructor(
    private readonly redis: Redis,
    /** Prefix of the buckets' keys: `<keyPrefix>:<key>`. */
    private readonly keyPrefix: string,
    private readonly timeoutMs = REDIS_TIMEOUT_MS,
  ) {
    if (!('reserveRateTokens' in redis)) redis.defineCommand('reserveRateTokens', { numberOfKeys: 1, lua: RESERVE_LUA });
  }

  /** The Redis key of `key`'s bucket. */
  redisKey(key: string): string {
    return `${this.keyPrefix}:${key}`;
  }

  /**
   * Spends one token of `key`'s bucket (`perSecond`, bursts of `burst`). Answers at once, except for a call past
   * the credit while a lease is on its way, which gets a promise settled when Redis answers or times out.
   */
  take(key: string, perSecond: number, burst: number, now: number): RateDecision {
    if (this.down) {
      if (now >= this.nextProbeAt) this.probe(key, perSecond, burst, now);
      return this.takeLocal(key, perSecond, burst, now);
    }
    let lease = this.leases.get(key);
    if (!lease) {
      lease = newLease(perSecond, burst, now);
      this.leases.set(key, lease);
    }
    lease.perSecond = perSecond;
    lease.burst = burst;
    if (now > lease.now) lease.now = now;
    const size = leaseSize(perSecond);
    if (lease.tokens >= 1) {
      lease.tokens -= 1;
      if (lease.tokens <= size / 2 && now >= lease.emptyUntil) this.reserve(key, lease);
      return ADMITTED;
    }
    if (now < lease.emptyUntil) return { admitted: false, retryAfterSeconds: Math.max(1, Math.ceil((lease.emptyUntil - now) / 1000)) };
    if (lease.creditOpen && lease.credit + lease.charging < size) {
      lease.credit += 1;
      this.reserve(key, lease);
      return ADMITTED;
    }
    const waiting = new Promise<RateAnswer>((resolve) => lease.waiters.push({ resolve, now }));
    this.reserve(key, lease);
    return waiting;
  }

  /** The bucket of this process alone: what every key uses while Redis is down. */
  private takeLocal(key: string, perSecond: number, burst: number, now: number): RateAnswer {
    const bucket = this.localBucket(key, perSecond, burst, now);
    if (bucket.tokens < 1) return { admitted: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / perSecond)) };
    bucket.tokens -= 1;
    return ADMITTED;
  }

  /** `key`'s local bucket, refilled up to `now`. */
  private localBucket(key: string, perSecond: number, burst: number, now: number): { tokens: number; updatedAt: number } {
    const bucket = this.local.get(key) ?? { tokens: burst, updatedAt: now };
    bucket.tokens = Math.min(burst, bucket.tokens + (Math.max(0, now - bucket.updatedAt) / 1000) * perSecond);
    bucket.updatedAt = now;
    this.local.set(key, bucket);
    return bucket;
  }

  /** One reservation in the background while Redis is down; its answer (if any) brings the shared buckets back. */
  private probe(key: string, perSecond: number, burst: number, now: number): void {
    this.nextProbeAt = now + PROBE_INTERVAL_MS;
    const lease = newLease(perSecond, burst, now);
    this.leases.set(key, lease);
    this.reserve(key, lease, true);
  }

  private reserve(key: string, lease: Lease, probing = false): void {
    if (lease.reserving || lease.queued) return;
    if (this.down && !probing) return;
    lease.queued = true;
    this.queue.push([key, lease]);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => void this.flush());
    }
  }

  private async flush(): Promise<void> {
    this.scheduled = false;
    const batch = this.queue;
    this.queue = [];
    const pipeline = this.redis.pipeline() as unknown as { reserveRateTokens: (...args: (string | number)[]) => void; exec: () => Promise<[Error | null, unknown][] | null> };
    const sent = batch.map(([key, lease]) => {
      lease.queued = false;
      lease.reserving = true;
      lease.charging = lease.credit;
      lease.credit = 0;
      const size = leaseSize(lease.perSecond);
      const want = Math.max(0, size - Math.floor(lease.tokens)) + lease.waiters.length;
      pipeline.reserveRateTokens(this.redisKey(key), lease.perSecond, lease.burst, lease.now, lease.charging, want);
      return lease.now;
    });
    let timer: NodeJS.Timeout | undefined;
    let results: [Error | null, unknown][] | null = null;
    let failure: unknown = null;
    try {
      results = await Promise.race([
        pipeline.exec(),
        new Promise<never>((_, reject) => {
          // The timeout is decided after the event loop's next poll: when this process itself stalled (CPU starved,
          // a long GC), the timer is due at the same turn as a reply that came in meanwhile, and timers run before
          // I/O; deciding at once would call a Redis that answered in time down and split the bucket per process.
          timer = setTimeout(() => setImmediate(() => reject(new Error(`Redis did not answer within ${this.timeoutMs} ms`))), this.timeoutMs);
        }),
      ]);
    } catch (error) {
      failure = error;
    } finally {
      clearTimeout(timer);
    }
    batch.forEach(([key, lease], index) => {
      lease.reserving = false;
      const [error, reply] = failure ? [failure] : (results?.[index] ?? [new Error('no reply from Redis')]);
      if (error) this.fail(key, lease);
      else this.granted(key, lease, reply as [number, number], sent[index]);
    });
  }

  private granted(key: string, lease: Lease, [granted, waitMs]: [number, number], sentNow: number): void {
    this.down = false;
    lease.charging = 0;
    lease.tokens += Number(granted);
    while (lease.waiters.length > 0 && lease.tokens >= 1) {
      lease.tokens -= 1;
      lease.waiters.shift()!.resolve(ADMITTED);
    }
    if (Number(waitMs) > 0) {
      lease.creditOpen = false;
      // Asked again once a whole lease has refilled, not each token: a consumer flooding past its rate costs Redis
      // LEASES_PER_SECOND reservations a second per process, not one per token (the tokens wait in the bucket).
      lease.emptyUntil = sentNow + Number(waitMs) + ((leaseSize(lease.perSecond) - 1) * 1000) / lease.perSecond;
      const retryAfterSeconds = Math.max(1, Math.ceil(Number(waitMs) / 1000));
      for (const waiter of lease.waiters.splice(0)) waiter.resolve({ admitted: false, retryAfterSeconds });
    } else {
      lease.creditOpen = true;
    }
    // Credit taken while this reservation was in flight is charged now, and waiters that came too late are asked for.
    if (lease.credit > 0 || lease.waiters.length > 0) this.reserve(key, lease);
  }

  /** Redis failed: the waiting calls, and every call until a probe succeeds, are decided by the local buckets. */
  private fail(key: string, lease: Lease): void {
    if (!this.down) {
      this.down = true;
      this.nextProbeAt = lease.now + PROBE_INTERVAL_MS;
      this.leases.clear();
    }
    // The calls admitted on credit that Redis never heard of are spent from the local bucket instead.
    const owed = lease.charging + lease.credit;
    lease.charging = 0;
    lease.credit = 0;
    if (owed > 0) this.localBucket(key, lease.perSecond, lease.burst, lease.waiters[0]?.now ?? lease.now).tokens -= owed;
    for (const waiter of lease.waiters.splice(0)) waiter.resolve(this.takeLocal(key, lease.perSecond, lease.burst, waiter.now));
  }
}

const ADMITTED = { admitted: true } as const;

function newLease(perSecond: number, burst: number, now: number): Lease {
  return { perSecond, burst, tokens: 0, credit: 0, charging: 0, creditOpen: true, emptyUntil: 0, now, reserving: false, queued: false, waiters: [] };
}
