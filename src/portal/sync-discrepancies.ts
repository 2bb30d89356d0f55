import { compareNames } from '../identity/name-folding.js';
import type { VerifyResult } from '../registry/registry.dto.js';

/**
 * How a sync run compares one portal record with the registry: pure functions, so that the rules can be read (and
 * tested) apart from the batch job that makes the calls.
 *
 * What each record costs: one item of the batch's verify-batch call (name, birth date, and sex when the service may
 * read it), plus one look-up when the record holds fields verify cannot see (addresses, marital status: a stale
 * address or marital status verifies as a match) and the service's allow-list lets it read them, or when verify found
 * a difference whose registry value the service may read (the correction's value, and the citizen's status, which
 * verify gives on a match only). A field the allow-list leaves out is neither compared nor reported: the portal
 * may not know the registry's value, and a report must not guess it.
 */

/** A kind of discrepancy: one per field, plus a record the registry does not know and a record held twice. */
export const DISCREPANCY_KINDS = [
  'not_found',
  'full_name',
  'full_name_normalized',
  'date_of_birth',
  'sex',
  'deceased',
  'citizen_status',
  'permanent_address',
  'current_address',
  'marital_status',
  'duplicate',
] as const;
export type DiscrepancyKind = (typeof DISCREPANCY_KINDS)[number];

/** One discrepancy of one record: the field, the portal's value and the registry's (null when there is none to give). */
export interface Discrepancy {
  kind: DiscrepancyKind;
  field: string | null;
  portalValue: unknown;
  registryValue: unknown;
}

/** A portal record as a batch reads it (`portal_records`). */
export interface PortalRecordRow {
  recordId: string;
  idNumber: string;
  fullName: string;
  dateOfBirth: string;
  sex: 'male' | 'female';
  permanentAddress: Record<string, unknown>;
  currentAddress: Record<string, unknown>;
  maritalStatus: string;
  status: 'alive' | 'deceased';
  statusDate: string | null;
  /** Another record of the same service, with a lower id, holds the same ID number. */
  duplicate: boolean;
  /** The record's version as the batch read it (`updated_at`, as text to keep its microseconds). */
  updatedAt: string;
}

/** The fields verify cannot compare, which a look-up reads when the allow-list permits. */
const UNSEEN_BY_VERIFY = ['permanentAddress', 'currentAddress', 'maritalStatus'] as const;

/** Whether the service can verify at all: the connector enables verify-batch and the allow-list holds what it compares. */
export function canVerify(allowedFields: ReadonlySet<string>, operations: ReadonlySet<string>): boolean {
  return operations.has('verify_batch_item') && allowedFields.has('fullName') && allowedFields.has('dateOfBirth');
}

/** The verify-batch item of a record: sex only when the service may read it. */
export function verifyItemOf(record: PortalRecordRow, allowedFields: ReadonlySet<string>) {
  return { idNumber: record.idNumber, fullName: record.fullName, dateOfBirth: record.dateOfBirth, ...(allowedFields.has('sex') ? { sex: record.sex } : {}) };
}

/**
 * The fields to look up for a record after its verify (null: the service could not verify, so the look-up compares
 * the identity fields too); empty when verify said everything the service may know.
 */
export function lookupFieldsOf(verify: VerifyResult | null, allowedFields: ReadonlySet<string>, canLookUp: boolean): string[] {
  if (!canLookUp || verify?.verdict === 'not_found') return [];
  const may = (field: string) => allowedFields.has(field);
  const fields: string[] = UNSEEN_BY_VERIFY.filter(may);
  if (verify === null) {
    fields.push(...['fullName', 'dateOfBirth', 'sex', 'citizenStatus', 'statusDate'].filter(may));
    return fields;
  }
  const { checks } = verify;
  if (checks.fullName !== 'exact' && may('fullName')) fields.push('fullName');
  if (checks.dateOfBirth === 'mismatch' && may('dateOfBirth')) fields.push('dateOfBirth');
  if (checks.sex === 'mismatch' && may('sex')) fields.push('sex');
  // Verify gives the citizen's status on a match only; after a mismatch the look-up reads it when allowed.
  if (verify.verdict !== 'match' || verify.citizenStatus === 'deceased') fields.push(...['citizenStatus', 'statusDate'].filter(may));
  return fields.filter((field, index) => fields.indexOf(field) === index);
}

/**
 * What makes an address the same place, in either of its two shapes: the registry's answer (registry.dto's
 * addressSchema: `communeName`, `districtName`, `provinceName`, names derived from the codes) or the stored shape the
 * registry's own rows and the portal's generated records keep (`legacyCommune`, `legacyDistrict`, set only when the
 * commune has no code). The detail, the commune and province codes, and, for a commune without a code, its old name
 * and district.
 */
