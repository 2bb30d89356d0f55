import type { ServiceRules } from './dossier-verification.js';

/**
 * The labelled discrepancies of generated dossiers, and the verdict a correct verifier reaches on each: the one
 * vocabulary the generator writes (`label: {kind, expected}`) and GET /portal/v1/quality reads.
 */

/** Each kind puts exactly one discrepancy into an applicant as the registry holds them. */
export const DISCREPANCY_KINDS = [
  'missing_diacritics',
  'upper_case',
  'name_typo',
  'day_month_swapped',
  'stale_address',
  'wrong_id_digit',
  'nonexistent_id',
  'deceased_applicant',
  'missing_person',
  'minor_for_adult_service',
] as const;
export type DiscrepancyKind = (typeof DISCREPANCY_KINDS)[number];

/** `none`: a clean dossier, the applicant exactly as the registry holds them. */
export const LABEL_KINDS = ['none', ...DISCREPANCY_KINDS] as const;
export type LabelKind = (typeof LABEL_KINDS)[number];

/**
 * The verdict a label expects, as one string:
 * - `verified`: the status is `verified`;
 * - `verified:normalized`: `verified`, and the name check of `verification.fields.fullName` is `normalized`;
 * - `needs_review:field_mismatch:<field>`: `needs_review` for `field_mismatch`, and that field's check is `mismatch` or
 *   `partial` (`<field>` is `fullName`, `dateOfBirth`, `permanentAddress`, `currentAddress`, or `address` for either);
 * - `caught`: `rejected` for `citizen_not_found`, or `needs_review` for `field_mismatch`, `citizen_deceased` or
 *   `citizen_missing`: the dossier did not pass, for a reason about the citizen (a wrong ID digit finds nobody, or
 *   another citizen, whose record then disagrees or whose status stops the dossier);
 * - `<status>:<reason>`: that status for that reason (`rejected:citizen_not_found`, `needs_review:citizen_deceased`,
 *   `needs_review:citizen_missing`, `rejected:under_age`).
 */
export type ExpectedVerdict = string;

/** The verdict class of each kind (for a stale address the label names the field; the class takes either). */
export const KIND_VERDICTS: Record<LabelKind, ExpectedVerdict> = {
  none: 'verified',
  missing_diacritics: 'verified:normalized',
  upper_case: 'verified:normalized',
  name_typo: 'needs_review:field_mismatch:fullName',
  day_month_swapped: 'needs_review:field_mismatch:dateOfBirth',
  stale_address: 'needs_review:field_mismatch:address',
  wrong_id_digit: 'caught',
  nonexistent_id: 'rejected:citizen_not_found',
  deceased_applicant: 'needs_review:citizen_deceased',
  missing_person: 'needs_review:citizen_missing',
  minor_for_adult_service: 'rejected:under_age',
};

/** Kinds a correct verifier lets through (everything else it must catch). */
export const MUST_PASS: ReadonlySet<LabelKind> = new Set(['none', 'missing_diacritics', 'upper_case']);

export const ADDRESS_FIELDS = ['permanentAddress', 'currentAddress'] as const;
export type AddressField = (typeof ADDRESS_FIELDS)[number];

/** What the verifier can check for a service: mirrors planVerification (a verify, else a look-up of allowed fields). */
export interface ServiceChecks {
  code: string;
  rules: ServiceRules;
}

const verifies = (rules: ServiceRules) => rules.operations.has('verify') && rules.allowedFields.has('fullName') && rules.allowedFields.has('dateOfBirth');
const looksUp = (rules: ServiceRules, field: string) => rules.operations.has('lookup') && rules.allowedFields.has(field);

/** Whether the verifier compares anything for the service (planVerification makes a non-empty plan). */
export function isCheckable(rules: ServiceRules): boolean {
  return verifies(rules) || looksUp(rules, 'fullName') || looksUp(rules, 'dateOfBirth');
}

/** The address fields the verifier looks up and compares for the service (verify does not compare addresses). */
export function checkedAddressFields(rules: ServiceRules): AddressField[] {
  return ADDRESS_FIELDS.filter((field) => looksUp(rules, field));
}

/**
 * Whether a correct verifier can reach the kind's verdict for a dossier of this service. A name kind needs the name
 * compared; a swap, the birth date; a stale address, a look-up of that address (verify does not see addresses); a
 * deceased or missing citizen, their status (verify gives it on a match; a look-up only when the service may read
 * `citizenStatus`); a minor, a minimum age and a birth date the registry confirms.
 */
