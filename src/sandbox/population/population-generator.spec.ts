import { beforeAll, describe, expect, it } from '@jest/globals';
import type { CitizenRecord, HouseholdRecord } from '../../registry/citizen.js';
import { PERSONA_RANDOM_FLOOR } from '../../identity/id-number.js';
import { datasetViolations } from './dataset-invariants.js';
import { generateHouseholds, type GeneratedHousehold } from './population-generator.js';

const TODAY = new Date('2026-11-28T00:00:00Z');
const SAMPLE_SIZE = 100_000;

function generate(seed: string | number, citizens: number, today = TODAY): GeneratedHousehold[] {
  return [...generateHouseholds({ seed, citizens, today })];
}

/** Age in whole years on 2026-11-28 (a partial date counts from its first day). */
function ageOf(citizen: CitizenRecord): number {
  const year = Number(citizen.dateOfBirth.slice(0, 4));
  const monthDay = citizen.dateOfBirth.length === 10 ? citizen.dateOfBirth.slice(5) : citizen.dateOfBirth.length === 7 ? citizen.dateOfBirth.slice(5) + '-01' : '01-01';
  return 2026 - year - (monthDay > '11-28' ? 1 : 0);
}

function percent(part: number, whole: number): number {
  return (100 * part) / whole;
}

describe('generateHouseholds: determinism and size', () => {
  it('gives the same output for the same options, record for record', () => {
    const first = generate('determinism', 5_000);
    const second = generate('determinism', 5_000);
    expect(JSON.stringify(second)).toBe(JSON.stringify(first));
  });

  it('gives another population for another seed or another day', () => {
    const base = JSON.stringify(generate('a', 300));
    expect(JSON.stringify(generate('b', 300))).not.toBe(base);
    expect(JSON.stringify(generate('a', 300, new Date('2026-11-29T00:00:00Z')))).not.toBe(base);
  });

  it('reads only the UTC day of today', () => {
    const morning = JSON.stringify(generate('day', 500, new Date('2026-11-28T00:00:00Z')));
    expect(JSON.stringify(generate('day', 500, new Date('2026-11-28T23:59:59Z')))).toBe(morning);
  });

  it('produces exactly the requested number of citizens; a smaller dataset is a prefix of a larger one', () => {
    const small = generate('prefix', 1_234);
    const large = generate('prefix', 3_000);
    expect(small.reduce((sum, group) => sum + group.members.length, 0)).toBe(1_234);
    expect(large.reduce((sum, group) => sum + group.members.length, 0)).toBe(3_000);
    expect(JSON.stringify(large.slice(0, small.length - 1))).toBe(JSON.stringify(small.slice(0, -1)));
    expect(generate('prefix', 0)).toEqual([]);
  });

  it('keeps a truncated last household consistent', () => {
    for (let citizens = 1; citizens <= 40; citizens++) {
      const groups = generate('truncate', citizens);
      expect(datasetViolations(groups, TODAY)).toEqual([]);
    }
  });

  it('refuses a negative or fractional size and an unusable today', () => {
    expect(() => generate('x', -1)).toThrow(RangeError);
    expect(() => generate('x', 1.5)).toThrow(RangeError);
    expect(() => generate('x', 1, new Date('nonsense'))).toThrow(RangeError);
    expect(() => generate('x', 1, new Date('1999-01-01T00:00:00Z'))).toThrow(RangeError);
  });
});

