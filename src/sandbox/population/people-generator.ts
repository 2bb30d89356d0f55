import type { Address, CitizenRecord, HouseholdRelationship, IdCard } from '../../registry/citizen.js';
import { centurySexDigit, composeIdNumber, PERSONA_RANDOM_FLOOR, type Sex } from '../../identity/id-number.js';
import { CardGenerator } from './card-generator.js';
import { ageOn, anniversary, isoDate, isoMonth, yearOf, yearsInDays } from '../../identity/calendar-days.js';
import { idCardIssuedOn } from '../../identity/id-card-rule.js';
import { BLOOD_GROUPS, EMAIL_DOMAINS, MOBILE_PREFIXES, SAINT_NAMES } from './population-tables.js';
import type { EthnicGroup, IdProvinceRow, ProvinceRow, ReferenceTables } from './reference-tables.js';
import { ScrambledSequences } from './scrambled-sequence.js';
import { type SeededRandom, WeightedTable } from './seeded-random.js';
import { SurnamePicker, asciiName, pickGivenName, pickMiddleName } from './vietnamese-names.js';

/**
 * One generated person at a time: name, birth date, ID number, cards, contacts, where born, and the life events
 * (death, going missing) that change a record's status. Each person is made for the household being assembled,
 * whose group, religion and address they take.
 */

/** A member while its household is being assembled. */
export interface Draft {
  rec: CitizenRecord;
  birthDay: number;
  /** Province of birth registration (its surname form, home town). */
  born: IdProvinceRow;
  /** Drafts with the same key are siblings and share the names of parents outside the dataset. */
  parentKey: number;
  /** Father unknown (a child of a never-married mother): no father's name is invented. */
  noFather: boolean;
  cardIssueDay: number;
  /** Day of death, or +Infinity. */
  deathDay: number;
  /** Already in the household's member list. */
  placed: boolean;
}

/** Everything members of one household share. */
export interface HouseholdContext {
  id: string;
  ethnic: EthnicGroup;
  religionCode: string;
  province: ProvinceRow;
  address: Address;
  /** Where children born into this household were registered. */
  localBirths: IdProvinceRow;
  members: Draft[];
}

const MOBILE_PREFIX_TABLE = new WeightedTable(MOBILE_PREFIXES);
const EMAIL_DOMAIN_TABLE = new WeightedTable(EMAIL_DOMAINS);
const BLOOD_GROUP_TABLE = new WeightedTable(BLOOD_GROUPS);

/** Makes people from the dataset's random stream; ID numbers are unique within the dataset. */
export class PeopleGenerator {
  readonly lastDay: number;
  /** Random parts of ID numbers, by (province, century/sex digit, two-digit year). */
  private readonly idRandomParts: ScrambledSequences;
  private readonly cards: CardGenerator;
  private parentKeys = 0;
  private current!: HouseholdContext;

  /** Takes two draws from `rng` (the keys of the ID numbers and of the old ID numbers), in that order. */
  constructor(
    readonly rng: SeededRandom,
    readonly tables: ReferenceTables,
    /** The generator's "today", in days. */
    readonly today: number,
  ) {
    this.lastDay = today - 1;
    this.idRandomParts = new ScrambledSequences(rng.nextUint32(), 100_000, PERSONA_RANDOM_FLOOR);
    this.cards = new CardGenerator(rng, this.lastDay);
  }

  /** The household being assembled (see {@link startHousehold}): every new person belongs to it. */
  get household(): HouseholdContext {
    return this.current;
  }

  startHousehold(household: HouseholdContext): void {
    this.current = household;
  }

  /** A new key for a group of siblings (see {@link Draft.parentKey}). */
  nextParentKey(): number {
    return ++this.parentKeys;
  }

  // ----- one person

