import { describe, expect, it } from '@jest/globals';
import type { AppConfig } from '../config/app-config.js';
import { AddressLimits, addressKey, TokenBuckets } from './address-limits.service.js';

/** The problem code and Retry-After a take refuses with, or null when it passes. */
function refusal(take: () => void): { code: string; retryAfterSeconds: number } | null {
  try {
    take();
    return null;
  } catch (error) {
    const { code, retryAfterSeconds } = error as { code: string; retryAfterSeconds: number };
    return { code, retryAfterSeconds };
  }
}

describe('TokenBuckets', () => {
  const t0 = 1_000_000;

  it('lets a full burst through, refuses the next take with the seconds until a token is back, and refills at the rate', () => {
    const buckets = new TokenBuckets(2, 4);
    expect([0, 1, 2, 3].map(() => buckets.take('a', t0))).toEqual([0, 0, 0, 0]);
    expect(buckets.take('a', t0)).toBe(1);
    // Half a second at 2 per second: one token back.
    expect(buckets.take('a', t0 + 500)).toBe(0);
    expect(buckets.take('a', t0 + 500)).toBe(1);
    // Never more than the burst, however long the key was idle.
    expect(Array.from({ length: 6 }, () => buckets.take('a', t0 + 3_600_000))).toEqual([0, 0, 0, 0, 1, 1]);
  });

  it('keeps one bucket per key', () => {
    const buckets = new TokenBuckets(1, 1);
    expect(buckets.take('a', t0)).toBe(0);
    expect(buckets.take('a', t0)).toBe(1);
    expect(buckets.take('b', t0)).toBe(0);
  });

  it('rounds a wait up to whole seconds: 10 an hour is one every 360 s', () => {
    const buckets = new TokenBuckets(10 / 3600, 10);
    for (let take = 0; take < 10; take += 1) expect(buckets.take('a', t0)).toBe(0);
    expect(buckets.take('a', t0)).toBe(360);
    expect(buckets.take('a', t0 + 359_000)).toBe(1);
    expect(buckets.take('a', t0 + 360_000)).toBe(0);
  });

  it('stays bounded: past its size it forgets the keys whose buckets have refilled, which is the same as none', () => {
    const buckets = new TokenBuckets(1, 2, 4);
    buckets.take('busy', t0);
    buckets.take('busy', t0);
    for (const key of ['a', 'b', 'c']) buckets.take(key, t0);
    // Two seconds on, every bucket but a fresh one is full again; 'busy' was emptied again just before.
    buckets.take('busy', t0 + 2_000);
    buckets.take('busy', t0 + 2_000);
    buckets.take('d', t0 + 2_000);
    expect(buckets.size).toBeLessThanOrEqual(4);
    expect(buckets.take('busy', t0 + 2_000)).toBe(1);
  });
});

describe('addressKey', () => {
  it('keeps an IPv4 address, and reads an IPv4-mapped IPv6 one as IPv4', () => {
    expect(addressKey('203.0.113.7')).toBe('203.0.113.7');
    expect(addressKey('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(addressKey('::FFFF:cb00:7107')).toBe('203.0.113.7');
  });

  it('groups an IPv6 address by its /64, the block one host or customer holds, however it is written', () => {
    expect(addressKey('2001:db8:1:2::1')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:0DB8:0001:0002:ffff:1:2:3')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(addressKey('::1')).toBe('0:0:0:0::/64');
    expect(addressKey('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
  });

  it('leaves anything else as it is', () => {
    expect(addressKey('not an address')).toBe('not an address');
  });
});

describe('AddressLimits', () => {
  const limits = () =>
    new AddressLimits({ access: { addressLimit: { perSecond: 1, burst: 2 } }, sandbox: { selfService: { enabled: true, perHourPerAddress: 2 } } } as unknown as AppConfig);

  it('refuses a registry call over the address\'s limit with 429 address_rate_limited, per address', () => {
    const subject = limits();
    expect(refusal(() => subject.takeCall('192.0.2.1', 0))).toBeNull();
    expect(refusal(() => subject.takeCall('::ffff:192.0.2.1', 0))).toBeNull();
    expect(refusal(() => subject.takeCall('192.0.2.1', 0))).toEqual({ code: 'address_rate_limited', retryAfterSeconds: 1 });
    expect(refusal(() => subject.takeCall('192.0.2.2', 0))).toBeNull();
  });

  it('counts every address of one IPv6 /64 as one', () => {
    const subject = limits();
    expect(refusal(() => subject.takeCall('2001:db8:1:2::1', 0))).toBeNull();
    expect(refusal(() => subject.takeCall('2001:db8:1:2::2', 0))).toBeNull();
    expect(refusal(() => subject.takeCall('2001:db8:1:2:aaaa::3', 0))?.code).toBe('address_rate_limited');
    expect(refusal(() => subject.takeCall('2001:db8:1:3::1', 0))).toBeNull();
  });

  it('allows so many developer registrations an hour per address, then 429 self_service_rate_limited until one is back', () => {
    const subject = limits();
    expect(refusal(() => subject.takeRegistration('192.0.2.1', 0))).toBeNull();
    expect(refusal(() => subject.takeRegistration('192.0.2.1', 0))).toBeNull();
    expect(refusal(() => subject.takeRegistration('192.0.2.1', 0))).toEqual({ code: 'self_service_rate_limited', retryAfterSeconds: 1_800 });
    expect(refusal(() => subject.takeRegistration('192.0.2.1', 1_800_000))).toBeNull();
    expect(refusal(() => subject.takeRegistration('192.0.2.2', 0))).toBeNull();
    // The two limits are apart: registrations spend nothing of the calls' bucket.
    expect(refusal(() => subject.takeCall('192.0.2.1', 0))).toBeNull();
  });
});