describe('generateHouseholds: a sample of 100,000 citizens', () => {
  let groups: GeneratedHousehold[];
  let households: HouseholdRecord[];
  let citizens: CitizenRecord[];
  let living: CitizenRecord[];

  beforeAll(() => {
    groups = generate('distribution-check', SAMPLE_SIZE);
    households = groups.map((group) => group.household);
    citizens = groups.flatMap((group) => group.members);
    living = citizens.filter((citizen) => citizen.status !== 'deceased');
  });

  const share = (predicate: (citizen: CitizenRecord) => boolean, among: CitizenRecord[] = citizens) =>
    percent(among.filter(predicate).length, among.length);

  it('breaks no dataset rule: valid unique IDs agreeing with sex, birth year and birth province; family links; addresses', () => {
    expect(datasetViolations(groups, TODAY).slice(0, 20)).toEqual([]);
  });

  it('keeps generated random parts below the personas\' reserved range', () => {
    expect(citizens.every((citizen) => Number(citizen.idNumber.slice(6)) < PERSONA_RANDOM_FLOOR)).toBe(true);
  });

  it('numbers households HH + 10 digits in order', () => {
    expect(households[0].householdId).toBe('HH0000000001');
    expect(households.every((household, i) => household.householdId === 'HH' + String(i + 1).padStart(10, '0'))).toBe(true);
  });

  it('follows the surname shares, with Hoàng and Vũ in the North, Huỳnh and Võ in the South', () => {
    expect(Math.abs(share((c) => c.surname === 'Nguyễn') - 38.4)).toBeLessThan(1.5);
    expect(Math.abs(share((c) => c.surname === 'Trần') - 11)).toBeLessThan(1);
    expect(Math.abs(share((c) => c.surname === 'Lê') - 9.5)).toBeLessThan(1);
    expect(Math.abs(share((c) => c.surname === 'Hoàng' || c.surname === 'Huỳnh') - 5.1)).toBeLessThan(0.7);
    const northern = citizens.filter((c) => Number(c.birthRegistrationProvinceIdCode) < 40);
    const southern = citizens.filter((c) => Number(c.birthRegistrationProvinceIdCode) >= 48);
    expect(share((c) => c.surname === 'Hoàng', northern)).toBeGreaterThan(10 * share((c) => c.surname === 'Huỳnh', northern));
    expect(share((c) => c.surname === 'Huỳnh', southern)).toBeGreaterThan(10 * share((c) => c.surname === 'Hoàng', southern));
    expect(share((c) => c.surname === 'Võ', southern)).toBeGreaterThan(10 * share((c) => c.surname === 'Vũ', southern));
  });

  it('follows the 2019 census ethnicity shares, one ethnicity per household', () => {
    expect(Math.abs(share((c) => c.ethnicityCode === '01') - 85.3)).toBeLessThan(1.5);
    expect(Math.abs(share((c) => c.ethnicityCode === '02') - 1.9)).toBeLessThan(0.5);
    expect(Math.abs(share((c) => c.ethnicityCode === '08') - 1.4)).toBeLessThan(0.5);
    expect(Math.abs(share((c) => c.ethnicityCode === '05') - 1.4)).toBeLessThan(0.5);
    expect(groups.every((group) => group.members.every((m) => m.ethnicityCode === group.members[0].ethnicityCode))).toBe(true);
  });

  it('follows the 2019 census religion shares', () => {
    expect(Math.abs(share((c) => c.religionCode === '00') - 86.3)).toBeLessThan(1.5);
    expect(Math.abs(share((c) => c.religionCode === '02') - 6.1)).toBeLessThan(1);
    expect(Math.abs(share((c) => c.religionCode === '01') - 4.8)).toBeLessThan(1);
    const khmer = citizens.filter((c) => c.ethnicityCode === '05');
    expect(share((c) => c.religionCode === '01', khmer)).toBeGreaterThan(70);
  });

  it('puts about 60% of households in Hà Nội and some in every one of the 34 provinces', () => {
    const hanoi = percent(households.filter((h) => h.address.provinceCode === '01').length, households.length);
    expect(Math.abs(hanoi - 60)).toBeLessThan(2);
    expect(new Set(households.map((h) => h.address.provinceCode)).size).toBe(34);
    const hanoiCommunes = households.filter((h) => h.address.provinceCode === '01' && h.address.communeCode !== null);
    expect(new Set(hanoiCommunes.map((h) => h.address.communeCode)).size).toBe(126);
  });

  it('follows the age pyramid: 0-14 about 24%, 15-64 about 68%, 65+ about 8%, band by band', () => {
    expect(Math.abs(share((c) => ageOf(c) < 15, living) - 24)).toBeLessThan(1.5);
    expect(Math.abs(share((c) => ageOf(c) >= 65, living) - 8)).toBeLessThan(1);
    const band = (from: number, to: number) => share((c) => ageOf(c) >= from && ageOf(c) < to, living);
    expect(Math.abs(band(30, 35) - 8.1)).toBeLessThan(0.8);
    expect(Math.abs(band(60, 65) - 4.6)).toBeLessThan(0.8);
    expect(Math.abs(band(80, 200) - 1.3)).toBeLessThan(0.5);
  });

  it('keeps most minors in a parent\'s household', () => {
    const byId = new Map(citizens.map((c) => [c.idNumber, c]));
    const minors = living.filter((c) => ageOf(c) < 18);
    const withParent = minors.filter((c) =>
      [c.fatherIdNumber, c.motherIdNumber].some((id) => id !== null && byId.get(id)?.householdId === c.householdId),
    );
    expect(percent(withParent.length, minors.length)).toBeGreaterThan(85);
  });

  it('has a few deceased (about 1%) and missing (about 0.1%) citizens', () => {
    const deceased = share((c) => c.status === 'deceased');
    const missing = share((c) => c.status === 'missing');
    expect(deceased).toBeGreaterThan(0.5);
    expect(deceased).toBeLessThan(1.5);
    expect(missing).toBeGreaterThan(0.03);
    expect(missing).toBeLessThan(0.3);
  });

  it('widows the spouse who outlives the other, also when both have died (the first to die died married)', () => {
    const byId = new Map(citizens.map((c) => [c.idNumber, c]));
    const spouseOf = (c: CitizenRecord) => (c.spouseIdNumber === null ? undefined : byId.get(c.spouseIdNumber));
    const bothDeceased = citizens.filter((c) => c.status === 'deceased' && spouseOf(c)?.status === 'deceased');
    // The sample must hold such couples, or this test proves nothing.
    expect(bothDeceased.length).toBeGreaterThanOrEqual(2);
    const statusAtDeath = bothDeceased.map((c) => [c.idNumber, c.maritalStatus]);
    const expected = bothDeceased.map((c) => [c.idNumber, spouseOf(c)!.statusDate! < c.statusDate! ? 'widowed' : 'married']);
    expect(statusAtDeath).toEqual(expected);
  });

  it('gives cards to citizens aged 14 and over (some expired), hardly any below 14', () => {
    const adults = living.filter((c) => ageOf(c) >= 14);
    expect(share((c) => c.idCard !== null, adults)).toBeGreaterThan(90);
    const expired = share((c) => c.idCard?.expiryDate != null && c.idCard.expiryDate < '2026-11-28', adults);
    expect(expired).toBeGreaterThan(0.5);
    expect(expired).toBeLessThan(10);
    expect(share((c) => c.idCard?.expiryDate === null, adults)).toBeGreaterThan(5);
    const children = living.filter((c) => ageOf(c) < 14);
    expect(share((c) => c.idCard !== null, children)).toBeLessThan(2);
    expect(children.some((c) => c.idCard !== null)).toBe(true);
  });

  it('keeps the old 9-digit ID on part of those born before 2000, never on younger people', () => {
    const older = citizens.filter((c) => Number(c.dateOfBirth.slice(0, 4)) < 2000);
    expect(share((c) => c.oldIdNumber !== null, older)).toBeGreaterThan(60);
    expect(share((c) => c.oldIdNumber !== null, older)).toBeLessThan(95);
    expect(citizens.some((c) => c.oldIdNumber !== null && Number(c.dateOfBirth.slice(0, 4)) >= 2000)).toBe(false);
  });

  it('holds year-only and month-year birth dates on a few people born before 1950, and only there', () => {
    const old = citizens.filter((c) => Number(c.dateOfBirth.slice(0, 4)) < 1950);
    const partial = share((c) => c.dateOfBirth.length < 10, old);
    expect(partial).toBeGreaterThan(3);
    expect(partial).toBeLessThan(15);
    expect(old.some((c) => c.dateOfBirth.length === 4) && old.some((c) => c.dateOfBirth.length === 7)).toBe(true);
    expect(citizens.every((c) => c.dateOfBirth.length === 10 || Number(c.dateOfBirth.slice(0, 4)) < 1950)).toBe(true);
  });

  it('uses 2025 two-level addresses, with legacy three-level ones on some older records', () => {
    const legacy = share((c) => c.permanentAddress.districtName !== null);
    expect(legacy).toBeGreaterThan(2);
    expect(legacy).toBeLessThan(20);
    expect(citizens.every((c) => c.permanentAddress.districtName === null || c.permanentAddress.communeCode === null)).toBe(true);
  });

  it('has temporary residents of Hà Nội registered elsewhere, living at the temporary address', () => {
    const temporaryInHanoi = citizens.filter(
      (c) => c.temporaryAddress?.provinceCode === '01' && c.permanentAddress.provinceCode !== '01',
    );
    expect(temporaryInHanoi.length).toBeGreaterThan(SAMPLE_SIZE / 500);
    expect(temporaryInHanoi.every((c) => c.currentAddress === c.temporaryAddress)).toBe(true);
  });

  it('has realistic marital statuses, foreign spouses, phones, e-mails and blood groups', () => {
    const adults = living.filter((c) => ageOf(c) >= 18);
    expect(share((c) => c.maritalStatus === 'married', adults)).toBeGreaterThan(55);
    expect(share((c) => c.maritalStatus === 'single', adults)).toBeGreaterThan(10);
    expect(share((c) => c.maritalStatus === 'widowed', adults)).toBeGreaterThan(2);
    expect(share((c) => c.maritalStatus === 'divorced', adults)).toBeGreaterThan(0.5);
    expect(citizens.some((c) => c.spouseNationality !== null && c.spouseNationality !== 'VN' && c.spouseIdNumber === null)).toBe(true);
    expect(share((c) => c.phoneNumber !== null, adults)).toBeGreaterThan(80);
    expect(share((c) => c.email !== null, adults)).toBeGreaterThan(15);
    expect(citizens.every((c) => c.phoneNumber === null || /^0[35789]\d{8}$/.test(c.phoneNumber))).toBe(true);
    const typed = citizens.filter((c) => c.bloodGroup !== null);
    expect(Math.abs(share((c) => c.bloodGroup === 'O', typed) - 42)).toBeLessThan(2);
  });

  it('writes names in NFC with Văn and Thị fading among the young', () => {
    expect(citizens.every((c) => c.fullName === c.fullName.normalize('NFC'))).toBe(true);
    const youngWomen = citizens.filter((c) => c.sex === 'female' && c.dateOfBirth >= '2000');
    const oldWomen = citizens.filter((c) => c.sex === 'female' && c.dateOfBirth < '1975');
    expect(share((c) => c.middleName.startsWith('Thị'), oldWomen)).toBeGreaterThan(2 * share((c) => c.middleName.startsWith('Thị'), youngWomen));
    expect(share((c) => c.middleName.includes(' '), youngWomen)).toBeGreaterThan(20);
  });
});