  /**
   * A new person of the household being assembled, not yet placed in it (see {@link setRole}): name, birth date
   * as recorded, ID numbers, card, contact details; single and alive, with no relatives linked.
   */
  newPerson(sex: Sex, birthDay: number, born: IdProvinceRow, surname: string | null): Draft {
    const rng = this.rng;
    const ctx = this.household;
    const year = yearOf(birthDay);
    const age = this.ageOf(birthDay);
    const family = surname ?? this.surname(born);
    const given = pickGivenName(rng, sex, year);
    const middle = pickMiddleName(rng, sex, year, given);

    let dateOfBirth = isoDate(birthDay);
    if (year < 1950) {
      // Old records often hold only the year, or month and year (Law on Identification 2023, art. 9 item 4).
      const r = rng.next();
      if (r < 0.05) dateOfBirth = String(year);
      else if (r < 0.08) dateOfBirth = isoMonth(birthDay);
    }

    const oldIdNumber = this.cards.oldIdNumber(born.oldIdPrefix, year);

    const cardIssueDay = this.cards.cardIssueDay(birthDay, age);
    const idCard: IdCard | null = cardIssueDay >= 0 ? idCardIssuedOn(birthDay, cardIssueDay) : null;

    let phoneNumber: string | null = null;
    let email: string | null = null;
    if (age >= 15) {
      if (rng.chance(age < 18 ? 0.6 : age < 70 ? 0.92 : age < 80 ? 0.7 : 0.45)) {
        phoneNumber = MOBILE_PREFIX_TABLE.pick(rng) + String(Math.floor(rng.next() * 10_000_000)).padStart(7, '0');
      }
      if (rng.chance(age < 18 ? 0.15 : age < 40 ? 0.5 : age < 60 ? 0.3 : 0.08)) {
        const local = rng.chance(0.5)
          ? asciiName(given) + '.' + asciiName(family) + String(year % 100).padStart(2, '0')
          : asciiName(family) + asciiName(given) + rng.int(1, 9999);
        email = local + '@' + EMAIL_DOMAIN_TABLE.pick(rng);
      }
    }

    const rec: CitizenRecord = {
      idNumber: this.newIdNumber(born, sex, year),
      surname: family,
      middleName: middle,
      givenName: given,
      fullName: family + ' ' + middle + ' ' + given,
      otherNames: ctx.religionCode === this.tables.catholicCode && rng.chance(0.1) ? rng.pick(SAINT_NAMES[sex]) : null,
      dateOfBirth,
      sex,
      placeOfBirth: born.name,
      birthRegistrationProvinceIdCode: born.idCode,
      birthRegistrationPlace: born.name,
      homeTown: rng.pick(rng.chance(0.8) ? born.province.homeTowns : this.tables.migrants.pick(rng).province.homeTowns),
      ethnicityCode: ctx.ethnic.code,
      religionCode: ctx.religionCode,
      nationality: 'VN',
      bloodGroup: rng.chance(0.3) ? BLOOD_GROUP_TABLE.pick(rng) : null,
      oldIdNumber,
      idCard,
      fatherIdNumber: null,
      fatherName: null,
      motherIdNumber: null,
      motherName: null,
      spouseIdNumber: null,
      spouseName: null,
      spouseNationality: null,
      permanentAddress: ctx.address,
      temporaryAddress: null,
      currentAddress: ctx.address,
      maritalStatus: 'single',
      householdId: ctx.id,
      householdRelationship: 'other',
      status: 'alive',
      statusDate: null,
      phoneNumber,
      email,
    };
    return {
      rec,
      birthDay,
      born,
      parentKey: this.nextParentKey(),
      noFather: false,
      cardIssueDay,
      deathDay: Infinity,
      placed: false,
    };
  }

  /**
   * A unique number: composeIdNumber with a random part below the personas' reserved range, unique per
   * (province, century/sex digit, year), which makes the whole number unique.
   */
  private newIdNumber(born: IdProvinceRow, sex: Sex, year: number): string {
    const digit = centurySexDigit(sex, year);
    const random = this.idRandomParts.next(born.numeric * 1000 + digit * 100 + (year % 100));
    return composeIdNumber(born.idCode, sex, year, random);
  }

  /** A surname from the household's group table, in the northern or southern form of the birth province. */
  surname(born: IdProvinceRow): string {
    return SurnamePicker.pick(this.household.ethnic.surnames, this.rng, this.rng.next() < born.south);
  }

