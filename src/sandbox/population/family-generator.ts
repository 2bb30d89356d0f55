import type { Sex } from '../../identity/id-number.js';
import { anniversary, daysFromCivil, yearOf, yearsInDays } from '../../identity/calendar-days.js';
import type { Draft, PeopleGenerator } from './people-generator.js';
import type { IdProvinceRow } from './reference-tables.js';
import { type SeededRandom, WeightedTable } from './seeded-random.js';
import { pickFullName } from './vietnamese-names.js';

/**
 * Relatives of a household's members: spouses (living, or late and widowing the survivor), the parents of an adult,
 * the children of a mother, with birth days that keep legal marriage ages and plausible gaps between generations.
 */

/** Mother's age at a birth (relative weights for 18-44), roughly the Vietnamese age-specific fertility curve. */
export const MOTHER_AGE_AT_BIRTH = new WeightedTable<number>(
  [2, 3, 5, 6, 7, 8, 9, 10, 10, 10, 10, 9, 9, 8, 7, 6, 5, 4, 3, 3, 2, 2, 1, 1, 0.5, 0.3, 0.2].map((w, i) => [18 + i, w] as const),
);
/** Mother's age at her first birth (18-35). */
const FIRST_BIRTH_AGE = new WeightedTable<number>(
  [3, 5, 8, 10, 12, 13, 13, 12, 10, 8, 6, 5, 4, 3, 2, 2, 1, 1].map((w, i) => [18 + i, w] as const),
);
/** Children ever born, by the mother's birth cohort: fertility fell from about 5 to about 2 (approximate). */
const CHILDREN_BY_COHORT: readonly [number, WeightedTable<number>][] = [
  [1955, new WeightedTable([[0, 3], [1, 5], [2, 12], [3, 22], [4, 25], [5, 20], [6, 13]])],
  [1970, new WeightedTable([[0, 4], [1, 10], [2, 33], [3, 33], [4, 15], [5, 5]])],
  [1985, new WeightedTable([[0, 5], [1, 15], [2, 57], [3, 19], [4, 4]])],
  [9999, new WeightedTable([[0, 6], [1, 24], [2, 56], [3, 12], [4, 2]])],
];
/** Husband's age minus wife's age, in years. */
const SPOUSE_GAP = new WeightedTable<number>(
  [1, 2, 4, 8, 10, 11, 11, 10, 8, 7, 5, 4, 3, 2, 1.5, 1].map((w, i) => [i - 3, w] as const),
);

/** The earliest birth day the ID scheme can encode (century digit 0 = the 1900s). */
const FIRST_BIRTH_DAY = daysFromCivil(1900, 1, 1);

/** Makes relatives with {@link PeopleGenerator} and links them to each other. */
export class FamilyGenerator {
  private readonly rng: SeededRandom;

  constructor(private readonly people: PeopleGenerator) {
    this.rng = people.rng;
  }

  /** A married couple around one spouse's birth; husband ≥ 20 and wife ≥ 18 today (legal marriage ages). */
  couple(anchorSex: Sex, anchorBirth: number): { husband: Draft; wife: Draft } {
    const husbandBirth = anchorSex === 'male' ? anchorBirth : this.husbandBirthFor(anchorBirth, null);
    const wifeBirth = anchorSex === 'female' ? anchorBirth : this.wifeBirthFor(anchorBirth);
    const husband = this.people.newPerson('male', husbandBirth, this.people.adultBirthProvince(), null);
    const wife = this.people.newPerson('female', wifeBirth, this.people.adultBirthProvince(), null);
    this.marry(husband, wife);
    return { husband, wife };
  }

  /**
   * The parents of an adult member who are still alive, as records linked to the member (father first); the father
   * carries the member's surname.
   */
  parentsOf(member: Draft): Draft[] {
    const motherBirth = member.birthDay - this.people.yearsAndDays(MOTHER_AGE_AT_BIRTH.pick(this.rng));
    const fatherBirth = this.husbandBirthFor(motherBirth, member.birthDay);
    const elders = this.elderCouple(fatherBirth, motherBirth, member.rec.surname, member.born);
    const father = elders.find((elder) => elder.rec.sex === 'male') ?? null;
    const mother = elders.find((elder) => elder.rec.sex === 'female') ?? null;
    // The member's home town (already inherited by the member's children) is the father's.
    const homeTown = member.rec.homeTown;
    this.linkParents(member, father, mother);
    member.rec.homeTown = homeTown;
    if (father) father.rec.homeTown = homeTown;
    if (!father) member.rec.fatherName = mother?.rec.spouseName ?? null;
    if (!mother) member.rec.motherName = father?.rec.spouseName ?? null;
    return elders;
  }

