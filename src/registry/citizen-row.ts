import { ReferenceData } from '../reference/reference-data.js';
import type { Address, CitizenRecord, HouseholdRecord } from './citizen.js';
import { cardIssuePlace } from '../identity/id-card-rule.js';
import { dayOfIso } from '../identity/calendar-days.js';

/**
 * How a CitizenRecord is stored. Addresses are five columns each (see the CreateRegistry migration for why); the
 * names of communes and provinces are joined from the official code lists here, on read.
 */

/** The five stored columns of an address: detail, 2025 commune code, or pre-2025 commune and district, province. */
export type AddressColumns = [string, string | null, string | null, string | null, string];

export function addressColumns(address: Address): AddressColumns {
  return address.communeCode !== null
    ? [address.detail, address.communeCode, null, null, address.provinceCode]
    : [address.detail, null, address.communeName, address.districtName, address.provinceCode];
}

export function addressFromColumns(
  detail: string,
  communeCode: string | null,
  legacyCommune: string | null,
  legacyDistrict: string | null,
  provinceCode: string,
): Address {
  const reference = ReferenceData.get();
  return {
    detail,
    communeCode,
    communeName: communeCode !== null ? reference.commune(communeCode)?.name ?? '' : legacyCommune ?? '',
    districtName: communeCode !== null ? null : legacyDistrict,
    provinceCode,
    provinceName: reference.province(provinceCode)?.name ?? '',
  };
}

/** The citizens columns in COPY order; CITIZEN_SELECT reads them back under the same names. */
export const CITIZEN_COLUMNS = [
  'id_number', 'surname', 'middle_name', 'given_name', 'full_name', 'other_names', 'date_of_birth', 'sex',
  'place_of_birth', 'birth_registration_province_id_code', 'birth_registration_place', 'home_town', 'ethnicity_code',
  'religion_code', 'nationality', 'blood_group', 'old_id_number', 'card_issue_date', 'card_expiry_date',
  'father_id_number', 'father_name', 'mother_id_number', 'mother_name', 'spouse_id_number', 'spouse_name',
  'spouse_nationality', 'permanent_detail', 'permanent_commune_code', 'permanent_legacy_commune',
  'permanent_legacy_district', 'permanent_province_code', 'temporary_detail', 'temporary_commune_code',
  'temporary_legacy_commune', 'temporary_legacy_district', 'temporary_province_code', 'marital_status',
  'household_id', 'household_relationship', 'status', 'status_date', 'phone_number', 'email',
] as const;

export type CitizenColumn = (typeof CITIZEN_COLUMNS)[number];

/** A citizens row as node-postgres returns it when dates are selected as text (see CITIZEN_SELECT). */
export type CitizenRow = { [K in CitizenColumn]: string | null };

/** A SELECT list of these columns; dates as text so that no JS Date (and no time zone) gets involved. */
export function selectList(columns: readonly CitizenColumn[]): string {
  return columns
    .map((column) => (column === 'card_issue_date' || column === 'card_expiry_date' || column === 'status_date' ? `${column}::text AS ${column}` : column))
    .join(', ');
}

/** SELECT list of every stored column. */
export const CITIZEN_SELECT = selectList(CITIZEN_COLUMNS);

/** The stored row of a record, in CITIZEN_COLUMNS order (for COPY and INSERT). */
export function citizenValues(c: CitizenRecord): (string | null)[] {
  const temporary = c.temporaryAddress ? addressColumns(c.temporaryAddress) : [null, null, null, null, null];
  return [
    c.idNumber, c.surname, c.middleName, c.givenName, c.fullName, c.otherNames, c.dateOfBirth, c.sex,
    c.placeOfBirth, c.birthRegistrationProvinceIdCode, c.birthRegistrationPlace, c.homeTown, c.ethnicityCode,
    c.religionCode, c.nationality, c.bloodGroup, c.oldIdNumber, c.idCard?.issueDate ?? null,
    c.idCard?.expiryDate ?? null, c.fatherIdNumber, c.fatherName, c.motherIdNumber, c.motherName,
    c.spouseIdNumber, c.spouseName, c.spouseNationality, ...addressColumns(c.permanentAddress), ...temporary,
    c.maritalStatus, c.householdId, c.householdRelationship, c.status, c.statusDate, c.phoneNumber, c.email,
  ];
}

