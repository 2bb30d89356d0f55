import { describe, expect, it } from '@jest/globals';
import { finishedPerMinute, windowStart } from './queue-throughput.js';

const at = (time: string) => Date.parse(`2026-12-01T${time}Z`);
const metrics = (meta: { count: number; prevTS: number; prevCount: number }, data: number[]) => ({ meta, data, count: data.length });

describe('finishedPerMinute', () => {
  it('is all zeros when no worker ever recorded a job', () => {
    expect(finishedPerMinute(metrics({ count: 0, prevTS: 0, prevCount: 0 }, []), at('09:14:30'), 5)).toEqual([0, 0, 0, 0, 0]);
  });

  it("puts the pushed points before prevTS's minute and the unpushed count in that minute", () => {
    // Last push at 09:12:10 (its job counted in 09:12); 7 jobs since then, all in 09:12; 4 in 09:11, 2 in 09:10.
    const m = metrics({ count: 20, prevTS: at('09:12:10'), prevCount: 13 }, [4, 2, 9]);
    expect(finishedPerMinute(m, at('09:14:30'), 5)).toEqual([2, 4, 7, 0, 0]);
  });

  it('counts the first job ever in its own minute', () => {
    expect(finishedPerMinute(metrics({ count: 1, prevTS: at('09:14:02'), prevCount: 0 }, []), at('09:14:30'), 3)).toEqual([0, 0, 1]);
  });

  it('drops what is older than the window', () => {
    const m = metrics({ count: 50, prevTS: at('08:00:00'), prevCount: 40 }, [5, 5]);
    expect(finishedPerMinute(m, at('09:14:30'), 15)).toEqual(Array(15).fill(0));
  });
});

describe('windowStart', () => {
  it('is the start of the first of the minutes', () => {
    expect(windowStart(at('09:14:30'), 15).toISOString()).toBe('2026-12-01T09:00:00.000Z');
  });
});
