/**
 * Distinct random-looking numbers in [0, limit) for each of many buckets, without remembering the numbers handed
 * out: the k-th number of a bucket is a keyed permutation of k. The permutation works on the next power of two above
 * `limit` (multiply by an odd constant plus a key, then xor-shift: each step is a bijection of n-bit integers) and
 * walks the cycle until it lands below `limit`, which keeps it a bijection of [0, limit) (Black and Rogaway's cycle
 * walking). The ID-number generator used a hash set before; this is faster and uses one counter per bucket.
 */
export class ScrambledSequences {
  private readonly counters: Int32Array;
  private readonly mask: number;
  private readonly shift: number;

  /**
   * @param key any 32-bit integer (derived from the dataset seed)
   * @param buckets bucket indexes run from 0 to buckets - 1
   * @param limit numbers handed out are below it; at most `limit` per bucket
   */
  constructor(
    private readonly key: number,
    buckets: number,
    private readonly limit: number,
  ) {
    if (!Number.isInteger(limit) || limit < 2 || limit > 2 ** 30) throw new RangeError(`limit ${limit} is outside 2-2^30`);
    this.counters = new Int32Array(buckets);
    let bits = 1;
    while (2 ** bits < limit) bits++;
    this.mask = 2 ** bits - 1;
    this.shift = Math.max(1, bits >> 1);
  }

  /** The next number of the bucket; throws once all `limit` numbers of the bucket are used. */
  next(bucket: number): number {
    const k = this.counters[bucket];
    if (k >= this.limit) throw new RangeError(`bucket ${bucket} has used all ${this.limit} numbers`);
    this.counters[bucket] = k + 1;
    const k1 = mix(this.key ^ Math.imul(bucket, 0x9e37_79b1));
    const k2 = mix(k1 ^ 0x85eb_ca6b);
    const k3 = mix(k2 ^ 0xc2b2_ae35);
    let x = k;
    do x = this.permute(x, k1, k2, k3);
    while (x >= this.limit);
    return x;
  }

  private permute(x: number, k1: number, k2: number, k3: number): number {
    const { mask, shift } = this;
    x = (Math.imul(x, 0x2c1b_3c6d) + k1) & mask;
    x ^= x >>> shift;
    x = (Math.imul(x, 0x297a_2d39) + k2) & mask;
    x ^= x >>> shift;
    x = (Math.imul(x, 0x6b5f_2a1d) + k3) & mask;
    x ^= x >>> shift;
    return x;
  }
}

/** murmur3's 32-bit finaliser. */
function mix(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85eb_ca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2_ae35);
  return h ^ (h >>> 16);
}
