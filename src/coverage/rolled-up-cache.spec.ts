import { describe, expect, it } from '@jest/globals';
import { RolledUpCache } from './rollup.repository.js';

const rows = (n: number) => Array.from({ length: n }, (_, i) => i);

describe('RolledUpCache', () => {
  it('reuses a result for its version only, and computes again for another', async () => {
    const cache = new RolledUpCache<number[]>();
    let computed = 0;
    const compute = async () => {
      computed += 1;
      return rows(3);
    };
    await cache.get('period', 'v1', compute);
    await cache.get('period', 'v1', compute);
    expect(computed).toBe(1);
    await cache.get('period', 'v2', compute);
    expect(computed).toBe(2);
  });

  it('shares one computation between concurrent misses, and keeps no failure', async () => {
    const cache = new RolledUpCache<number[]>();
    let computed = 0;
    const slow = async () => {
      computed += 1;
      await new Promise((resolve) => setTimeout(resolve, 10));
      return rows(2);
    };
    await Promise.all([cache.get('k', 'v', slow), cache.get('k', 'v', slow)]);
    expect(computed).toBe(1);
    await expect(cache.get('bad', 'v', async () => Promise.reject(new Error('database gone')))).rejects.toThrow('database gone');
    expect(await cache.get('bad', 'v', async () => rows(1))).toEqual([0]);
  });

  it('keeps no result larger than an entry may be, and drops the least recently used past its rows', async () => {
    const cache = new RolledUpCache<number[]>();
    let computed = 0;
    const big = async () => {
      computed += 1;
      return rows(RolledUpCache.MAX_ROWS_PER_ENTRY + 1);
    };
    await cache.get('big', 'v', big);
    await cache.get('big', 'v', big);
    expect(computed).toBe(2);
    const half = RolledUpCache.MAX_ROWS_PER_ENTRY;
    const counts = new Map<string, number>();
    const counted = (key: string) => async () => {
      counts.set(key, (counts.get(key) ?? 0) + 1);
      return rows(half);
    };
    for (const key of ['a', 'b', 'c', 'd']) await cache.get(key, 'v', counted(key));
    await cache.get('a', 'v', counted('a'));
    // A fifth entry passes MAX_ROWS (4 × 50,000 = 200,000): the least recently used, b, goes; a was used again.
    await cache.get('e', 'v', counted('e'));
    await cache.get('a', 'v', counted('a'));
    await cache.get('b', 'v', counted('b'));
    expect([counts.get('a'), counts.get('b')]).toEqual([1, 2]);
  });
});