  /**
   * An elderly couple of whom each survives with a probability falling with age; a survivor whose spouse died is
   * widowed, the late spouse known by name. Returns the survivors, husband first.
   */
  elderCouple(husbandBirth: number, wifeBirth: number, surname: string, born: IdProvinceRow): Draft[] {
    const rng = this.rng;
    const husbandAlive = husbandBirth > this.people.today - yearsInDays(100) && rng.chance(survival(this.people.ageOf(husbandBirth)));
    const wifeAlive = wifeBirth > this.people.today - yearsInDays(102) && rng.chance(survival(this.people.ageOf(wifeBirth) - 5));
    const result: Draft[] = [];
    if (husbandAlive) result.push(this.people.newPerson('male', husbandBirth, born, surname));
    if (wifeAlive) result.push(this.people.newPerson('female', wifeBirth, this.people.adultBirthProvince(), null));
    if (result.length === 2) {
      this.marry(result[0], result[1]);
    } else if (result.length === 1) {
      const survivor = result[0];
      survivor.rec.maritalStatus = 'widowed';
      survivor.rec.spouseName = husbandAlive
        ? pickFullName(rng, 'female', yearOf(wifeBirth), this.people.surname(born))
        : pickFullName(rng, 'male', yearOf(husbandBirth), surname);
      survivor.rec.spouseNationality = 'VN';
    }
    return result;
  }

  /**
   * Marks `survivor` widowed. About one late spouse in three is a deceased record of the household (relationship
   * spouse, the two still pointing to each other); otherwise only the name is recorded. Returns the record, if any.
   */
  lateSpouse(survivor: Draft, birthDay: number, born: IdProvinceRow, surname: string | null, kids: Draft[]): Draft | null {
    const rng = this.rng;
    const sex: Sex = survivor.rec.sex === 'female' ? 'male' : 'female';
    if (rng.chance(0.36)) {
      const late = this.people.newPerson(sex, birthDay, born, surname);
      const youngest = kids.reduce((latest, kid) => Math.max(latest, kid.birthDay), -Infinity);
      if (this.people.kill(late, youngest)) {
        this.marry(survivor, late);
        survivor.rec.maritalStatus = 'widowed';
        for (const kid of kids) this.linkParents(kid, sex === 'male' ? late : null, sex === 'female' ? late : null);
        this.people.setRole(late, 'spouse');
        return late;
      }
    }
    const name = pickFullName(rng, sex, yearOf(birthDay), surname ?? this.people.surname(born));
    survivor.rec.maritalStatus = 'widowed';
    survivor.rec.spouseName = name;
    survivor.rec.spouseNationality = 'VN';
    for (const kid of kids) {
      if (sex === 'male') kid.rec.fatherName = name;
      else kid.rec.motherName = name;
    }
    return null;
  }

  /**
   * Birth days of a mother's children, oldest first: around `anchor` if given (that birth included), otherwise from
   * her first birth on. Births fall between her 18th and 45th birthdays and before today, and after the father's
   * 20th birthday.
   */
  childBirths(motherBirth: number, anchor: number | null, fatherBirth: number | null): number[] {
    const rng = this.rng;
    const motherYear = yearOf(motherBirth);
    let count = 0;
    for (const [until, table] of CHILDREN_BY_COHORT) {
      if (motherYear < until) {
        count = table.pick(rng);
        break;
      }
    }
    const earliest = Math.max(anniversary(motherBirth, 18), fatherBirth === null ? -Infinity : anniversary(fatherBirth, 20)) + 1;
    const latest = Math.min(this.people.lastDay, anniversary(motherBirth, 45) - 1);
    const births: number[] = [];
    if (anchor !== null) {
      births.push(anchor);
      const others = Math.max(0, count - 1);
      const older = rng.int(0, others);
      let day = anchor;
      for (let i = 0; i < older; i++) {
        day -= rng.int(640, 1900);
        if (day < earliest) break;
        births.push(day);
      }
      day = anchor;
      for (let i = older; i < others; i++) {
        day += rng.int(640, 1900);
        if (day > latest) break;
        births.push(day);
      }
      return births.sort((a, b) => a - b);
    }
    let day = Math.max(earliest, motherBirth + this.people.yearsAndDays(FIRST_BIRTH_AGE.pick(rng)));
    for (let i = 0; i < count && day <= latest; i++) {
      births.push(day);
      day += rng.int(640, 1900);
    }
    return births;
  }

