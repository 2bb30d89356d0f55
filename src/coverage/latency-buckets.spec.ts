import { describe, expect, it } from '@jest/globals';
import { bucketOf, emptyHistogram, LATENCY_BUCKET_BOUNDS_MS, LATENCY_BUCKET_COUNT, percentileOf } from './latency-buckets.js';

describe('latency buckets', () => {
  it('put a latency in the first bucket whose bound it does not pass, and above the last bound in the last one', () => {
    expect(bucketOf(0)).toBe(0);
    expect(bucketOf(1)).toBe(0);
    expect(bucketOf(1.001)).toBe(1);
    expect(bucketOf(100)).toBe(LATENCY_BUCKET_BOUNDS_MS.indexOf(100));
    expect(bucketOf(60_000)).toBe(LATENCY_BUCKET_BOUNDS_MS.length - 1);
    expect(bucketOf(60_001)).toBe(LATENCY_BUCKET_COUNT - 1);
  });

  it('read a percentile within the bucket holding its rank, never outside that bucket', () => {
    const histogram = emptyHistogram();
    histogram[bucketOf(15)] = 50; // (10, 20]
    histogram[bucketOf(150)] = 50; // (100, 200]
    expect(percentileOf(histogram, 0.5, 190)).toBe(20);
    const p95 = percentileOf(histogram, 0.95, 190)!;
    expect(p95).toBeGreaterThan(100);
    expect(p95).toBeLessThanOrEqual(190);
    expect(percentileOf(emptyHistogram(), 0.5, 0)).toBeNull();
  });

  it('close the bucket above the last bound with the largest latency seen', () => {
    const histogram = emptyHistogram();
    histogram[LATENCY_BUCKET_COUNT - 1] = 1;
    expect(percentileOf(histogram, 0.99, 75_000)).toBeGreaterThan(60_000);
    expect(percentileOf(histogram, 1, 75_000)).toBe(75_000);
  });
});
