import type { HouseholdRecord, HouseholdRelationship } from '../../registry/citizen.js';
import type { Sex } from '../../identity/id-number.js';
import { legacyAddress, modernAddress, temporaryAddress } from './address-generator.js';
import { anniversary, yearOf } from '../../identity/calendar-days.js';
import { MOTHER_AGE_AT_BIRTH, type FamilyGenerator } from './family-generator.js';
import type { Draft, PeopleGenerator } from './people-generator.js';
import { FOREIGN_SPOUSES } from './population-tables.js';
import { type SeededRandom, WeightedTable } from './seeded-random.js';
import { pickFullName } from './vietnamese-names.js';

/**
 * Households, one at a time: the shape of the family around one person of a given age (a young family, a couple
 * living with the husband's parents, a widow with an adult child...), each member's relationship to the head, and
 * what is settled once all members are known (order, a pre-2025 address, deaths, absent parents, temporary
 * residence).
 */

/** A household and its members, head first, still as drafts. */
export interface AssembledHousehold {
  household: HouseholdRecord;
  members: Draft[];
}

const FOREIGN_SPOUSE_TABLE = new WeightedTable(FOREIGN_SPOUSES.map((row) => [row, row.weight] as const));

/** The order of members in a household's list, head first. */
const RANK: Record<HouseholdRelationship, number> = {
  head: 0,
  spouse: 1,
  parent: 2,
  child: 3,
  other: 4,
  grandchild: 5,
  sibling: 6,
};

/** Builds households with {@link PeopleGenerator} and {@link FamilyGenerator}. */
export class HouseholdGenerator {
  private readonly rng: SeededRandom;
  private householdSequence = 0;

  constructor(
    private readonly people: PeopleGenerator,
    private readonly family: FamilyGenerator,
  ) {
    this.rng = people.rng;
  }

  /** The next household, built around a person of `anchorAge`. */
  next(anchorAge: number): AssembledHousehold {
    this.beginHousehold();
    if (anchorAge < 18) this.childAnchored(anchorAge);
    else if (anchorAge < 30) this.youngAdultAnchored(anchorAge);
    else if (anchorAge < 60) this.adultAnchored(anchorAge);
    else this.elderAnchored(anchorAge);
    return this.finishHousehold();
  }

  private beginHousehold(): void {
    const rng = this.rng;
    const ethnic = this.people.tables.ethnicGroups.pick(rng);
    const province = ethnic.residence.pick(rng);
    const info = rng.pick(province.communes);
    this.householdSequence++;
    this.people.startHousehold({
      id: 'HH' + String(this.householdSequence).padStart(10, '0'),
      ethnic,
      religionCode: ethnic.religions.pick(rng),
      province,
      address: modernAddress(rng, info, ethnic.minority),
      localBirths: province.births.pick(rng),
      members: [],
    });
  }

  // ----- scenarios, by the age of the person the household is built around

  private childAnchored(age: number): void {
    const rng = this.rng;
    const anchorBirth = this.people.birthDayForAge(age);
    const motherBirth = anchorBirth - this.people.yearsAndDays(MOTHER_AGE_AT_BIRTH.pick(rng));
    const r = rng.next();
    if (r < 0.74) this.twoParentFamily(motherBirth, anchorBirth, rng.next());
    else if (r < 0.87) this.singleParentFamily(motherBirth, anchorBirth);
    else if (r < 0.93) this.grandparentsWithGrandchildren(motherBirth, anchorBirth);
    else this.twoParentFamily(motherBirth, anchorBirth, 0.97);
  }

  private youngAdultAnchored(age: number): void {
    const rng = this.rng;
    const sex: Sex = rng.chance(0.5) ? 'female' : 'male';
    // Share already married, by age (approximate 2019 census shape; legal ages 18 for women, 20 for men).
    const marriedShare =
      sex === 'female'
        ? age < 20 ? 0.1 : age < 23 ? 0.3 : age < 26 ? 0.55 : 0.75
        : age < 20 ? 0 : age < 23 ? 0.1 : age < 26 ? 0.3 : 0.55;
    const anchorBirth = this.people.birthDayForAge(age);
    if (rng.chance(marriedShare)) {
      this.couplesHousehold(sex, anchorBirth, 0.3, 0);
    } else if (rng.chance(age < 23 ? 0.95 : 0.8)) {
      // Young single adults mostly stay registered in their parents' household.
      const motherBirth = anchorBirth - this.people.yearsAndDays(MOTHER_AGE_AT_BIRTH.pick(rng));
      this.twoParentFamily(motherBirth, anchorBirth, rng.next() * 0.9, sex);
    } else {
      this.people.setRole(this.people.newPerson(sex, anchorBirth, this.people.adultBirthProvince(), null), 'head');
    }
  }

