/**
 * A seeded pseudo-random generator for the synthetic population. It uses only 32-bit integer arithmetic
 * (`Math.imul`, shifts, `| 0`) and IEEE-754 division, so a seed yields the same sequence on every machine and Node
 * version; `Math.random` is never used.
 *
 * The core is sfc32 (Chris Doty-Humphrey's "small fast counting" generator from PractRand): 128 bits of state, passes
 * PractRand to several terabytes, and is a handful of integer operations per draw. The seed is hashed to the four
 * state words with cyrb128.
 */
export class SeededRandom {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  /** A number seed is read as its decimal string, so `42` and `'42'` give the same sequence. */
  constructor(seed: string | number) {
    const [a, b, c, d] = cyrb128(String(seed));
    this.a = a;
    this.b = b;
    this.c = c;
    this.d = d;
    // The first outputs of sfc32 still carry the seed's structure; the reference implementation discards them.
    for (let i = 0; i < 15; i++) this.nextUint32();
  }

  /** A uniform 32-bit unsigned integer. */
  nextUint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** A uniform float in [0, 1) with 32 bits of resolution. */
  next(): number {
    return this.nextUint32() / 4_294_967_296;
  }

  /** A uniform integer in [min, max], both included. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  /** A uniform element of a non-empty list. */
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }

  /** An independent generator derived from this one's next output and a label (for sub-streams). */
  fork(label: string): SeededRandom {
    return new SeededRandom(`${this.nextUint32()}:${label}`);
  }
}

/** cyrb128 (bryc, public domain): a fast 128-bit string hash, used only to spread a seed over sfc32's state. */
function cyrb128(text: string): [number, number, number, number] {
  let h1 = 1_779_033_703;
  let h2 = 3_144_134_277;
  let h3 = 1_013_904_242;
  let h4 = 2_773_480_762;
  for (let i = 0; i < text.length; i++) {
    const k = text.charCodeAt(i);
    h1 = h2 ^ Math.imul(h1 ^ k, 597_399_067);
    h2 = h3 ^ Math.imul(h2 ^ k, 2_869_860_233);
    h3 = h4 ^ Math.imul(h3 ^ k, 951_274_213);
    h4 = h1 ^ Math.imul(h4 ^ k, 2_716_044_179);
  }
  h1 = Math.imul(h3 ^ (h1 >>> 18), 597_399_067);
  h2 = Math.imul(h4 ^ (h2 >>> 22), 2_869_860_233);
  h3 = Math.imul(h1 ^ (h3 >>> 17), 951_274_213);
  h4 = Math.imul(h2 ^ (h4 >>> 19), 2_716_044_179);
  h1 ^= h2 ^ h3 ^ h4;
  h2 ^= h1;
  h3 ^= h1;
  h4 ^= h1;
  return [h1 >>> 0, h2 >>> 0, h3 >>> 0, h4 >>> 0];
}

/**
 * A weighted choice built once from a table, then drawn in O(1) with Vose's alias method: one uniform draw picks a
 * column, and its fractional part decides between the column's item and its alias. Weights are relative (they need
 * not sum to 1 or 100); an item of weight 0 is never drawn.
 */
export class WeightedTable<T> {
  readonly items: readonly T[];
  private readonly threshold: Float64Array;
  private readonly alias: Int32Array;

  constructor(entries: Iterable<readonly [T, number]>) {
    const items: T[] = [];
    const weights: number[] = [];
    for (const [item, weight] of entries) {
      if (!Number.isFinite(weight) || weight < 0) throw new RangeError(`weight ${weight} must be finite and >= 0`);
      items.push(item);
      weights.push(weight);
    }
    const total = weights.reduce((sum, weight) => sum + weight, 0);
    if (items.length === 0 || total <= 0) throw new RangeError('a weighted table needs at least one positive weight');

    const n = items.length;
    this.items = items;
    this.threshold = new Float64Array(n);
    this.alias = new Int32Array(n);
    const scaled = weights.map((weight) => (weight * n) / total);
    const small: number[] = [];
    const large: number[] = [];
    scaled.forEach((value, index) => (value < 1 ? small : large).push(index));
    while (small.length > 0 && large.length > 0) {
      const low = small.pop()!;
      const high = large.pop()!;
      this.threshold[low] = scaled[low];
      this.alias[low] = high;
      scaled[high] = scaled[high] + scaled[low] - 1;
      (scaled[high] < 1 ? small : large).push(high);
    }
    // What is left is 1 up to rounding error: such a column always keeps its own item.
    for (const index of large) this.threshold[index] = 1;
    for (const index of small) this.threshold[index] = 1;
  }

  /** The index of a weighted draw into `items`. */
  pickIndex(rng: SeededRandom): number {
    const u = rng.next() * this.threshold.length;
    const column = Math.floor(u);
    return u - column < this.threshold[column] ? column : this.alias[column];
  }

  pick(rng: SeededRandom): T {
    return this.items[this.pickIndex(rng)];
  }
}
