import { ReferenceData } from '../reference/reference-data.js';

/** Sex as the registry stores it; the century/sex digit of an ID number encodes it (Circular 07/2016/TT-BCA). */
export type Sex = 'male' | 'female';

/** A rule of the 12-digit personal ID number `PPP G YY RRRRRR`; validation reports every rule a number breaks. */
export type IdNumberRule = 'length' | 'digits' | 'province_code' | 'century_sex_digit' | 'future_birth_year';

export interface IdNumberViolation {
  rule: IdNumberRule;
  message: string;
}

/** What a valid number says about its holder. There is no check digit, so nothing else can be read from it. */
export interface DecodedIdNumber {
  idNumber: string;
  provinceIdCode: string;
  /** The pre-2025 province where the birth was registered (the merger of July 2025 changed no number). */
  provinceName: string;
  /** The 2025 province that absorbed it. */
  provinceCode2025: string;
  sex: Sex;
  birthYear: number;
  /** The six random digits: no meaning, but personas use a reserved range of them (see PERSONA_RANDOM_FLOOR). */
  randomPart: string;
}

/** First century the digit scheme covers: G = 0/1 for the 1900s, 2/3 for the 2000s, 4/5 for the 2100s and so on. */
const FIRST_CENTURY_START = 1900;
/** The scheme defines digits up to 9 (2300s); 6-9 are far in the future and so fail the future-year rule anyway. */
const MAX_CENTURY_DIGIT = 9;
/**
 * Births are registered on the Vietnamese calendar day (UTC+7, no daylight saving since 1975). Reading the year in
 * UTC would reject a number issued for a baby born on 1 January between 00:00 and 07:00 local time.
 */
const VIETNAM_UTC_OFFSET_MS = 7 * 60 * 60 * 1000;

function currentYearInVietnam(today: Date): number {
  return new Date(today.getTime() + VIETNAM_UTC_OFFSET_MS).getUTCFullYear();
}

/**
 * Sandbox personas take their random part from 999900-999999 and the generator never does, so a test can tell a
 * persona's number from a generated one. Documented in the README.
 */
export const PERSONA_RANDOM_FLOOR = 999_900;

/** The century/sex digit G for a holder: `2 × (century index) + (female ? 1 : 0)`. */
export function centurySexDigit(sex: Sex, birthYear: number): number {
  const centuryIndex = Math.floor((birthYear - FIRST_CENTURY_START) / 100);
  if (!Number.isInteger(birthYear) || centuryIndex < 0 || centuryIndex > 4) {
    throw new RangeError(`birth year ${birthYear} is not a whole year in 1900-2399`);
  }
  return centuryIndex * 2 + (sex === 'female' ? 1 : 0);
}

/** Builds the number from its parts. The caller guarantees uniqueness; the random part is zero-padded to 6 digits. */
export function composeIdNumber(provinceIdCode: string, sex: Sex, birthYear: number, randomPart: number): string {
  // Without this guard a random part of 1,000,000 or more would silently yield a 13-digit number.
  if (!Number.isInteger(randomPart) || randomPart < 0 || randomPart > 999_999) {
    throw new RangeError(`random part ${randomPart} is outside 0-999999`);
  }
  const yy = String(birthYear % 100).padStart(2, '0');
  return provinceIdCode + String(centurySexDigit(sex, birthYear)) + yy + String(randomPart).padStart(6, '0');
}

/**
 * Checks a candidate against every rule and returns all that it breaks (an empty list means valid). `today` is
 * injectable so that the future-year rule can be tested with a fixed clock.
 */
export function validateIdNumber(candidate: string, today: Date = new Date()): IdNumberViolation[] {
  const violations: IdNumberViolation[] = [];
  if (candidate.length !== 12) {
    violations.push({ rule: 'length', message: `must have 12 digits, has ${candidate.length} characters` });
  }
  if (!/^\d*$/.test(candidate)) {
    violations.push({ rule: 'digits', message: 'must contain digits only' });
  }
  const provinceIdCode = candidate.slice(0, 3);
  if (!/^\d{3}$/.test(provinceIdCode) || !ReferenceData.get().idProvince(provinceIdCode)) {
    violations.push({
      rule: 'province_code',
      message: `first three digits "${provinceIdCode}" are not a province code of Circular 07/2016/TT-BCA`,
    });
  }
  const digit = candidate.charAt(3);
  const yy = candidate.slice(4, 6);
  if (!/^\d$/.test(digit) || Number(digit) > MAX_CENTURY_DIGIT) {
    violations.push({ rule: 'century_sex_digit', message: 'fourth digit must encode century and sex (0-9)' });
  } else if (/^\d{2}$/.test(yy)) {
    const birthYear = FIRST_CENTURY_START + Math.floor(Number(digit) / 2) * 100 + Number(yy);
    if (birthYear > currentYearInVietnam(today)) {
      violations.push({
        rule: 'future_birth_year',
        message: `century digit ${digit} and year digits ${yy} encode birth year ${birthYear}, which is in the future`,
      });
    }
  }
  return violations;
}

/** Decodes a number that passed validation; returns undefined for an invalid one. */
export function decodeIdNumber(idNumber: string, today: Date = new Date()): DecodedIdNumber | undefined {
  if (validateIdNumber(idNumber, today).length > 0) return undefined;
  const province = ReferenceData.get().idProvince(idNumber.slice(0, 3))!;
  const digit = Number(idNumber.charAt(3));
  return {
    idNumber,
    provinceIdCode: province.idCode,
    provinceName: province.nameBefore2025,
    provinceCode2025: province.provinceCode2025,
    sex: digit % 2 === 0 ? 'male' : 'female',
    birthYear: FIRST_CENTURY_START + Math.floor(digit / 2) * 100 + Number(idNumber.slice(4, 6)),
    randomPart: idNumber.slice(6),
  };
}

/** True when the number agrees with the holder's stored sex and birth year (the registry's consistency rule). */
export function idNumberAgreesWith(idNumber: string, sex: Sex, birthYear: number): boolean {
  const decoded = decodeIdNumber(idNumber);
  return decoded !== undefined && decoded.sex === sex && decoded.birthYear === birthYear;
}

/** Masks a number for logs: keeps the province prefix and the last two digits (`001*******42`). */
export function maskIdNumber(idNumber: string): string {
  if (idNumber.length <= 5) return '*'.repeat(idNumber.length);
  return idNumber.slice(0, 3) + '*'.repeat(idNumber.length - 5) + idNumber.slice(-2);
}
