import { describe, expect, it } from '@jest/globals';
import { sourcesOf, vietnamDayStart } from './rollup.repository.js';

const HOUR = 3_600_000;
const DAY = vietnamDayStart('2026-11-20');
const hours = (from: number, count: number) => new Set(Array.from({ length: count }, (_, i) => from + i * HOUR));
const range = (from: number, to: number) => ({ from: new Date(from), to: new Date(to) });

describe('sourcesOf: where each hour of a period is read from', () => {
  it('reads whole Vietnamese days rolled up from the daily rollups, the hours around them from the hourly ones, the open hours from the journal', () => {
    // 05:30 the day before to 10:20 two days later (Vietnam time); everything rolled up to 09:00 of the last day.
    const from = DAY - 24 * HOUR + 5 * HOUR + 30 * 60_000;
    const to = DAY + 24 * HOUR + 10 * HOUR + 20 * 60_000;
    const rolled = hours(DAY - 24 * HOUR, 24 + 24 + 9);
    expect(sourcesOf(from, to, rolled)).toEqual({
      hourly: [range(DAY - 24 * HOUR + 5 * HOUR, DAY), range(DAY + 24 * HOUR, DAY + 24 * HOUR + 9 * HOUR)],
      daily: [{ from: '2026-11-20', to: '2026-11-21' }],
      journal: [range(DAY + 24 * HOUR + 9 * HOUR, DAY + 24 * HOUR + 11 * HOUR)],
    });
  });

  it('reads an hour the job skipped from the journal, and then the hourly rollups of its day instead of the daily one', () => {
    const rolled = hours(DAY, 24);
    rolled.delete(DAY + 7 * HOUR);
    expect(sourcesOf(DAY, DAY + 24 * HOUR, rolled)).toEqual({
      hourly: [range(DAY, DAY + 7 * HOUR), range(DAY + 8 * HOUR, DAY + 24 * HOUR)],
      daily: [],
      journal: [range(DAY + 7 * HOUR, DAY + 8 * HOUR)],
    });
  });

  it('reads hours only, never days, when the daily rollups are not wanted (an hourly series)', () => {
    expect(sourcesOf(DAY, DAY + 48 * HOUR, hours(DAY, 48), { daily: false })).toEqual({ hourly: [range(DAY, DAY + 48 * HOUR)], daily: [], journal: [] });
  });

  it('reads everything from the journal before the first rollup', () => {
    expect(sourcesOf(DAY, DAY + 3 * HOUR, new Set())).toEqual({ hourly: [], daily: [], journal: [range(DAY, DAY + 3 * HOUR)] });
  });
});
