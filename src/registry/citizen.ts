import type { Sex } from '../identity/id-number.js';

export type { Sex };

/** Life status of a record (Law on Identification 2023, art. 9 item 24). */
export type CitizenStatus = 'alive' | 'deceased' | 'missing';

/** Marital status (item 21). */
export type MaritalStatus = 'single' | 'married' | 'divorced' | 'widowed';

/** Relationship to the household head (item 22); Vietnamese labels in RELATIONSHIP_LABELS. */
export type HouseholdRelationship = 'head' | 'spouse' | 'child' | 'parent' | 'grandchild' | 'sibling' | 'other';

export const RELATIONSHIP_LABELS: Record<HouseholdRelationship, string> = {
  head: 'Chủ hộ',
  spouse: 'Vợ/Chồng',
  child: 'Con',
  parent: 'Bố/Mẹ',
  grandchild: 'Cháu',
  sibling: 'Anh/Chị/Em',
  other: 'Khác',
};

/**
 * An address. Since 1 July 2025 addresses have two levels (detail, commune, province); records made before that may
 * still carry the old three-level form, with a district and the old province's name (`districtName` set, and
 * `communeCode` null when the old commune no longer exists under that name).
 */
export interface Address {
  detail: string;
  communeCode: string | null;
  communeName: string;
  districtName: string | null;
  provinceCode: string;
  provinceName: string;
}

import type { IdCard } from '../identity/id-card-rule.js';

export type { IdCard };

/**
 * One citizen as stored: the generator's output and the registry row are this shape. Dates are ISO strings
 * (`YYYY-MM-DD`); `dateOfBirth` may be `YYYY` or `YYYY-MM` on old records (item 4).
 */
export interface CitizenRecord {
  idNumber: string;
  surname: string;
  middleName: string;
  givenName: string;
  /** Surname + middle + given, single-spaced, NFC. */
  fullName: string;
  otherNames: string | null;
  dateOfBirth: string;
  sex: Sex;
  placeOfBirth: string;
  /** Pre-2025 province of birth registration; its code opens the ID number. */
  birthRegistrationProvinceIdCode: string;
  birthRegistrationPlace: string;
  homeTown: string;
  ethnicityCode: string;
  religionCode: string;
  /** ISO 3166-1 alpha-2. */
  nationality: string;
  bloodGroup: string | null;
  oldIdNumber: string | null;
  idCard: IdCard | null;
  fatherIdNumber: string | null;
  fatherName: string | null;
  motherIdNumber: string | null;
  motherName: string | null;
  spouseIdNumber: string | null;
  spouseName: string | null;
  spouseNationality: string | null;
  permanentAddress: Address;
  temporaryAddress: Address | null;
  currentAddress: Address;
  maritalStatus: MaritalStatus;
  householdId: string;
  householdRelationship: HouseholdRelationship;
  status: CitizenStatus;
  /** Date of death or of going missing (item 24), by status. */
  statusDate: string | null;
  phoneNumber: string | null;
  email: string | null;
}

/** A household (items 22-23): the head's ID and the registered address; members point to it by `householdId`. */
export interface HouseholdRecord {
  householdId: string;
  headIdNumber: string;
  address: Address;
}
