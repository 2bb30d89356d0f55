import { isIPv4, isIPv6 } from 'node:net';
import { Inject, Injectable } from '@nestjs/common';
import { RateLimitedError } from '../common/domain-error.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';

/** The problem code of a registry call refused by its address's limit: journaled, never audited (see AccessGate). */
export const ADDRESS_RATE_LIMITED = 'address_rate_limited';

const SECONDS_PER_HOUR = 3_600;

/** Addresses tracked before the idle ones are forgotten: about 10 MB of buckets. */
const MAX_TRACKED_ADDRESSES = 100_000;

/**
 * Token buckets by key, in memory: each holds up to `burst` tokens and refills continuously at `perSecond`; a take
 * spends one. A full bucket is the same as no bucket, so when more than `maxKeys` keys are held the full ones are
 * dropped; if that does not free half the room (a flood from that many keys at once), every bucket is dropped, so
 * that the cost stays constant per take and the memory bounded.
 */
export class TokenBuckets {
  private readonly buckets = new Map<string, { tokens: number; updatedAt: number }>();

  constructor(
    readonly perSecond: number,
    readonly burst: number,
    private readonly maxKeys = MAX_TRACKED_ADDRESSES,
  ) {}

  get size(): number {
    return this.buckets.size;
  }

  /** Spends one token of `key`'s bucket: 0 when there was one, else the whole seconds until there is. */
  take(key: string, now: number): number {
    let bucket = this.buckets.get(key);
    if (!bucket) {
      if (this.buckets.size >= this.maxKeys) this.forgetIdle(now);
      bucket = { tokens: this.burst, updatedAt: now };
      this.buckets.set(key, bucket);
    }
    bucket.tokens = Math.min(this.burst, bucket.tokens + (Math.max(0, now - bucket.updatedAt) / 1000) * this.perSecond);
    bucket.updatedAt = now;
    if (bucket.tokens < 1) return Math.max(1, Math.ceil((1 - bucket.tokens) / this.perSecond));
    bucket.tokens -= 1;
    return 0;
  }

  private forgetIdle(now: number): void {
    for (const [key, bucket] of this.buckets) {
      if (bucket.tokens + ((now - bucket.updatedAt) / 1000) * this.perSecond >= this.burst) this.buckets.delete(key);
    }
    if (this.buckets.size > this.maxKeys / 2) this.buckets.clear();
  }
}

/**
 * The key an address is limited under: an IPv4 address itself (an IPv4-mapped IPv6 one as IPv4, as a dual-stack
 * listener reports it), an IPv6 address by its /64, the smallest block a host or a customer is given (RFC 6177), so
 * that cycling through the addresses of one's own /64 gains nothing.
 */
export function addressKey(address: string): string {
  if (isIPv4(address)) return address;
  const groups = ipv6Groups(address);
  if (!groups) return address;
  if (groups.slice(0, 5).every((group) => group === 0) && groups[5] === 0xffff) {
    return [groups[6] >> 8, groups[6] & 0xff, groups[7] >> 8, groups[7] & 0xff].join('.');
  }
  return `${groups.slice(0, 4).map((group) => group.toString(16)).join(':')}::/64`;
}

/** The eight 16-bit groups of an IPv6 address (`::` expanded, a trailing dotted IPv4 read as two groups, no zone). */
function ipv6Groups(address: string): number[] | null {
  const bare = address.split('%')[0];
  if (!isIPv6(bare)) return null;
  const toGroups = (part: string): number[] =>
    part === ''
      ? []
      : part.split(':').flatMap((group) => {
          if (!group.includes('.')) return [parseInt(group, 16)];
          const [a, b, c, d] = group.split('.').map(Number);
          return [(a << 8) | b, (c << 8) | d];
        });
  const [head, tail] = bare.split('::');
  const front = toGroups(head);
  const back = tail === undefined ? [] : toGroups(tail);
  return [...front, ...Array<number>(8 - front.length - back.length).fill(0), ...back];
}

/**
 * Limits per client address, per API process (like the per-consumer rate limit: with N processes an address can
 * reach N times its limit, still a bound): registry calls, counted before their key is looked up, and self-service
 * developer registrations, which need no key at all. Kept in memory rather than in Redis because every registry
 * call passes here before its key is looked up: a Redis round trip per call would cost the gateway's throughput
 * (the daily quota avoids it for the same reason), and a flood is exactly when Redis should not be asked more.
 */
@Injectable()
export class AddressLimits {
  private readonly calls: TokenBuckets;
  /** A full hour's worth at once, then one every hour / perHourPerAddress. */
  private readonly registrations: TokenBuckets;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.calls = new TokenBuckets(config.access.addressLimit.perSecond, config.access.addressLimit.burst);
    const perHour = config.sandbox.selfService.perHourPerAddress;
    this.registrations = new TokenBuckets(perHour / SECONDS_PER_HOUR, perHour);
  }

  /** Counts one attempt to register a developer from `address`; throws 429 `self_service_rate_limited` over the limit. */
  takeRegistration(address: string, now = Date.now()): void {
    const wait = this.registrations.take(addressKey(address), now);
    if (wait > 0) {
      throw new RateLimitedError('self_service_rate_limited', `This client address may register ${this.registrations.burst} developers an hour.`, wait);
    }
  }

  /** Counts one registry call from `address`; throws 429 `address_rate_limited` when the address is over its limit. */
  takeCall(address: string, now = Date.now()): void {
    const wait = this.calls.take(addressKey(address), now);
    if (wait > 0) {
      throw new RateLimitedError(
        ADDRESS_RATE_LIMITED,
        `This client address may make ${this.calls.perSecond} registry calls per second (bursts of ${this.calls.burst}), whatever key they carry.`,
        wait,
      );
    }
  }
}
