import { describe, expect, it } from '@jest/globals';
import { addHistograms, bucketIn, quantileOf } from './histogram.js';

const BOUNDS = [1, 2, 5, 10] as const;

/** The histogram of some values in BOUNDS. */
const histogramOf = (values: number[]) => values.reduce((histogram, value) => ((histogram[bucketIn(BOUNDS, value)] += 1), histogram), [0, 0, 0, 0, 0]);

describe('fixed-bucket histograms', () => {
  it('puts a value on a bound in that bound\'s bucket, and one past the last in the bucket above', () => {
    expect([0.5, 1, 1.01, 2, 5, 10, 10.5].map((value) => bucketIn(BOUNDS, value))).toEqual([0, 0, 1, 1, 2, 3, 4]);
  });

  it('interpolates within the bucket holding the rank, narrowed by the smallest and largest value seen', () => {
    // Four values in (2, 5]: without their range the median is read halfway into the bucket.
    expect(quantileOf(BOUNDS, histogramOf([3, 3.5, 4, 4.5]), 0.5, 5)).toBe(3.5);
    expect(quantileOf(BOUNDS, histogramOf([3, 3.5, 4, 4.5]), 0.5, 4.5, 3)).toBe(3.75);
    // Values all alike: every quantile is that value.
    expect(quantileOf(BOUNDS, histogramOf([4, 4]), 0.5, 4, 4)).toBe(4);
    expect(quantileOf(BOUNDS, histogramOf([4, 4]), 0.95, 4, 4)).toBe(4);
    // The bucket above the last bound is closed by the largest value.
    expect(quantileOf(BOUNDS, histogramOf([20, 30]), 1, 30, 20)).toBe(30);
    expect(quantileOf(BOUNDS, [0, 0, 0, 0, 0], 0.5, 0)).toBeNull();
  });

  it('adds histograms bucket by bucket', () => {
    expect(addHistograms([1, 0, 2], [0, 3, 1])).toEqual([1, 3, 3]);
  });
});