  /** Where an adult of this household was born: locally, or a migrant from elsewhere (Hà Nội draws most). */
  adultBirthProvince(): IdProvinceRow {
    const ctx = this.household;
    if (ctx.ethnic.minority && ctx.province.code === '01') {
      // A minority member living in Hà Nội was born in the group's homeland.
      for (let tries = 0; tries < 4; tries++) {
        const province = ctx.ethnic.residence.pick(this.rng);
        if (province.code !== '01') return province.births.pick(this.rng);
      }
      return ctx.localBirths;
    }
    const hanoi = ctx.province.code === '01';
    if (!this.rng.chance(hanoi ? 0.3 : 0.12)) return ctx.localBirths;
    // Minorities move within their homelands; Kinh migrants come from anywhere, to Hà Nội mostly from the North.
    if (ctx.ethnic.minority) return ctx.ethnic.residence.pick(this.rng).births.pick(this.rng);
    return (hanoi ? this.tables.hanoiMigrants : this.tables.migrants).pick(this.rng);
  }

  /** Sets the relationship to the head; a member placed twice keeps its latest relationship. */
  setRole(member: Draft, relationship: HouseholdRelationship): void {
    member.rec.householdRelationship = relationship;
    if (!member.placed) {
      member.placed = true;
      this.household.members.push(member);
    }
  }

  // ----- dates

  /** Age today. */
  ageOf(birthDay: number): number {
    return ageOn(birthDay, this.today);
  }

  /**
   * A birth day giving exactly that age both today and yesterday, uniform over the year of age (so a married anchor
   * was of legal age before today).
   */
  birthDayForAge(age: number): number {
    const start = anniversary(this.today, -age - 1) + 1;
    const end = anniversary(this.lastDay, -age);
    return this.rng.int(start, end);
  }

  /** Whole years plus a random part of a year, in days. */
  yearsAndDays(n: number): number {
    return yearsInDays(n) + this.rng.int(0, 364);
  }

  // ----- life status (Law on Identification 2023, art. 9 item 24)

  /**
   * Records a death on a day after the 20th birthday, after the youngest child's birth and within the last 25
   * years, before today. Returns false when no such day exists.
   */
  kill(member: Draft, youngestChild: number): boolean {
    const earliest = Math.max(anniversary(member.birthDay, 20), youngestChild + 1, anniversary(this.today, -25));
    if (earliest > this.lastDay) return false;
    const day = this.rng.int(earliest, this.lastDay);
    member.deathDay = day;
    member.rec.status = 'deceased';
    member.rec.statusDate = isoDate(day);
    member.rec.phoneNumber = null;
    member.rec.email = null;
    if (member.cardIssueDay >= day) {
      member.rec.idCard = null;
      member.cardIssueDay = -1;
    }
    return true;
  }

  /** A few deaths (rising with age) and rare disappearances among members other than the head. */
  maybeDieOrGoMissing(member: Draft, members: readonly Draft[]): void {
    const rng = this.rng;
    const rec = member.rec;
    if (rec.status !== 'alive') return;
    const age = this.ageOf(member.birthDay);
    const deathShare = age < 50 ? 0.001 : age < 65 ? 0.008 : age < 75 ? 0.03 : age < 85 ? 0.06 : 0.1;
    if (rng.chance(deathShare)) {
      let youngest = -Infinity;
      for (const other of members) {
        if (other.rec.fatherIdNumber === rec.idNumber || other.rec.motherIdNumber === rec.idNumber) {
          youngest = Math.max(youngest, other.birthDay);
        }
      }
      if (this.kill(member, youngest) && rec.spouseIdNumber !== null) {
        const spouse = members.find((other) => other.rec.idNumber === rec.spouseIdNumber);
        if (spouse) settleWidowhood(member, spouse);
      }
      return;
    }
    if (age >= 18 && age <= 65 && rng.chance(0.003)) {
      const earliest = Math.max(anniversary(member.birthDay, 16), this.today - yearsInDays(12));
      if (earliest > this.lastDay - 30) return;
      rec.status = 'missing';
      rec.statusDate = isoDate(rng.int(earliest, this.lastDay - 30));
    }
  }
}

/**
 * Marital status once `member` has died married to `spouse`: the one who outlives the other is widowed from the first
 * death on, the one who dies first dies married (both, if they die the same day). The spouse may be alive, or may have
 * died before or after `member`: a late spouse's day of death and a death drawn here are independent.
 */
function settleWidowhood(member: Draft, spouse: Draft): void {
  spouse.rec.maritalStatus = spouse.deathDay > member.deathDay ? 'widowed' : 'married';
  member.rec.maritalStatus = member.deathDay > spouse.deathDay ? 'widowed' : 'married';
}
