import { ReferenceData } from '../../reference/reference-data.js';
import type { Address, CitizenRecord, HouseholdRecord } from '../../registry/citizen.js';
import { decodeIdNumber, validateIdNumber } from '../../identity/id-number.js';
import { anniversary, dayOfDate, dayOfIso, daysFromCivil } from '../../identity/calendar-days.js';
import { cardExpiryDay } from '../../identity/id-card-rule.js';

/**
 * The rules every sandbox dataset obeys (generated households and personas alike), as a checker that lists each
 * violation. The specs run it; a seeder or an e2e test may run it on what it loaded.
 */

/** Minimum age gap between a parent and a child, in years. */
export const MIN_PARENT_AGE_GAP = 16;
/** Legal marriage ages (Law on Marriage and Family 2014, art. 8). */
export const MARRIAGE_AGE: Readonly<Record<'male' | 'female', number>> = { male: 20, female: 18 };

const ISO_DAY = /^\d{4}-\d{2}-\d{2}$/;
const DATE_OF_BIRTH = /^\d{4}(-\d{2}(-\d{2})?)?$/;
const UNDER_14_CARDS_FROM = daysFromCivil(2024, 7, 1);

/** Earliest and latest day a (possibly partial) birth date stands for. */
export function birthDayRange(dateOfBirth: string): [number, number] {
  const year = Number(dateOfBirth.slice(0, 4));
  if (dateOfBirth.length === 4) return [daysFromCivil(year, 1, 1), daysFromCivil(year, 12, 31)];
  const month = Number(dateOfBirth.slice(5, 7));
  if (dateOfBirth.length === 7) return [daysFromCivil(year, month, 1), daysFromCivil(year, month + 1, 1) - 1];
  return [dayOfIso(dateOfBirth), dayOfIso(dateOfBirth)];
}

function sameAddress(a: Address, b: Address): boolean {
  return (
    a.detail === b.detail &&
    a.communeCode === b.communeCode &&
    a.communeName === b.communeName &&
    a.districtName === b.districtName &&
    a.provinceCode === b.provinceCode &&
    a.provinceName === b.provinceName
  );
}

