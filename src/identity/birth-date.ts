/**
 * Dates of birth for the verify flow. The registry stores `YYYY-MM-DD`, or only `YYYY-MM` or `YYYY` on old records
 * (Law on Identification 2023, art. 9 item 4); callers send ISO dates or the chip card QR code's `DDMMYYYY`.
 */

/** A date that may lack its day, or its month and day, as old registry records do. */
export interface PartialDate {
  year: number;
  /** 1-12; absent for a year-only date. */
  month?: number;
  /** 1-31; absent unless `month` is set. */
  day?: number;
}

/** The outcome of parsing: the date and its canonical ISO text (`YYYY`, `YYYY-MM` or `YYYY-MM-DD`), or why not. */
export type ParsedDate = { ok: true; value: PartialDate; text: string } | { ok: false; message: string };

/** How a requested date of birth relates to the stored one. */
export type BirthDateMatch = 'exact' | 'partial' | 'mismatch';

const ISO_FORM = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/;
/** The chip-based ID card's QR code carries the date of birth as `DDMMYYYY`. */
const QR_FORM = /^(\d{2})(\d{2})(\d{4})$/;

const FORMATS_HINT = 'use YYYY-MM-DD, YYYY-MM, YYYY or DDMMYYYY';

/**
 * Parses a date of birth sent by a caller: `YYYY-MM-DD`, `YYYY-MM`, `YYYY`, or the chip card QR code's `DDMMYYYY`.
 * Surrounding white space is ignored (QR payloads are split on `|` and often keep it). Impossible dates (month 13,
 * 30 February, year 0000) are refused with a message naming the fault. Future dates are not refused here: they
 * simply match no record.
 */
export function parseRequestedDate(input: string): ParsedDate {
  const text = input.trim();
  const iso = ISO_FORM.exec(text);
  if (iso) return checked(Number(iso[1]), toNumber(iso[2]), toNumber(iso[3]));
  const qr = QR_FORM.exec(text);
  if (qr) return checked(Number(qr[3]), Number(qr[2]), Number(qr[1]));
  return { ok: false, message: `date of birth is not in a known format: ${FORMATS_HINT}` };
}

/**
 * Parses a date of birth as the registry stores it: `YYYY`, `YYYY-MM` or `YYYY-MM-DD` only, no white space and no QR
 * form. Use it to validate records before they are stored.
 */
export function parseStoredDate(text: string): ParsedDate {
  const iso = ISO_FORM.exec(text);
  if (!iso) return { ok: false, message: 'stored date of birth must be YYYY, YYYY-MM or YYYY-MM-DD' };
  return checked(Number(iso[1]), toNumber(iso[2]), toNumber(iso[3]));
}

/**
 * The plain validator for schemas elsewhere (request DTOs, job payloads): the reason `input` is not an acceptable
 * requested date of birth, or undefined when it is. Accepts what {@link parseRequestedDate} accepts.
 *
 * @example z.string().superRefine((s, ctx) => { const m = birthDateProblem(s); if (m) ctx.addIssue({ code: 'custom', message: m }); })
 */
export function birthDateProblem(input: string): string | undefined {
  const parsed = parseRequestedDate(input);
  return parsed.ok ? undefined : parsed.message;
}

/** Canonical ISO text of a partial date: `YYYY`, `YYYY-MM` or `YYYY-MM-DD`. */
export function formatPartialDate(date: PartialDate): string {
  let text = String(date.year).padStart(4, '0');
  if (date.month !== undefined) text += '-' + String(date.month).padStart(2, '0');
  if (date.month !== undefined && date.day !== undefined) text += '-' + String(date.day).padStart(2, '0');
  return text;
}

/**
 * Compares a requested date of birth with the stored one.
 *
 * - `exact`: same precision and equal.
 * - `partial`: the record holds only a year, or a month and year, and the request agrees on all the record holds
 *   while being more precise (a full date against a year-only record). The record cannot confirm the rest.
 * - `mismatch`: anything else, including a request LESS precise than the record ("1990" against "1990-05-01"). The
 *   query key of Decree 70/2024 is the full triple: a caller who cannot state the full date the registry holds has
 *   not proven it knows the citizen, and answering `partial` would let anyone confirm a birth year by guessing.
 *
 * @param requested a date from {@link parseRequestedDate}
 * @param storedText the record's `dateOfBirth`
 * @throws RangeError when `storedText` is not a valid stored date: a broken record is a data fault, not a mismatch
 */
export function compareBirthDates(requested: PartialDate, storedText: string): BirthDateMatch {
  const parsed = parseStoredDate(storedText);
  // The stored value stays out of the message: it is personal data and errors end up in logs.
  if (!parsed.ok) throw new RangeError(parsed.message);
  const stored = parsed.value;

  if (requested.year !== stored.year) return 'mismatch';
  if (stored.month === undefined) return requested.month === undefined ? 'exact' : 'partial';
  if (requested.month !== stored.month) return 'mismatch';
  if (stored.day === undefined) return requested.day === undefined ? 'exact' : 'partial';
  return requested.day === stored.day ? 'exact' : 'mismatch';
}

function checked(year: number, month: number | undefined, day: number | undefined): ParsedDate {
  if (year < 1) return { ok: false, message: `year ${String(year).padStart(4, '0')} does not exist` };
  if (month !== undefined && (month < 1 || month > 12)) {
    return { ok: false, message: `month ${month} is not between 1 and 12` };
  }
  if (month !== undefined && day !== undefined) {
    const last = daysInMonth(year, month);
    if (day < 1 || day > last) {
      return { ok: false, message: `day ${day} does not exist in ${formatPartialDate({ year, month })} (it has ${last} days)` };
    }
  }
  const value: PartialDate = { year };
  if (month !== undefined) value.month = month;
  if (day !== undefined) value.day = day;
  return { ok: true, value, text: formatPartialDate(value) };
}

/** Gregorian calendar, which Vietnamese civil records use. */
function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

function toNumber(digits: string | undefined): number | undefined {
  return digits === undefined ? undefined : Number(digits);
}
