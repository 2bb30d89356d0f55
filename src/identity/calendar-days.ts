/**
 * Dates as whole days since 1970-01-01 (UTC), so that the generator's hot loop works with integers instead of Date
 * objects. Conversions use Howard Hinnant's civil-calendar algorithms (proleptic Gregorian) and a table precomputed
 * once for 1880-2200; ISO strings are built on first use and cached.
 */

/** Days since 1970-01-01 of a calendar date; a day past the month's end rolls over (29 Feb 2027 → 1 Mar 2027). */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

const FIRST_DAY = daysFromCivil(1880, 1, 1);
const LAST_DAY = daysFromCivil(2200, 12, 31);
/** year × 10000 + month × 100 + day, per day of the covered range. */
const PACKED = new Int32Array(LAST_DAY - FIRST_DAY + 1);
const ISO = new Array<string>(PACKED.length).fill('');
const TWO_DIGITS = Array.from({ length: 32 }, (_, n) => String(n).padStart(2, '0'));

{
  let year = 1880;
  let month = 1;
  let day = 1;
  for (let i = 0; i < PACKED.length; i++) {
    PACKED[i] = year * 10_000 + month * 100 + day;
    day++;
    if (day > daysInMonth(year, month)) {
      day = 1;
      month++;
      if (month > 12) {
        month = 1;
        year++;
      }
    }
  }
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

function index(day: number): number {
  const i = day - FIRST_DAY;
  if (i < 0 || i >= PACKED.length) throw new RangeError(`day ${day} is outside 1880-2200`);
  return i;
}

/** year × 10000 + month × 100 + day. */
export function packedDate(day: number): number {
  return PACKED[index(day)];
}

export function yearOf(day: number): number {
  return Math.floor(PACKED[index(day)] / 10_000);
}

/** `YYYY-MM-DD`. */
export function isoDate(day: number): string {
  const i = index(day);
  let text = ISO[i];
  if (text === '') {
    const packed = PACKED[i];
    text = String(Math.floor(packed / 10_000)) + '-' + TWO_DIGITS[Math.floor(packed / 100) % 100] + '-' + TWO_DIGITS[packed % 100];
    ISO[i] = text;
  }
  return text;
}

/** `YYYY-MM`. */
export function isoMonth(day: number): string {
  return isoDate(day).slice(0, 7);
}

/** The day of a `YYYY-MM-DD` string (no validation beyond the shape: for fixed literals and the reference date). */
export function dayOfIso(text: string): number {
  return daysFromCivil(Number(text.slice(0, 4)), Number(text.slice(5, 7)), Number(text.slice(8, 10)));
}

/** The UTC calendar day of a Date. */
export function dayOfDate(date: Date): number {
  return Math.floor(date.getTime() / 86_400_000);
}

/** Whole years from `birthDay` to `day` (the birthday counts from its own date). */
export function ageOn(birthDay: number, day: number): number {
  const birth = PACKED[index(birthDay)];
  const then = PACKED[index(day)];
  return Math.floor(then / 10_000) - Math.floor(birth / 10_000) - (then % 10_000 < birth % 10_000 ? 1 : 0);
}

/** The day on which someone born on `birthDay` turns `years` (29 February birthdays fall on 1 March). */
export function anniversary(birthDay: number, years: number): number {
  const packed = PACKED[index(birthDay)];
  return daysFromCivil(Math.floor(packed / 10_000) + years, Math.floor(packed / 100) % 100, packed % 100);
}

/** Mean length of a Gregorian year, in days. */
const DAYS_PER_YEAR = 365.2425;

/** `n` years as whole days at the mean year length, with no calendar: for age bounds, not for birthdays. */
export function yearsInDays(n: number): number {
  return Math.floor(n * DAYS_PER_YEAR);
}