/** Columns of the permanent and the temporary address; the current address needs both. */
export const PERMANENT_ADDRESS_COLUMNS = ['permanent_detail', 'permanent_commune_code', 'permanent_legacy_commune', 'permanent_legacy_district', 'permanent_province_code'] as const;
export const TEMPORARY_ADDRESS_COLUMNS = ['temporary_detail', 'temporary_commune_code', 'temporary_legacy_commune', 'temporary_legacy_district', 'temporary_province_code'] as const;

export function permanentAddressOf(r: Partial<CitizenRow>): Address {
  return addressFromColumns(r.permanent_detail!, r.permanent_commune_code ?? null, r.permanent_legacy_commune ?? null, r.permanent_legacy_district ?? null, r.permanent_province_code!);
}

export function temporaryAddressOf(r: Partial<CitizenRow>): Address | null {
  return r.temporary_detail == null
    ? null
    : addressFromColumns(r.temporary_detail, r.temporary_commune_code ?? null, r.temporary_legacy_commune ?? null, r.temporary_legacy_district ?? null, r.temporary_province_code!);
}

/** The card block, with its issuing authority derived from the issue date; null when no card was issued. */
export function idCardOf(r: Partial<CitizenRow>): CitizenRecord['idCard'] {
  return r.card_issue_date == null
    ? null
    : { issueDate: r.card_issue_date, issuePlace: cardIssuePlace(dayOfIso(r.card_issue_date)), expiryDate: r.card_expiry_date ?? null };
}

/** Rebuilds the record from its row; the current address is the temporary one when there is one. */
export function citizenFromRow(r: CitizenRow): CitizenRecord {
  const permanentAddress = permanentAddressOf(r);
  const temporaryAddress = temporaryAddressOf(r);
  return {
    idNumber: r.id_number!,
    surname: r.surname!,
    middleName: r.middle_name!,
    givenName: r.given_name!,
    fullName: r.full_name!,
    otherNames: r.other_names,
    dateOfBirth: r.date_of_birth!,
    sex: r.sex as CitizenRecord['sex'],
    placeOfBirth: r.place_of_birth!,
    birthRegistrationProvinceIdCode: r.birth_registration_province_id_code!,
    birthRegistrationPlace: r.birth_registration_place!,
    homeTown: r.home_town!,
    ethnicityCode: r.ethnicity_code!,
    religionCode: r.religion_code!,
    nationality: r.nationality!,
    bloodGroup: r.blood_group,
    oldIdNumber: r.old_id_number,
    idCard: idCardOf(r),
    fatherIdNumber: r.father_id_number,
    fatherName: r.father_name,
    motherIdNumber: r.mother_id_number,
    motherName: r.mother_name,
    spouseIdNumber: r.spouse_id_number,
    spouseName: r.spouse_name,
    spouseNationality: r.spouse_nationality,
    permanentAddress,
    temporaryAddress,
    currentAddress: temporaryAddress ?? permanentAddress,
    maritalStatus: r.marital_status as CitizenRecord['maritalStatus'],
    householdId: r.household_id!,
    householdRelationship: r.household_relationship as CitizenRecord['householdRelationship'],
    status: r.status as CitizenRecord['status'],
    statusDate: r.status_date,
    phoneNumber: r.phone_number,
    email: r.email,
  };
}

export const HOUSEHOLD_COLUMNS = [
  'household_id', 'head_id_number', 'address_detail', 'address_commune_code', 'address_legacy_commune',
  'address_legacy_district', 'address_province_code',
] as const;

export function householdValues(h: HouseholdRecord): (string | null)[] {
  return [h.householdId, h.headIdNumber, ...addressColumns(h.address)];
}