  private adultAnchored(age: number): void {
    const rng = this.rng;
    const sex: Sex = rng.chance(0.5) ? 'female' : 'male';
    const anchorBirth = this.people.birthDayForAge(age);
    const r = rng.next();
    const widowedShare = age < 45 ? 0.015 : 0.05;
    if (r < 0.8) {
      this.couplesHousehold(sex, anchorBirth, 0, 0.22);
    } else if (r < 0.85) {
      this.divorcedAdult(sex, anchorBirth);
    } else if (r < 0.85 + widowedShare) {
      this.widowedAdult(sex, anchorBirth, rng.chance(0.6));
    } else if (age < 45 && rng.chance(0.35)) {
      const motherBirth = anchorBirth - this.people.yearsAndDays(MOTHER_AGE_AT_BIRTH.pick(rng));
      this.twoParentFamily(motherBirth, anchorBirth, 0.5, sex);
    } else {
      this.people.setRole(this.people.newPerson(sex, anchorBirth, this.people.adultBirthProvince(), null), 'head');
    }
  }

  private elderAnchored(age: number): void {
    const rng = this.rng;
    const sex: Sex = rng.chance(age < 70 ? 0.53 : age < 80 ? 0.58 : 0.65) ? 'female' : 'male';
    const anchorBirth = this.people.birthDayForAge(age);
    const marriedShare =
      sex === 'female' ? (age < 70 ? 0.62 : age < 80 ? 0.45 : 0.22) : age < 70 ? 0.85 : age < 80 ? 0.72 : 0.55;
    const r = rng.next();
    if (r < marriedShare) {
      const { husband, wife } = this.family.couple(sex, anchorBirth);
      const arrangement = rng.next();
      if (arrangement < 0.5 || !this.withAdultChild([husband, wife], husband, wife, arrangement < 0.85)) {
        this.people.setRole(husband, 'head');
        this.people.setRole(wife, 'spouse');
      }
    } else if (r < marriedShare + 0.05) {
      const person = this.people.newPerson(sex, anchorBirth, this.people.adultBirthProvince(), null);
      if (r < marriedShare + 0.03) person.rec.maritalStatus = 'divorced';
      this.people.setRole(person, 'head');
    } else {
      this.widowedAdult(sex, anchorBirth, rng.chance(0.55));
    }
  }

  // ----- family shapes

  /**
   * Father, mother and their children at home, built around one child's birth. `shape` chooses the arrangement:
   * below 0.78 a nuclear household, up to 0.93 with the father's parents, above that with the head's sibling.
   */
  private twoParentFamily(motherBirth: number, anchorBirth: number, shape: number, anchorSex?: Sex): void {
    const rng = this.rng;
    const births = this.family.childBirths(motherBirth, anchorBirth, null);
    const fatherBirth = this.family.husbandBirthFor(motherBirth, births[0]);
    const father = this.people.newPerson('male', fatherBirth, this.people.adultBirthProvince(), null);
    const mother = this.people.newPerson('female', motherBirth, this.people.adultBirthProvince(), null);
    this.family.marry(father, mother);
    const kids = this.family.children(births, anchorBirth, father, mother, father.rec.surname, anchorSex);
    if (shape >= 0.78 && shape < 0.93) {
      const grandparents = this.family.parentsOf(father);
      if (grandparents.length > 0 && rng.chance(0.35)) {
        // The grandfather (or grandmother) still heads the household: the son's wife is "other", his children
        // are grandchildren.
        this.people.setRole(grandparents[0], 'head');
        if (grandparents.length > 1) this.people.setRole(grandparents[1], 'spouse');
        this.people.setRole(father, 'child');
        this.people.setRole(mother, 'other');
        for (const kid of kids) this.people.setRole(kid, 'grandchild');
        return;
      }
      for (const grandparent of grandparents) this.people.setRole(grandparent, 'parent');
    }
    const fatherHeads = shape >= 0.78 || rng.chance(0.85);
    this.people.setRole(fatherHeads ? father : mother, 'head');
    this.people.setRole(fatherHeads ? mother : father, 'spouse');
    for (const kid of kids) this.people.setRole(kid, 'child');
    if (shape >= 0.93) {
      const siblingBirth = Math.min(anniversary(this.people.lastDay, -18) - rng.int(0, 2000), fatherBirth + rng.int(-3000, 3000));
      const sibling = this.people.newPerson(rng.chance(0.5) ? 'male' : 'female', siblingBirth, father.born, father.rec.surname);
      sibling.parentKey = father.parentKey;
      sibling.rec.homeTown = father.rec.homeTown;
      this.people.setRole(sibling, 'sibling');
    }
  }