/** Every violation found, as readable lines naming the record; an empty list means the dataset is consistent. */
export function datasetViolations(
  groups: Iterable<{ household: HouseholdRecord; members: readonly CitizenRecord[] }>,
  today: Date,
): string[] {
  const reference = ReferenceData.get();
  const todayDay = dayOfDate(today);
  const violations: string[] = [];
  const byId = new Map<string, CitizenRecord>();
  const householdOf = new Map<string, HouseholdRecord>();
  const fail = (record: CitizenRecord | HouseholdRecord, message: string) => {
    const id = 'idNumber' in record ? record.idNumber : record.householdId;
    violations.push(`${id}: ${message}`);
  };

  const checkAddress = (owner: CitizenRecord | HouseholdRecord, label: string, address: Address) => {
    const province = reference.province(address.provinceCode);
    if (!province) return fail(owner, `${label}: unknown province ${address.provinceCode}`);
    if (address.detail.trim() === '') fail(owner, `${label}: empty detail`);
    if (address.districtName === null) {
      const commune = address.communeCode === null ? undefined : reference.commune(address.communeCode);
      if (!commune || commune.name !== address.communeName || commune.provinceCode !== address.provinceCode) {
        fail(owner, `${label}: commune ${address.communeCode} "${address.communeName}" is not in province ${address.provinceCode}`);
      }
      if (address.provinceName !== province.name) fail(owner, `${label}: province name "${address.provinceName}"`);
    }
  };

  for (const { household, members } of groups) {
    checkAddress(household, 'household address', household.address);
    const heads = members.filter((member) => member.householdRelationship === 'head');
    if (heads.length !== 1 || heads[0].idNumber !== household.headIdNumber) {
      fail(household, `needs exactly one head, the one named by headIdNumber (found ${heads.length})`);
    }
    for (const member of members) {
      if (byId.has(member.idNumber)) fail(member, 'duplicate ID number');
      byId.set(member.idNumber, member);
      householdOf.set(member.idNumber, household);
      if (member.householdId !== household.householdId) fail(member, `householdId ${member.householdId} is not its household's`);
      if (!sameAddress(member.permanentAddress, household.address)) fail(member, 'permanent address differs from the household address');
    }
  }

  for (const citizen of byId.values()) {
    const fail1 = (message: string) => fail(citizen, message);
    if (validateIdNumber(citizen.idNumber, today).length > 0) fail1('invalid ID number');
    const decoded = decodeIdNumber(citizen.idNumber, today);
    if (!DATE_OF_BIRTH.test(citizen.dateOfBirth)) {
      fail1(`date of birth "${citizen.dateOfBirth}" is not YYYY, YYYY-MM or YYYY-MM-DD`);
      continue;
    }
    const [bornFrom, bornTo] = birthDayRange(citizen.dateOfBirth);
    if (bornTo >= todayDay && citizen.dateOfBirth.length === 10) fail1('born today or later');
    if (decoded) {
      if (decoded.sex !== citizen.sex) fail1('ID number encodes the other sex');
      if (decoded.birthYear !== Number(citizen.dateOfBirth.slice(0, 4))) fail1('ID number encodes another birth year');
      if (decoded.provinceIdCode !== citizen.birthRegistrationProvinceIdCode) fail1('ID prefix is not the birth-registration province');
      if (decoded.provinceName !== citizen.birthRegistrationPlace) fail1('birthRegistrationPlace does not name the ID province');
    }
    if (citizen.fullName !== `${citizen.surname} ${citizen.middleName} ${citizen.givenName}`) fail1('fullName is not surname + middle + given');
    if (citizen.fullName !== citizen.fullName.normalize('NFC') || /\s{2}|^\s|\s$/.test(citizen.fullName)) fail1('fullName not NFC / single-spaced');
    if (!reference.ethnicity(citizen.ethnicityCode)) fail1(`unknown ethnicity ${citizen.ethnicityCode}`);
    if (!reference.religion(citizen.religionCode)) fail1(`unknown religion ${citizen.religionCode}`);
    if (citizen.nationality !== 'VN') fail1('nationality is not VN');
    if (citizen.oldIdNumber !== null && !/^\d{9}$/.test(citizen.oldIdNumber)) fail1('old ID is not 9 digits');
    if (citizen.phoneNumber !== null && !/^0[35789]\d{8}$/.test(citizen.phoneNumber)) fail1(`phone ${citizen.phoneNumber}`);
    checkAddress(citizen, 'permanent address', citizen.permanentAddress);
    if (citizen.temporaryAddress) checkAddress(citizen, 'temporary address', citizen.temporaryAddress);
    if (!sameAddress(citizen.currentAddress, citizen.temporaryAddress ?? citizen.permanentAddress)) {
      fail1('currentAddress is not the temporary address, or the permanent one when there is none');
    }

    // Life status (item 24).
    if ((citizen.status === 'alive') !== (citizen.statusDate === null)) fail1('statusDate must be set exactly when not alive');
    let lastDay = todayDay - 1;
    if (citizen.statusDate !== null) {
      if (!ISO_DAY.test(citizen.statusDate)) fail1('statusDate is not YYYY-MM-DD');
      const day = dayOfIso(citizen.statusDate);
      if (day <= bornTo || day >= todayDay) fail1('statusDate is not after birth and before today');
      if (citizen.status === 'deceased') lastDay = day;
    }

    // Card (item 14): issued before today (and before death), not before 14 unless after July 2024, expiry by the rule.
    if (citizen.idCard) {
      const issue = dayOfIso(citizen.idCard.issueDate);
      if (issue > lastDay) fail1('card issued after today or after death');
      if (issue < anniversary(bornFrom, 14) && issue < UNDER_14_CARDS_FROM) fail1('card issued before 14 and before July 2024');
      if (citizen.dateOfBirth.length === 10) {
        const expiry = cardExpiryDay(bornFrom, issue);
        const expected = expiry === null ? null : expiry;
        const actual = citizen.idCard.expiryDate === null ? null : dayOfIso(citizen.idCard.expiryDate);
        if (expected !== actual) fail1('card expiry does not follow the renewal ages 14, 25, 40, 60');
      }
    }

    // Parents: linked records exist, carry the right name and sex, and are at least 16 years older.
    for (const [role, id, name, sex] of [
      ['father', citizen.fatherIdNumber, citizen.fatherName, 'male'],
      ['mother', citizen.motherIdNumber, citizen.motherName, 'female'],
    ] as const) {
      if (id === null) continue;
      const parent = byId.get(id);
      if (!parent) {
        fail1(`${role} ${id} is not in the dataset`);
        continue;
      }
      if (parent.fullName !== name) fail1(`${role}'s name "${name}" is not "${parent.fullName}"`);
      if (parent.sex !== sex) fail1(`${role} has the wrong sex`);
      const [, parentBornTo] = birthDayRange(parent.dateOfBirth);
      if (anniversary(parentBornTo, MIN_PARENT_AGE_GAP) > bornFrom) fail1(`${role} is less than ${MIN_PARENT_AGE_GAP} years older`);
      if (parent.status === 'deceased' && parent.statusDate !== null && dayOfIso(parent.statusDate) < bornFrom - 300) {
        fail1(`${role} died before the conception`);
      }
    }

    // Spouse and marital status (item 21).
    if (citizen.spouseIdNumber !== null) {
      const spouse = byId.get(citizen.spouseIdNumber);
      if (!spouse) {
        fail1(`spouse ${citizen.spouseIdNumber} is not in the dataset`);
      } else {
        if (spouse.spouseIdNumber !== citizen.idNumber) fail1('spouse does not point back');
        if (spouse.fullName !== citizen.spouseName) fail1('spouseName differs from the spouse record');
        if (spouse.sex === citizen.sex) fail1('spouse of the same sex');
        const bothAlive = citizen.status !== 'deceased' && spouse.status !== 'deceased';
        if (bothAlive && (citizen.maritalStatus !== 'married' || spouse.maritalStatus !== 'married')) {
          fail1('living spouses must both be married');
        }
        if (citizen.status !== 'deceased' && spouse.status === 'deceased' && citizen.maritalStatus !== 'widowed') {
          fail1('the survivor of a deceased spouse must be widowed');
        }
        if (citizen.status === 'deceased' && citizen.statusDate !== null) {
          // Marital status as it stood at death: widowed from the spouse's death on, married while the spouse lived
          // (or died the same day). ISO days compare as strings.
          const spouseDiedFirst = spouse.status === 'deceased' && spouse.statusDate !== null && spouse.statusDate < citizen.statusDate;
          if (spouseDiedFirst && citizen.maritalStatus !== 'widowed') fail1('died after the spouse but is not widowed');
          if (!spouseDiedFirst && citizen.maritalStatus !== 'married') fail1('died while the spouse lived but is not married');
        }
      }
    }
    if (citizen.maritalStatus === 'married' && citizen.spouseName === null) fail1('married without a spouse');
    if ((citizen.maritalStatus === 'single' || citizen.maritalStatus === 'divorced') && (citizen.spouseName !== null || citizen.spouseIdNumber !== null)) {
      fail1(`${citizen.maritalStatus} with a spouse`);
    }
    if (citizen.maritalStatus !== 'single') {
      // Married at some point: of legal age by now, or by the date of death.
      const legalAge = MARRIAGE_AGE[citizen.sex];
      if (anniversary(bornTo, legalAge) > lastDay) fail1(`married under ${legalAge}`);
    }
    if ((citizen.spouseIdNumber !== null || citizen.spouseName !== null) !== (citizen.spouseNationality !== null)) {
      fail1('spouseNationality must be set exactly when there is a spouse');
    }
  }

  for (const household of new Set(householdOf.values())) {
    if (!byId.has(household.headIdNumber)) fail(household, 'head is not in the dataset');
  }
  return violations;
}
