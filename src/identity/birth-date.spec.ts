import { describe, expect, it } from '@jest/globals';
import {
  birthDateProblem,
  compareBirthDates,
  formatPartialDate,
  parseRequestedDate,
  parseStoredDate,
  type PartialDate,
} from './birth-date.js';

function requested(input: string): PartialDate {
  const parsed = parseRequestedDate(input);
  if (!parsed.ok) throw new Error(`test input ${input} should parse: ${parsed.message}`);
  return parsed.value;
}

describe('parseRequestedDate', () => {
  it.each([
    ['1990-05-01', { year: 1990, month: 5, day: 1 }, '1990-05-01'],
    ['1990-05', { year: 1990, month: 5 }, '1990-05'],
    ['1990', { year: 1990 }, '1990'],
    ['01051990', { year: 1990, month: 5, day: 1 }, '1990-05-01'],
    [' 29022000 ', { year: 2000, month: 2, day: 29 }, '2000-02-29'],
  ])('reads %j', (input, value, text) => {
    expect(parseRequestedDate(input)).toEqual({ ok: true, value, text });
  });

  it('leaves month and day out of the value rather than setting them to undefined', () => {
    expect(Object.keys(requested('1990'))).toEqual(['year']);
  });

  it.each([
    ['2023-02-30', 'day 30 does not exist in 2023-02'],
    ['30022023', 'day 30 does not exist in 2023-02'],
    ['2023-02-29', 'day 29 does not exist in 2023-02 (it has 28 days)'],
    ['1900-02-29', 'day 29 does not exist in 1900-02'],
    ['2023-04-31', 'day 31 does not exist in 2023-04'],
    ['2023-01-00', 'day 0 does not exist'],
    ['2023-13', 'month 13 is not between 1 and 12'],
    ['2023-13-01', 'month 13'],
    ['01132023', 'month 13'],
    ['2023-00', 'month 0'],
    ['0000', 'year 0000 does not exist'],
  ])('refuses the impossible date %s', (input, message) => {
    const parsed = parseRequestedDate(input);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.message).toContain(message);
  });

  it.each(['', '1990-5-1', '1990/05/01', '01-05-1990', '199005', '19900501x', '90', 'abcd', '1990-05-01T00:00:00Z'])(
    'refuses %j as an unknown format and lists the accepted ones',
    (input) => {
      expect(parseRequestedDate(input)).toEqual({
        ok: false,
        message: 'date of birth is not in a known format: use YYYY-MM-DD, YYYY-MM, YYYY or DDMMYYYY',
      });
    },
  );
});

describe('parseStoredDate', () => {
  it('accepts the three stored precisions and nothing else', () => {
    expect(parseStoredDate('1990-05').ok).toBe(true);
    expect(parseStoredDate('01051990').ok).toBe(false);
    expect(parseStoredDate(' 1990').ok).toBe(false);
    expect(parseStoredDate('1990-02-30').ok).toBe(false);
  });
});

describe('birthDateProblem', () => {
  it('returns undefined for a valid date and the message otherwise', () => {
    expect(birthDateProblem('01051990')).toBeUndefined();
    expect(birthDateProblem('2023-02-30')).toContain('day 30');
  });
});

describe('formatPartialDate', () => {
  it('pads every part', () => {
    expect(formatPartialDate({ year: 987, month: 3, day: 4 })).toBe('0987-03-04');
  });
});

describe('compareBirthDates', () => {
  it.each([
    // same precision
    ['1990-05-01', '1990-05-01', 'exact'],
    ['01051990', '1990-05-01', 'exact'],
    ['1990-05', '1990-05', 'exact'],
    ['1990', '1990', 'exact'],
    ['1990-05-02', '1990-05-01', 'mismatch'],
    ['1990-06', '1990-05', 'mismatch'],
    ['1991', '1990', 'mismatch'],
    // the record is less precise than the request: partial when it agrees
    ['1990-05-01', '1990-05', 'partial'],
    ['1990-05-01', '1990', 'partial'],
    ['1990-05', '1990', 'partial'],
    ['1990-06-01', '1990-05', 'mismatch'],
    ['1991-05-01', '1990', 'mismatch'],
    // the request is less precise than the record: the caller has not proven the full date
    ['1990', '1990-05-01', 'mismatch'],
    ['1990-05', '1990-05-01', 'mismatch'],
    ['1990', '1990-05', 'mismatch'],
  ])('request %s against record %s is %s', (request, stored, expected) => {
    expect(compareBirthDates(requested(request), stored)).toBe(expected);
  });

  it('throws on a broken stored date without echoing it', () => {
    expect(() => compareBirthDates({ year: 1990 }, '1990-13')).toThrow(RangeError);
    expect(() => compareBirthDates({ year: 1990 }, '01.05.1990')).toThrow(/^(?!.*01\.05).*$/);
  });
});