  /** A divorced, widowed or never-married parent with the children at home. */
  private singleParentFamily(motherBirth: number, anchorBirth: number): void {
    const rng = this.rng;
    const births = this.family.childBirths(motherBirth, anchorBirth, null);
    const fatherBirth = this.family.husbandBirthFor(motherBirth, births[0]);
    const r = rng.next();
    const status = r < 0.55 ? 'divorced' : r < 0.8 ? 'widowed' : 'single';
    const fatherBorn = this.people.adultBirthProvince();
    if (status === 'single' || rng.chance(0.85)) {
      const mother = this.people.newPerson('female', motherBirth, this.people.adultBirthProvince(), null);
      this.people.setRole(mother, 'head');
      if (status === 'single') {
        for (const kid of this.family.children(births, anchorBirth, null, mother, mother.rec.surname)) {
          kid.noFather = true;
          this.people.setRole(kid, 'child');
        }
        return;
      }
      const fatherSurname = this.people.surname(fatherBorn);
      const kids = this.family.children(births, anchorBirth, null, mother, fatherSurname);
      for (const kid of kids) this.people.setRole(kid, 'child');
      if (status === 'widowed') {
        this.family.lateSpouse(mother, fatherBirth, fatherBorn, fatherSurname, kids);
      } else {
        mother.rec.maritalStatus = 'divorced';
        const fatherName = pickFullName(rng, 'male', yearOf(fatherBirth), fatherSurname);
        for (const kid of kids) kid.rec.fatherName = fatherName;
      }
      return;
    }
    const father = this.people.newPerson('male', fatherBirth, fatherBorn, null);
    this.people.setRole(father, 'head');
    const kids = this.family.children(births, anchorBirth, father, null, father.rec.surname);
    for (const kid of kids) this.people.setRole(kid, 'child');
    if (status === 'widowed') {
      this.family.lateSpouse(father, motherBirth, this.people.adultBirthProvince(), null, kids);
    } else {
      father.rec.maritalStatus = 'divorced';
      const motherName = pickFullName(rng, 'female', yearOf(motherBirth), this.people.surname(this.people.household.localBirths));
      for (const kid of kids) kid.rec.motherName = motherName;
    }
  }

  /** Children left with their grandparents while the parents work elsewhere (parents known by name only). */
  private grandparentsWithGrandchildren(motherBirth: number, anchorBirth: number): void {
    const rng = this.rng;
    const births = this.family.childBirths(motherBirth, anchorBirth, null);
    const fatherBirth = this.family.husbandBirthFor(motherBirth, births[0]);
    const paternal = rng.chance(0.7);
    const fatherSurname = this.people.surname(this.people.household.localBirths);
    const motherSurname = this.people.surname(this.people.household.localBirths);
    const parentBirth = paternal ? fatherBirth : motherBirth;
    const grandmotherBirth = parentBirth - this.people.yearsAndDays(MOTHER_AGE_AT_BIRTH.pick(rng));
    const grandfatherBirth = this.family.husbandBirthFor(grandmotherBirth, parentBirth);
    const localBirths = this.people.household.localBirths;
    const grandparents = this.family.elderCouple(grandfatherBirth, grandmotherBirth, paternal ? fatherSurname : motherSurname, localBirths);
    if (grandparents.length === 0) {
      this.twoParentFamily(motherBirth, anchorBirth, 0);
      return;
    }
    const fatherName = pickFullName(rng, 'male', yearOf(fatherBirth), fatherSurname);
    const motherName = pickFullName(rng, 'female', yearOf(motherBirth), motherSurname);
    this.people.setRole(grandparents[0], 'head');
    if (grandparents.length > 1) this.people.setRole(grandparents[1], 'spouse');
    for (const kid of this.family.children(births, anchorBirth, null, null, fatherSurname)) {
      kid.rec.fatherName = fatherName;
      kid.rec.motherName = motherName;
      this.people.setRole(kid, 'grandchild');
    }
  }