function placeOf(address: Record<string, unknown>): unknown[] {
  const communeCode = address.communeCode ?? null;
  return [
    address.detail ?? null,
    communeCode,
    address.provinceCode ?? null,
    communeCode === null ? (address.communeName ?? address.legacyCommune ?? null) : null,
    communeCode === null ? (address.districtName ?? address.legacyDistrict ?? null) : null,
  ];
}

export function sameAddress(portal: Record<string, unknown> | null | undefined, registry: unknown): boolean {
  if (!portal || !registry || typeof registry !== 'object') return false;
  const [a, b] = [placeOf(portal), placeOf(registry as Record<string, unknown>)];
  return a.every((value, index) => value === b[index]);
}

/**
 * A record's discrepancies, from its verify result (null when the service cannot verify) and its look-up (null when
 * none was made). The registry wins: each discrepancy carries the registry's value when the look-up read it.
 */
export function discrepanciesOf(record: PortalRecordRow, verify: VerifyResult | null, lookup: Record<string, unknown> | null, notFound: boolean): Discrepancy[] {
  const found: Discrepancy[] = [];
  if (record.duplicate) found.push({ kind: 'duplicate', field: 'idNumber', portalValue: null, registryValue: null });
  if (notFound || verify?.verdict === 'not_found') {
    found.push({ kind: 'not_found', field: 'idNumber', portalValue: null, registryValue: null });
    return found;
  }
  const registryValue = (field: string) => (lookup && field in lookup ? lookup[field] : null);
  const add = (kind: DiscrepancyKind, field: string, portalValue: unknown) => found.push({ kind, field, portalValue, registryValue: registryValue(field) });

  if (verify) {
    if (verify.checks.fullName === 'normalized') add('full_name_normalized', 'fullName', record.fullName);
    else if (verify.checks.fullName === 'mismatch') add('full_name', 'fullName', record.fullName);
    if (verify.checks.dateOfBirth === 'mismatch') add('date_of_birth', 'dateOfBirth', record.dateOfBirth);
    if (verify.checks.sex === 'mismatch') add('sex', 'sex', record.sex);
  } else if (lookup) {
    if ('fullName' in lookup && lookup.fullName !== record.fullName) {
      const check = typeof lookup.fullName === 'string' ? compareNames(record.fullName, lookup.fullName) : 'mismatch';
      add(check === 'normalized' ? 'full_name_normalized' : 'full_name', 'fullName', record.fullName);
    }
    if ('dateOfBirth' in lookup && lookup.dateOfBirth !== record.dateOfBirth) add('date_of_birth', 'dateOfBirth', record.dateOfBirth);
    if ('sex' in lookup && lookup.sex !== record.sex) add('sex', 'sex', record.sex);
  }

  const status = verify?.verdict === 'match' && verify.citizenStatus ? verify.citizenStatus : lookup && 'citizenStatus' in lookup ? (lookup.citizenStatus as string) : null;
  if (status === 'deceased' && record.status !== 'deceased') {
    found.push({ kind: 'deceased', field: 'citizenStatus', portalValue: record.status, registryValue: 'deceased' });
  } else if (status === 'alive' && record.status === 'deceased') {
    found.push({ kind: 'citizen_status', field: 'citizenStatus', portalValue: record.status, registryValue: 'alive' });
  }

  if (lookup) {
    if ('permanentAddress' in lookup && !sameAddress(record.permanentAddress, lookup.permanentAddress)) add('permanent_address', 'permanentAddress', record.permanentAddress);
    if ('currentAddress' in lookup && !sameAddress(record.currentAddress, lookup.currentAddress)) add('current_address', 'currentAddress', record.currentAddress);
    if ('maritalStatus' in lookup && lookup.maritalStatus !== record.maritalStatus) add('marital_status', 'maritalStatus', record.maritalStatus);
  }
  return found;
}

/** The columns of `portal_records` a correction writes, by registry field. */
export const COLUMN_OF_FIELD: Record<string, string> = {
  fullName: 'full_name',
  dateOfBirth: 'date_of_birth',
  sex: 'sex',
  permanentAddress: 'permanent_address',
  currentAddress: 'current_address',
  maritalStatus: 'marital_status',
  citizenStatus: 'status',
};

/**
 * The corrections of a record, registry field → registry value: every discrepancy whose registry value the look-up
 * read (a status becomes the record's status, with its date when the service may read it).
 */
export function correctionsOf(discrepancies: readonly Discrepancy[], lookup: Record<string, unknown> | null): Record<string, unknown> {
  const corrections: Record<string, unknown> = {};
  for (const discrepancy of discrepancies) {
    if (!discrepancy.field || !(discrepancy.field in COLUMN_OF_FIELD) || discrepancy.registryValue === null || discrepancy.registryValue === undefined) continue;
    corrections[discrepancy.field] = discrepancy.registryValue;
    if (discrepancy.field === 'citizenStatus' && lookup && 'statusDate' in lookup) corrections.statusDate = lookup.statusDate;
  }
  return corrections;
}