export function suits(kind: LabelKind, rules: ServiceRules, addressField?: AddressField): boolean {
  if (!isCheckable(rules)) return false;
  const name = verifies(rules) || looksUp(rules, 'fullName');
  const birthDate = verifies(rules) || looksUp(rules, 'dateOfBirth');
  switch (kind) {
    case 'none':
    case 'nonexistent_id':
      return true;
    case 'missing_diacritics':
    case 'upper_case':
    case 'name_typo':
    case 'wrong_id_digit':
      return name;
    case 'day_month_swapped':
      return birthDate;
    case 'stale_address':
      return addressField ? looksUp(rules, addressField) : checkedAddressFields(rules).length > 0;
    case 'deceased_applicant':
    case 'missing_person':
      return verifies(rules) || looksUp(rules, 'citizenStatus');
    case 'minor_for_adult_service':
      return rules.minimumAge !== null && birthDate;
  }
}

/**
 * SQL: whether a decided dossier reaches `verdict` (an SQL expression of an ExpectedVerdict). `row` prefixes the
 * dossier's columns `status`, `reason` and `fields` (its verification->'fields').
 */
export function verdictReachedSql(verdict: string, row = ''): string {
  const [status, reason, fields] = [`${row}status`, `${row}reason`, `${row}fields`];
  const mismatched = (field: string) => `(${fields}->>${field}) IN ('mismatch', 'partial')`;
  const fieldMismatch = `${status} = 'needs_review' AND ${reason} = 'field_mismatch'`;
  return `coalesce(CASE
    WHEN ${verdict} = 'verified' THEN ${status} = 'verified'
    WHEN ${verdict} = 'verified:normalized' THEN ${status} = 'verified' AND ${fields}->>'fullName' = 'normalized'
    WHEN ${verdict} = 'needs_review:field_mismatch:address' THEN ${fieldMismatch}
      AND coalesce(${mismatched(`'permanentAddress'`)} OR ${mismatched(`'currentAddress'`)}, false)
    WHEN ${verdict} LIKE 'needs_review:field_mismatch:%' THEN ${fieldMismatch} AND coalesce(${mismatched(`split_part(${verdict}, ':', 3)`)}, false)
    WHEN ${verdict} = 'caught' THEN (${status} = 'rejected' AND ${reason} = 'citizen_not_found')
      OR (${status} = 'needs_review' AND ${reason} IN ('field_mismatch', 'citizen_deceased', 'citizen_missing'))
    ELSE ${status} || ':' || coalesce(${reason}, '') = ${verdict}
  END, false)`;
}

/** Folds away Vietnamese diacritics (and đ/Đ → d/D) but keeps the case: "Nguyễn Văn Đạt" → "Nguyen Van Dat". */
export function withoutDiacritics(name: string): string {
  return name.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/đ/g, 'd').replace(/Đ/g, 'D').normalize('NFC');
}

/** Letters a typist's finger slips to (neighbours on a QWERTY keyboard), for the base letter that is there. */
const NEIGHBOURS: Record<string, string> = {
  a: 'sq', b: 'vn', c: 'xv', d: 'sf', e: 'wr', f: 'dg', g: 'fh', h: 'gj', i: 'uo', j: 'hk', k: 'jl', l: 'kp', m: 'nb',
  n: 'bm', o: 'ip', p: 'ol', q: 'wa', r: 'et', s: 'ad', t: 'ry', u: 'yi', v: 'cb', w: 'qe', x: 'zc', y: 'tu', z: 'xs',
};

/**
 * One letter of the name replaced by a keyboard neighbour of its base letter: the result differs from the name even
 * after folding case and diacritics, so a tolerant comparison cannot take it for the same name. `pick` chooses among
 * the candidate positions (and the neighbour); null when the name has no letter to change.
 */
export function withTypo(name: string, pick: (n: number) => number): string | null {
  const letters = [...name];
  const positions = letters.flatMap((letter, index) => (NEIGHBOURS[withoutDiacritics(letter).toLowerCase()] ? [index] : []));
  if (positions.length === 0) return null;
  const index = positions[pick(positions.length)];
  const base = withoutDiacritics(letters[index]);
  const options = NEIGHBOURS[base.toLowerCase()];
  const replacement = options[pick(options.length)];
  letters[index] = base === base.toUpperCase() ? replacement.toUpperCase() : replacement;
  return letters.join('');
}

/** The date with day and month swapped, when that is another valid date (day 1-12, not equal to the month). */
export function withDayAndMonthSwapped(isoDate: string): string | null {
  const [year, month, day] = isoDate.split('-');
  if (Number(day) > 12 || day === month) return null;
  return `${year}-${day}-${month}`;
}

/** The ID number with one digit of its random part (the last six) changed: still well-formed, no longer theirs. */
export function withWrongDigit(idNumber: string, position: number, step: number): string {
  const index = 6 + (position % 6);
  const digit = (Number(idNumber[index]) + 1 + (step % 9)) % 10;
  return idNumber.slice(0, index) + String(digit) + idNumber.slice(index + 1);
}