  /**
   * Creates the children still living at home (minors always, adults less and less with age; the anchor always)
   * and links them to the parents present.
   */
  children(
    births: readonly number[],
    anchor: number | null,
    father: Draft | null,
    mother: Draft | null,
    surname: string,
    anchorSex?: Sex,
  ): Draft[] {
    const rng = this.rng;
    const parentKey = this.people.nextParentKey();
    const kids: Draft[] = [];
    for (const birth of births) {
      const isAnchor = birth === anchor;
      if (!isAnchor && !rng.chance(atHomeShare(this.people.ageOf(birth)))) continue;
      const sex: Sex = isAnchor && anchorSex ? anchorSex : rng.chance(0.512) ? 'male' : 'female';
      const kid = this.people.newPerson(sex, birth, this.people.household.localBirths, surname);
      kid.parentKey = parentKey;
      this.linkParents(kid, father, mother);
      kids.push(kid);
    }
    return kids;
  }

  /** A husband's birth day for a wife: the usual age gap, at least 20 at `firstChild` (if any) and today. */
  husbandBirthFor(wifeBirth: number, firstChild: number | null): number {
    const rng = this.rng;
    let birth = wifeBirth - this.people.yearsAndDays(SPOUSE_GAP.pick(rng));
    const latest = anniversary(Math.min(this.people.lastDay, firstChild ?? this.people.lastDay), -20) - 1;
    if (birth > latest) birth = latest - rng.int(0, 700);
    return birth >= FIRST_BIRTH_DAY ? birth : FIRST_BIRTH_DAY + rng.int(0, 3000);
  }

  /** A wife's birth day for a husband: the usual age gap, at least 18 today. */
  wifeBirthFor(husbandBirth: number): number {
    const rng = this.rng;
    let birth = husbandBirth + this.people.yearsAndDays(SPOUSE_GAP.pick(rng));
    const latest = anniversary(this.people.lastDay, -18) - 1;
    if (birth > latest) birth = latest - rng.int(0, 500);
    return birth >= FIRST_BIRTH_DAY ? birth : FIRST_BIRTH_DAY + rng.int(0, 3000);
  }

  /** Links two people as living spouses, both `married`. */
  marry(a: Draft, b: Draft): void {
    a.rec.spouseIdNumber = b.rec.idNumber;
    a.rec.spouseName = b.rec.fullName;
    a.rec.spouseNationality = 'VN';
    a.rec.maritalStatus = 'married';
    b.rec.spouseIdNumber = a.rec.idNumber;
    b.rec.spouseName = a.rec.fullName;
    b.rec.spouseNationality = 'VN';
    b.rec.maritalStatus = 'married';
  }

  /** Links a child to the parents present; the home town (quê quán) follows the father. */
  linkParents(child: Draft, father: Draft | null, mother: Draft | null): void {
    if (father) {
      child.rec.fatherIdNumber = father.rec.idNumber;
      child.rec.fatherName = father.rec.fullName;
      child.rec.homeTown = father.rec.homeTown;
    }
    if (mother) {
      child.rec.motherIdNumber = mother.rec.idNumber;
      child.rec.motherName = mother.rec.fullName;
    }
  }

  /**
   * Parents outside the dataset are usually known by name (siblings share them); children of a never-married
   * mother have no father's name.
   */
  nameAbsentParents(member: Draft, shared: Map<number, readonly [string | null, string | null]>): void {
    const rec = member.rec;
    if (rec.fatherName !== null && rec.motherName !== null) return;
    let names = shared.get(member.parentKey);
    if (!names) {
      const rng = this.rng;
      const year = yearOf(member.birthDay);
      const known = rng.chance(year < 1950 ? 0.6 : 0.9);
      names = known
        ? [
            member.noFather ? null : pickFullName(rng, 'male', year - 28, rec.surname),
            pickFullName(rng, 'female', year - 26, this.people.surname(member.born)),
          ]
        : [null, null];
      shared.set(member.parentKey, names);
    }
    if (rec.fatherName === null && !member.noFather) rec.fatherName = names[0];
    if (rec.motherName === null) rec.motherName = names[1];
  }
}

/** Chance that a parent of that age is still alive (approximate Vietnamese life table). */
function survival(age: number): number {
  return age < 60 ? 0.97 : age < 70 ? 0.9 : age < 80 ? 0.72 : age < 90 ? 0.45 : age < 95 ? 0.25 : 0.1;
}

/** Share of children of that age who still live in their parents' household. */
function atHomeShare(age: number): number {
  return age < 18 ? 1 : age < 23 ? 0.75 : age < 28 ? 0.45 : age < 35 ? 0.2 : 0.05;
}