  /**
   * A married couple and their children at home; with probability `withHusbandsParents` they live in the husband's
   * parents' household, with probability `withElders` the elders live in theirs.
   */
  private couplesHousehold(anchorSex: Sex, anchorBirth: number, withHusbandsParents: number, withElders: number): void {
    const rng = this.rng;
    if (rng.chance(0.004)) {
      this.foreignSpouseCouple(anchorSex, anchorBirth);
      return;
    }
    const { husband, wife } = this.family.couple(anchorSex, anchorBirth);
    const births = this.family.childBirths(wife.birthDay, null, husband.birthDay);
    const kids = this.family.children(births, null, husband, wife, husband.rec.surname);
    if (rng.chance(withHusbandsParents)) {
      const elders = this.family.parentsOf(husband);
      if (elders.length > 0) {
        this.people.setRole(elders[0], 'head');
        if (elders.length > 1) this.people.setRole(elders[1], 'spouse');
        this.people.setRole(husband, 'child');
        this.people.setRole(wife, 'other');
        for (const kid of kids) this.people.setRole(kid, 'grandchild');
        return;
      }
    }
    const husbandHeads = rng.chance(0.87);
    this.people.setRole(husbandHeads ? husband : wife, 'head');
    this.people.setRole(husbandHeads ? wife : husband, 'spouse');
    for (const kid of kids) this.people.setRole(kid, 'child');
    if (rng.chance(withElders)) {
      for (const elder of this.family.parentsOf(rng.chance(0.8) ? husband : wife)) this.people.setRole(elder, 'parent');
    }
  }

  /** A widow or widower; the late spouse is a deceased record of the household or only a name. */
  private widowedAdult(sex: Sex, anchorBirth: number, withChild: boolean): void {
    const person = this.people.newPerson(sex, anchorBirth, this.people.adultBirthProvince(), null);
    const female = sex === 'female';
    const spouseBirth = female ? this.family.husbandBirthFor(anchorBirth, null) : this.family.wifeBirthFor(anchorBirth);
    const late = this.family.lateSpouse(person, spouseBirth, this.people.adultBirthProvince(), female ? null : person.rec.surname, []);
    const husband = female ? late : person;
    const wife = female ? person : late;
    const motherBirth = female ? anchorBirth : spouseBirth;
    const fatherBirth = female ? spouseBirth : anchorBirth;
    if (withChild && this.withAdultChild([person], husband, wife, this.rng.chance(0.75), motherBirth, fatherBirth)) return;
    this.people.setRole(person, 'head');
  }

  private divorcedAdult(sex: Sex, anchorBirth: number): void {
    const rng = this.rng;
    const person = this.people.newPerson(sex, anchorBirth, this.people.adultBirthProvince(), null);
    person.rec.maritalStatus = 'divorced';
    this.people.setRole(person, 'head');
    if (sex === 'female' && rng.chance(0.6)) {
      const fatherBirth = this.family.husbandBirthFor(anchorBirth, null);
      const fatherSurname = this.people.surname(person.born);
      const fatherName = pickFullName(rng, 'male', yearOf(fatherBirth), fatherSurname);
      for (const kid of this.family.children(this.family.childBirths(anchorBirth, null, fatherBirth), null, null, person, fatherSurname)) {
        kid.rec.fatherName = fatherName;
        this.people.setRole(kid, 'child');
      }
    }
  }

