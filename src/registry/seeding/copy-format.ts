import type { CitizenRecord, HouseholdRecord } from '../citizen.js';

/**
 * Rows in PostgreSQL's COPY text format: tab-separated, `\N` for NULL, with backslash, tab, newline and carriage
 * return escaped. Hand-written because it is the seeding hot path (a million rows in seconds) and the format is tiny.
 */
function field(value: string | null): string {
  if (value === null) return '\\N';
  // Fast path: generated values almost never hold a character that needs escaping.
  if (!/[\\\t\n\r]/.test(value)) return value;
  return value.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
}

function json(value: unknown): string {
  return value === null || value === undefined ? '\\N' : field(JSON.stringify(value));
}

/** Column order of CITIZEN_COPY_COLUMNS must match citizenCopyRow. */
export const CITIZEN_COPY_COLUMNS = [
  'id_number', 'surname', 'middle_name', 'given_name', 'full_name', 'other_names', 'date_of_birth', 'sex',
  'place_of_birth', 'birth_registration_province_id_code', 'birth_registration_place', 'home_town', 'ethnicity_code',
  'religion_code', 'nationality', 'blood_group', 'old_id_number', 'id_card', 'father_id_number', 'father_name',
  'mother_id_number', 'mother_name', 'spouse_id_number', 'spouse_name', 'spouse_nationality', 'permanent_address',
  'temporary_address', 'current_address', 'marital_status', 'household_id', 'household_relationship', 'status',
  'status_date', 'phone_number', 'email',
] as const;

export function citizenCopyRow(c: CitizenRecord): string {
  return (
    field(c.idNumber) + '\t' + field(c.surname) + '\t' + field(c.middleName) + '\t' + field(c.givenName) + '\t' +
    field(c.fullName) + '\t' + field(c.otherNames) + '\t' + field(c.dateOfBirth) + '\t' + field(c.sex) + '\t' +
    field(c.placeOfBirth) + '\t' + field(c.birthRegistrationProvinceIdCode) + '\t' + field(c.birthRegistrationPlace) +
    '\t' + field(c.homeTown) + '\t' + field(c.ethnicityCode) + '\t' + field(c.religionCode) + '\t' +
    field(c.nationality) + '\t' + field(c.bloodGroup) + '\t' + field(c.oldIdNumber) + '\t' + json(c.idCard) + '\t' +
    field(c.fatherIdNumber) + '\t' + field(c.fatherName) + '\t' + field(c.motherIdNumber) + '\t' +
    field(c.motherName) + '\t' + field(c.spouseIdNumber) + '\t' + field(c.spouseName) + '\t' +
    field(c.spouseNationality) + '\t' + json(c.permanentAddress) + '\t' + json(c.temporaryAddress) + '\t' +
    json(c.currentAddress) + '\t' + field(c.maritalStatus) + '\t' + field(c.householdId) + '\t' +
    field(c.householdRelationship) + '\t' + field(c.status) + '\t' + field(c.statusDate) + '\t' +
    field(c.phoneNumber) + '\t' + field(c.email) + '\n'
  );
}

export const HOUSEHOLD_COPY_COLUMNS = ['household_id', 'head_id_number', 'address'] as const;

export function householdCopyRow(h: HouseholdRecord): string {
  return field(h.householdId) + '\t' + field(h.headIdNumber) + '\t' + json(h.address) + '\n';
}
