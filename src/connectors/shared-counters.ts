import type { Redis } from 'ioredis';

interface Waiting {
  ttlMs: number | null;
  waiters: { resolve: (value: number) => void; reject: (error: unknown) => void }[];
}

/**
 * Counters shared by every API process, in Redis. The calls that ask during one turn of the event loop share one
 * round trip: each key is incremented once by the number of its callers (INCRBY), who get consecutive numbers in the
 * order they asked. Under load that is many calls per INCRBY, which kept a profiled look-up within 0.9x of an
 * unprofiled one (docs/BENCHMARKS.md; one INCR per call cost 13 %). The numbers stay unique across processes, since
 * Redis hands out each range once.
 */
export class SharedCounters {
  private pending = new Map<string, Waiting>();
  private scheduled = false;

  constructor(
    private readonly redis: Redis,
    /** A Redis that does not answer within this fails the batch: the callers fall back, never wait longer. */
    private readonly timeoutMs: number,
  ) {}

  /** The next number of `key` (1 first); `ttlMs` renews the key's expiry. Rejects when Redis fails or is slow. */
  next(key: string, ttlMs: number | null = null): Promise<number> {
    return new Promise((resolve, reject) => {
      let waiting = this.pending.get(key);
      if (!waiting) {
        waiting = { ttlMs, waiters: [] };
        this.pending.set(key, waiting);
      }
      waiting.waiters.push({ resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => void this.flush());
      }
    });
  }

  private async flush(): Promise<void> {
    this.scheduled = false;
    const batch = [...this.pending];
    this.pending = new Map();
    const pipeline = this.redis.pipeline();
    for (const [key, { ttlMs, waiters }] of batch) {
      pipeline.incrby(key, waiters.length);
      if (ttlMs !== null) pipeline.pexpire(key, ttlMs);
    }
    let timer: NodeJS.Timeout | undefined;
    try {
      const results = await Promise.race([
        pipeline.exec(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`Redis did not answer within ${this.timeoutMs} ms`)), this.timeoutMs);
        }),
      ]);
      let index = 0;
      for (const [, { ttlMs, waiters }] of batch) {
        const [error, total] = results?.[index] ?? [new Error('no reply from Redis')];
        index += ttlMs === null ? 1 : 2;
        const first = Number(total) - waiters.length + 1;
        waiters.forEach((waiter, i) => (error ? waiter.reject(error) : waiter.resolve(first + i)));
      }
    } catch (error) {
      for (const [, { waiters }] of batch) for (const waiter of waiters) waiter.reject(error);
    } finally {
      clearTimeout(timer);
    }
  }
}