  /**
   * Elders living with one adult child, married with spouse and children (`married`) or single. Half the time an
   * elder heads the household, otherwise the child does and the elders are "parent". `father` and `mother` are the
   * child's parents as records (living or deceased) or null when known by name only; their birth days bound the
   * child's. Returns false when no child's birth day fits (the caller then makes the elder live alone).
   */
  private withAdultChild(
    elders: Draft[],
    father: Draft | null,
    mother: Draft | null,
    married: boolean,
    motherBirth = mother!.birthDay,
    fatherBirth = father!.birthDay,
  ): boolean {
    const rng = this.rng;
    const earliest = Math.max(anniversary(motherBirth, 18), anniversary(fatherBirth, 20)) + 1;
    const latest = Math.min(
      anniversary(this.people.lastDay, married ? -21 : -18),
      anniversary(motherBirth, 45) - 1,
      father ? father.deathDay : Infinity,
      mother ? mother.deathDay : Infinity,
    );
    if (earliest > latest) return false;
    const childBirth = Math.min(latest, Math.max(earliest, motherBirth + this.people.yearsAndDays(MOTHER_AGE_AT_BIRTH.pick(rng))));
    const widow = elders[0];
    const lateHusbandName = father === null ? widow.rec.spouseName : null;
    const localBirths = this.people.household.localBirths;
    const surname = father ? father.rec.surname : (lateHusbandName?.split(' ')[0] ?? this.people.surname(localBirths));
    const son = rng.chance(married ? 0.75 : 0.55);
    const child = this.people.newPerson(son ? 'male' : 'female', childBirth, localBirths, surname);
    this.family.linkParents(child, father, mother);
    if (father === null) child.rec.fatherName = lateHusbandName;
    if (mother === null) child.rec.motherName = widow.rec.spouseName;
    const elderHeads = rng.chance(0.5);
    const relationshipOfElders: HouseholdRelationship = elderHeads ? 'spouse' : 'parent';
    if (elderHeads) this.people.setRole(elders[0], 'head');
    else this.people.setRole(child, 'head');
    for (const elder of elderHeads ? elders.slice(1) : elders) this.people.setRole(elder, relationshipOfElders);
    // A late parent's record follows the living one: the head's spouse, or the head's parent.
    for (const parent of [father, mother]) {
      if (parent && parent.placed && parent.rec.status === 'deceased') this.people.setRole(parent, relationshipOfElders);
    }
    if (elderHeads) this.people.setRole(child, 'child');
    if (!married) return true;
    const partnerBirth = son ? this.family.wifeBirthFor(childBirth) : this.family.husbandBirthFor(childBirth, null);
    const partner = this.people.newPerson(son ? 'female' : 'male', partnerBirth, this.people.adultBirthProvince(), null);
    this.family.marry(child, partner);
    const husband = son ? child : partner;
    const wife = son ? partner : child;
    const kids = this.family.children(this.family.childBirths(wife.birthDay, null, husband.birthDay), null, husband, wife, husband.rec.surname);
    this.people.setRole(partner, elderHeads ? 'other' : 'spouse');
    for (const kid of kids) this.people.setRole(kid, elderHeads ? 'grandchild' : 'child');
    return true;
  }

  /** Married to a foreigner, who has no record: the spouse is known by name and nationality only. */
  private foreignSpouseCouple(anchorSex: Sex, anchorBirth: number): void {
    const rng = this.rng;
    const person = this.people.newPerson(anchorSex, anchorBirth, this.people.adultBirthProvince(), null);
    const foreign = FOREIGN_SPOUSE_TABLE.pick(rng);
    person.rec.maritalStatus = 'married';
    person.rec.spouseName = rng.pick(anchorSex === 'female' ? foreign.male : foreign.female);
    person.rec.spouseNationality = foreign.nationality;
    this.people.setRole(person, 'head');
  }

  // ----- closing a household

  /** Orders the members head first, then lets a few die or go missing and fills in what depends on the others. */
  private finishHousehold(): AssembledHousehold {
    const rng = this.rng;
    const ctx = this.people.household;
    const members = ctx.members;
    members.sort((a, b) => RANK[a.rec.householdRelationship] - RANK[b.rec.householdRelationship] || a.birthDay - b.birthDay);
    const head = members[0];

    if (ctx.province.legacy && this.people.ageOf(head.birthDay) >= 45 && rng.chance(0.25)) {
      // Older registrations that nobody updated since July 2025 still carry the district.
      const address = legacyAddress(rng, ctx.province.legacy);
      for (const member of members) {
        member.rec.permanentAddress = address;
        member.rec.currentAddress = address;
      }
      ctx.address = address;
    }

    for (let i = 1; i < members.length; i++) this.people.maybeDieOrGoMissing(members[i], members);
    const sharedNames = new Map<number, readonly [string | null, string | null]>();
    for (const member of members) {
      this.family.nameAbsentParents(member, sharedNames);
      this.maybeTemporaryAddress(member);
    }
    return { household: { householdId: ctx.id, headIdNumber: head.rec.idNumber, address: ctx.address }, members };
  }

  /** Married and widowed people live with their (late) spouse; others may live elsewhere on a temporary registration. */
  private maybeTemporaryAddress(member: Draft): void {
    const rec = member.rec;
    if (rec.status !== 'alive' || rec.maritalStatus === 'married' || rec.maritalStatus === 'widowed') return;
    const age = this.people.ageOf(member.birthDay);
    const address = temporaryAddress(this.rng, age, rec.permanentAddress, this.people.tables.provinces);
    if (!address) return;
    rec.temporaryAddress = address;
    rec.currentAddress = address;
  }
}
