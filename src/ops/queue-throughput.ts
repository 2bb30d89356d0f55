import type { Metrics } from 'bullmq';

const MINUTE_MS = 60_000;

/**
 * Jobs finished per minute for the `minutes` minutes up to `nowMs` (oldest first; the last is the current minute so
 * far), from what BullMQ's metrics keep. BullMQ's workers push a minute's count only when a job finishes in a later
 * minute (its collectMetrics script): the newest point, `data[0]`, is the minute before `meta.prevTS`'s, and the
 * jobs of `prevTS`'s own minute are `meta.count - meta.prevCount`, not yet pushed. Minutes after that had no job.
 */
export function finishedPerMinute(metrics: Metrics, nowMs: number, minutes: number): number[] {
  const current = Math.floor(nowMs / MINUTE_MS);
  const { count, prevTS, prevCount } = metrics.meta;
  if (!prevTS) return Array<number>(minutes).fill(0);
  const lastPushed = Math.floor(prevTS / MINUTE_MS);
  return Array.from({ length: minutes }, (_, index) => {
    const minute = current - (minutes - 1) + index;
    if (minute > lastPushed) return 0;
    if (minute === lastPushed) return Math.max(0, count - prevCount);
    return metrics.data[lastPushed - 1 - minute] ?? 0;
  });
}

/** The start of the first minute finishedPerMinute reports. */
export function windowStart(nowMs: number, minutes: number): Date {
  return new Date((Math.floor(nowMs / MINUTE_MS) - (minutes - 1)) * MINUTE_MS);
}
