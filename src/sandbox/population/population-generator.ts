import { ReferenceData } from '../../reference/reference-data.js';
import type {
  Address,
  CitizenRecord,
  HouseholdRecord,
  HouseholdRelationship,
  IdCard,
} from '../../registry/citizen.js';
import { PERSONA_RANDOM_FLOOR, centurySexDigit, composeIdNumber, type Sex } from '../../identity/id-number.js';
import {
  LEGACY_PROVINCES,
  communeInfo,
  legacyAddress,
  modernAddress,
  type CommuneInfo,
  type LegacyProvince,
} from './address-generator.js';
import {
  ageOn,
  anniversary,
  dayOfDate,
  daysFromCivil,
  isoDate,
  isoMonth,
  yearOf,
} from '../../identity/calendar-days.js';
import { cardExpiryDay, idCardIssuedOn } from '../../identity/id-card-rule.js';
import { ScrambledSequences } from './scrambled-sequence.js';
import {
  AGE_BAND_PERCENT,
  AGE_BAND_STARTS,
  BLOOD_GROUPS,
  EMAIL_DOMAINS,
  ETHNIC_GROUPS,
  FOREIGN_SPOUSES,
  GROUP_RELIGION_PERCENT,
  HANOI_HOUSEHOLD_SHARE,
  MINORITY_HANOI_SHARE,
  MOBILE_PREFIXES,
  OLDEST_AGE_WEIGHTS,
  OLD_ID_PREFIX,
  OLD_PROVINCE_MILLIONS,
  RELIGION_PERCENT,
  SAINT_NAMES,
  southernness,
} from './population-tables.js';
import { SeededRandom, WeightedTable } from './seeded-random.js';
import {
  MINORITY_SURNAMES,
  SurnamePicker,
  asciiName,
  pickFullName,
  pickGivenName,
  pickMiddleName,
  type SurnameShare,
} from './vietnamese-names.js';

/** What to generate. The output depends only on these three values, record for record. */
export interface GenerateHouseholdsOptions {
  /** Any string or number; a number is read as its decimal string. */
  seed: string | number;
  /** Exactly this many citizens are produced (the last household is cut short if needed). */
  citizens: number;
  /**
   * The generator's "today" (ages, card expiry, deaths before it). Only its UTC calendar day counts. Defaults to the
   * current time, which makes the output depend on the day it runs: pass a fixed date for a reproducible dataset.
   */
  today?: Date;
}

/**
 * One household and its members, head first. For speed, members share address objects with their household (the
 * permanent and usually the current address): treat them as read-only.
 */
export interface GeneratedHousehold {
  household: HouseholdRecord;
  members: CitizenRecord[];
}

/**
 * Generates a synthetic population household by household until exactly `options.citizens` citizens exist.
 *
 * Determinism: the output is a pure function of (seed, citizens, UTC day of today); the households before the last
 * do not even depend on `citizens`, so a smaller dataset is a prefix of a larger one with the same seed and day.
 *
 * Generated ID numbers use random parts below PERSONA_RANDOM_FLOOR (the personas' reserved range starts there) and
 * are unique within the dataset. Relatives outside the dataset appear by name with a null ID number; every ID number
 * that a record points to belongs to a record of the same dataset.
 */
export function* generateHouseholds(options: GenerateHouseholdsOptions): Generator<GeneratedHousehold> {
  const { citizens } = options;
  if (!Number.isSafeInteger(citizens) || citizens < 0) {
    throw new RangeError(`citizens must be a whole number >= 0, got ${citizens}`);
  }
  const today = options.today ?? new Date();
  if (Number.isNaN(today.getTime())) throw new RangeError('today is not a valid date');
  const todayYear = today.getUTCFullYear();
  // The card roll-out tables start in 2016, and the oldest people must still be born in the 1900s for the ID scheme.
  if (todayYear < 2016 || todayYear > 2100) throw new RangeError(`today must fall in 2016-2100, got ${todayYear}`);

  const generator = new PopulationGenerator(String(options.seed), dayOfDate(today));
  let produced = 0;
  while (produced < citizens) {
    const group = generator.nextHousehold();
    const room = citizens - produced;
    if (group.members.length > room) truncate(group, room);
    produced += group.members.length;
    yield group;
  }
}

/**
 * Cuts the last household to `keep` members. Members are ordered head first, so the head stays; links to the
 * members cut off keep the relative's name but lose the ID number, as for any relative outside the dataset.
 */
function truncate(group: GeneratedHousehold, keep: number): void {
  const removed = new Set(group.members.slice(keep).map((member) => member.idNumber));
  group.members.length = keep;
  for (const member of group.members) {
    if (member.fatherIdNumber !== null && removed.has(member.fatherIdNumber)) member.fatherIdNumber = null;
    if (member.motherIdNumber !== null && removed.has(member.motherIdNumber)) member.motherIdNumber = null;
    if (member.spouseIdNumber !== null && removed.has(member.spouseIdNumber)) member.spouseIdNumber = null;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Tables, built once per process from the reference data and population-tables.ts.

interface ProvinceRow {
  code: string;
  name: string;
  communes: readonly CommuneInfo[];
  /** "Commune, Province" strings for home towns in this province. */
  homeTowns: readonly string[];
  /** Pre-2025 provinces merged into this one, weighted by population: where births here were registered. */
  births: WeightedTable<IdProvinceRow>;
  legacy: LegacyProvince | undefined;
}

interface IdProvinceRow {
  idCode: string;
  name: string;
  numeric: number;
  south: number;
  oldIdPrefix: number;
  province: ProvinceRow;
}

interface EthnicGroup {
  name: string;
  code: string;
  minority: boolean;
  surnames: WeightedTable<SurnameShare>;
  religions: WeightedTable<string>;
  residence: WeightedTable<ProvinceRow>;
}

interface Tables {
  ethnicGroups: WeightedTable<EthnicGroup>;
  provinces: ReadonlyMap<string, ProvinceRow>;
  idProvinces: ReadonlyMap<string, IdProvinceRow>;
  /** Birth provinces of people who moved to Hà Nội: the North weighs most. */
  hanoiMigrants: WeightedTable<IdProvinceRow>;
  /** Birth provinces of other internal migrants: by population. */
  migrants: WeightedTable<IdProvinceRow>;
  catholicCode: string;
}

let cachedTables: Tables | undefined;

function tables(): Tables {
  cachedTables ??= buildTables();
  return cachedTables;
}

function buildTables(): Tables {
  const reference = ReferenceData.get();
  const provinces = new Map<string, ProvinceRow>();
  for (const province of reference.provinces) {
    const communes = reference.communesOf(province.code).map((commune) => communeInfo(commune, province.name));
    const placeholder = new WeightedTable<IdProvinceRow>([[undefined as unknown as IdProvinceRow, 1]]);
    provinces.set(province.code, {
      code: province.code,
      name: province.name,
      communes,
      homeTowns: communes.map((info) => info.commune.name + ', ' + province.name),
      births: placeholder,
      legacy: LEGACY_PROVINCES.find((legacy) => legacy.provinceCode === province.code),
    });
  }
  const idProvinces = new Map<string, IdProvinceRow>();
  const birthsByProvince = new Map<string, [IdProvinceRow, number][]>();
  for (const idProvince of reference.idProvinces) {
    const province = provinces.get(idProvince.provinceCode2025);
    const millions = OLD_PROVINCE_MILLIONS[idProvince.idCode];
    const prefix = OLD_ID_PREFIX[idProvince.idCode];
    if (!province || millions === undefined || prefix === undefined) {
      throw new Error(`population tables lack ID province ${idProvince.idCode} (${idProvince.nameBefore2025})`);
    }
    const row: IdProvinceRow = {
      idCode: idProvince.idCode,
      name: idProvince.nameBefore2025,
      numeric: Number(idProvince.idCode),
      south: southernness(idProvince.idCode),
      oldIdPrefix: Number(prefix),
      province,
    };
    idProvinces.set(row.idCode, row);
    const list = birthsByProvince.get(province.code) ?? [];
    list.push([row, millions]);
    birthsByProvince.set(province.code, list);
  }
  const provinceMillions = new Map<string, number>();
  for (const [code, list] of birthsByProvince) {
    provinces.get(code)!.births = new WeightedTable(list);
    provinceMillions.set(code, list.reduce((sum, [, millions]) => sum + millions, 0));
  }
  for (const province of provinces.values()) {
    if (!birthsByProvince.has(province.code)) throw new Error(`no ID province maps to 2025 province ${province.code}`);
  }

  const ethnicTotal = ETHNIC_GROUPS.reduce((sum, group) => sum + group.percent, 0);
  const shareOf = new Map(ETHNIC_GROUPS.map((group) => [group.name, group.percent / ethnicTotal]));
  const surnames = new SurnamePicker(new Map(Object.keys(MINORITY_SURNAMES).map((name) => [name, shareOf.get(name) ?? 0])));
  const religionTables = religionTablesByGroup(shareOf);

  const kinhShare = shareOf.get('Kinh')!;
  const kinhHanoi = (HANOI_HOUSEHOLD_SHARE - (1 - kinhShare) * MINORITY_HANOI_SHARE) / kinhShare;
  const otherMillions = [...provinceMillions].filter(([code]) => code !== '01');
  const otherTotal = otherMillions.reduce((sum, [, millions]) => sum + millions, 0);
  const kinhResidence = new WeightedTable<ProvinceRow>([
    [provinces.get('01')!, kinhHanoi],
    ...otherMillions.map(([code, millions]) => [provinces.get(code)!, ((1 - kinhHanoi) * millions) / otherTotal] as const),
  ]);

  const groups: [EthnicGroup, number][] = ETHNIC_GROUPS.map((row) => {
    const coded = reference.ethnicities.find((ethnicity) => ethnicity.name === row.name);
    if (!coded) throw new Error(`ethnic group "${row.name}" is not in ethnicities-1979.csv`);
    const minority = row.name !== 'Kinh';
    let residence = kinhResidence;
    if (minority) {
      const homeland = row.homeland.map((code) => {
        const province = provinces.get(code);
        if (!province) throw new Error(`homeland ${code} of "${row.name}" is not a 2025 province`);
        return province;
      });
      // The first homeland listed holds most of the group; the weight falls off along the list.
      const weights = homeland.map((_, i) => 1 / (i + 1));
      const total = weights.reduce((sum, weight) => sum + weight, 0);
      residence = new WeightedTable<ProvinceRow>([
        [provinces.get('01')!, MINORITY_HANOI_SHARE],
        ...homeland.map((province, i) => [province, ((1 - MINORITY_HANOI_SHARE) * weights[i]) / total] as const),
      ]);
    }
    const group: EthnicGroup = {
      name: row.name,
      code: coded.code,
      minority,
      surnames: surnames.tableFor(row.name),
      religions: religionTables.get(row.name) ?? religionTables.get('')!,
      residence,
    };
    return [group, row.percent];
  });

  const allIdProvinces = [...idProvinces.values()];
  const catholic = reference.religions.find((religion) => religion.name === 'Công giáo');
  if (!catholic) throw new Error('religion "Công giáo" is not in religions-2008.csv');
  return {
    ethnicGroups: new WeightedTable(groups),
    provinces,
    idProvinces,
    hanoiMigrants: new WeightedTable(
      allIdProvinces
        .filter((row) => row.idCode !== '001')
        .map((row) => [row, OLD_PROVINCE_MILLIONS[row.idCode] * (row.numeric < 40 ? 3 : row.numeric < 48 ? 1.5 : 0.4)] as const),
    ),
    migrants: new WeightedTable(allIdProvinces.map((row) => [row, OLD_PROVINCE_MILLIONS[row.idCode]] as const)),
    catholicCode: catholic.code,
  };
}

/**
 * Religion tables by ethnic group ('' = everyone else). Groups with their own figures keep them, and the national
 * mix for the rest is corrected so that the whole population matches RELIGION_PERCENT.
 */
function religionTablesByGroup(shareOf: ReadonlyMap<string, number>): Map<string, WeightedTable<string>> {
  const reference = ReferenceData.get();
  const codeOf = (name: string): string => {
    const religion = reference.religions.find((row) => row.name === name);
    if (!religion) throw new Error(`religion "${name}" is not in religions-2008.csv`);
    return religion.code;
  };
  let genericPopulation = 1;
  const special = new Map<string, number>();
  for (const [group, rows] of Object.entries(GROUP_RELIGION_PERCENT)) {
    const share = shareOf.get(group);
    if (share === undefined) throw new Error(`GROUP_RELIGION_PERCENT names unknown group "${group}"`);
    const listed = rows.reduce((sum, [, percent]) => sum + percent, 0) / 100;
    genericPopulation -= share * listed;
    for (const [name, percent] of rows) special.set(name, (special.get(name) ?? 0) + (share * percent) / 100);
  }
  const generic = RELIGION_PERCENT.map(([name, percent]) => {
    const weight = Math.max(0, percent / 100 - (special.get(name) ?? 0)) / genericPopulation;
    return [codeOf(name), weight] as const;
  });
  const result = new Map<string, WeightedTable<string>>([['', new WeightedTable(generic)]]);
  const genericTotal = generic.reduce((sum, [, weight]) => sum + weight, 0);
  for (const [group, rows] of Object.entries(GROUP_RELIGION_PERCENT)) {
    const listed = rows.reduce((sum, [, percent]) => sum + percent, 0) / 100;
    result.set(
      group,
      new WeightedTable<string>([
        ...rows.map(([name, percent]) => [codeOf(name), percent / 100] as const),
        ...generic.map(([code, weight]) => [code, ((1 - listed) * weight) / genericTotal] as const),
      ]),
    );
  }
  return result;
}

// ---------------------------------------------------------------------------------------------------------------
// Small demographic tables.

const DAYS_PER_YEAR = 365.2425;

/** Mother's age at a birth (relative weights for 18-44), roughly the Vietnamese age-specific fertility curve. */
const MOTHER_AGE_AT_BIRTH = new WeightedTable<number>(
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
const ANCHOR_BANDS = new WeightedTable<number>(AGE_BAND_PERCENT.map((percent, band) => [band, percent] as const));
const OLDEST_AGES = new WeightedTable<number>(OLDEST_AGE_WEIGHTS.map((w, i) => [85 + i, w] as const));
const BAND_OF_AGE: readonly number[] = Array.from({ length: 130 }, (_, age) => {
  let band = 0;
  while (band + 1 < AGE_BAND_STARTS.length && AGE_BAND_STARTS[band + 1] <= age) band++;
  return band;
});
const TARGET_SHARE: readonly number[] = (() => {
  const total = AGE_BAND_PERCENT.reduce((sum, percent) => sum + percent, 0);
  return AGE_BAND_PERCENT.map((percent) => percent / total);
})();

const MOBILE_PREFIX_TABLE = new WeightedTable(MOBILE_PREFIXES);
const EMAIL_DOMAIN_TABLE = new WeightedTable(EMAIL_DOMAINS);
const BLOOD_GROUP_TABLE = new WeightedTable(BLOOD_GROUPS);
const FOREIGN_SPOUSE_TABLE = new WeightedTable(FOREIGN_SPOUSES.map((row) => [row, row.weight] as const));

/** Card roll-out: bar-code cards from 2016, the mass chip-card campaign of 2021-22, the 2024 identity card. */
const CARD_PERIODS: readonly (readonly [number, number, number])[] = [
  [daysFromCivil(2016, 1, 1), daysFromCivil(2020, 12, 31), 8],
  [daysFromCivil(2021, 1, 1), daysFromCivil(2022, 6, 30), 62],
  [daysFromCivil(2022, 7, 1), daysFromCivil(2024, 6, 30), 15],
  [daysFromCivil(2024, 7, 1), daysFromCivil(2100, 1, 1), 15],
];
const CARD_PERIOD_TABLE = new WeightedTable(CARD_PERIODS.map((period) => [period, period[2]] as const));
/** Under-14 cards exist only since the Law on Identification 2023 took effect. */
const CHILD_CARDS_FROM = daysFromCivil(2024, 7, 1);

const RANK: Record<HouseholdRelationship, number> = {
  head: 0,
  spouse: 1,
  parent: 2,
  child: 3,
  other: 4,
  grandchild: 5,
  sibling: 6,
};

// ---------------------------------------------------------------------------------------------------------------

/** A member while its household is being assembled. */
interface Draft {
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
interface HouseholdContext {
  id: string;
  ethnic: EthnicGroup;
  religionCode: string;
  province: ProvinceRow;
  address: Address;
  /** Where children born into this household were registered. */
  localBirths: IdProvinceRow;
  members: Draft[];
}

/** Whole years in days (no randomness): for bounds. */
function years(n: number): number {
  return Math.floor(n * DAYS_PER_YEAR);
}

/** The earliest birth day the ID scheme can encode (century digit 0 = the 1900s). */
const FIRST_BIRTH_DAY = daysFromCivil(1900, 1, 1);

class PopulationGenerator {
  private readonly rng: SeededRandom;
  private readonly tables = tables();
  private readonly lastDay: number;
  /** Random parts of ID numbers, by (province, century/sex digit, two-digit year). */
  private readonly idRandomParts: ScrambledSequences;
  /** The seven digits after the old ID card's two-digit prefix, by prefix. */
  private readonly oldIdDigits: ScrambledSequences;
  private readonly bandCounts = new Float64Array(AGE_BAND_STARTS.length);
  private readonly bandDeficit = new Float64Array(AGE_BAND_STARTS.length);
  private living = 0;
  private householdSequence = 0;
  private parentKeys = 0;
  private ctx!: HouseholdContext;

  constructor(
    seed: string,
    private readonly today: number,
  ) {
    this.rng = new SeededRandom('popgate-population:' + seed);
    this.lastDay = today - 1;
    this.idRandomParts = new ScrambledSequences(this.rng.nextUint32(), 100_000, PERSONA_RANDOM_FLOOR);
    this.oldIdDigits = new ScrambledSequences(this.rng.nextUint32(), 100, 10_000_000);
  }

  nextHousehold(): GeneratedHousehold {
    const band = this.pickAnchorBand();
    const age = band === AGE_BAND_STARTS.length - 1 ? OLDEST_AGES.pick(this.rng) : AGE_BAND_STARTS[band] + this.rng.int(0, 4);
    this.beginHousehold();
    if (age < 18) this.childAnchored(age);
    else if (age < 30) this.youngAdultAnchored(age);
    else if (age < 60) this.adultAnchored(age);
    else this.elderAnchored(age);
    return this.finishHousehold();
  }

  /**
   * The age band of the person the next household is built around: drawn in proportion to how far each band lags
   * behind its target share, so that the living population follows the pyramid whatever households add on the side.
   */
  private pickAnchorBand(): number {
    const horizon = this.living + 40;
    let total = 0;
    for (let band = 0; band < TARGET_SHARE.length; band++) {
      const deficit = TARGET_SHARE[band] * horizon - this.bandCounts[band];
      this.bandDeficit[band] = deficit > 0 ? deficit : 0;
      total += this.bandDeficit[band];
    }
    if (total <= 0) return ANCHOR_BANDS.pick(this.rng);
    let u = this.rng.next() * total;
    for (let band = 0; band < TARGET_SHARE.length; band++) {
      u -= this.bandDeficit[band];
      if (u < 0) return band;
    }
    return TARGET_SHARE.length - 1;
  }

  private beginHousehold(): void {
    const rng = this.rng;
    const ethnic = this.tables.ethnicGroups.pick(rng);
    const province = ethnic.residence.pick(rng);
    const info = rng.pick(province.communes);
    this.householdSequence++;
    this.ctx = {
      id: 'HH' + String(this.householdSequence).padStart(10, '0'),
      ethnic,
      religionCode: ethnic.religions.pick(rng),
      province,
      address: modernAddress(rng, info, ethnic.minority),
      localBirths: province.births.pick(rng),
      members: [],
    };
  }

  // ----- scenarios, by the age of the person the household is built around

  private childAnchored(age: number): void {
    const rng = this.rng;
    const anchorBirth = this.birthDayForAge(age);
    const motherBirth = anchorBirth - this.yearsAndDays(MOTHER_AGE_AT_BIRTH.pick(rng));
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
    const anchorBirth = this.birthDayForAge(age);
    if (rng.chance(marriedShare)) {
      this.couplesHousehold(sex, anchorBirth, 0.3, 0);
    } else if (rng.chance(age < 23 ? 0.95 : 0.8)) {
      // Young single adults mostly stay registered in their parents' household.
      const motherBirth = anchorBirth - this.yearsAndDays(MOTHER_AGE_AT_BIRTH.pick(rng));
      this.twoParentFamily(motherBirth, anchorBirth, rng.next() * 0.9, sex);
    } else {
      this.setRole(this.newPerson(sex, anchorBirth, this.adultBirthProvince(), null), 'head');
    }
  }

  private adultAnchored(age: number): void {
    const rng = this.rng;
    const sex: Sex = rng.chance(0.5) ? 'female' : 'male';
    const anchorBirth = this.birthDayForAge(age);
    const r = rng.next();
    const widowedShare = age < 45 ? 0.015 : 0.05;
    if (r < 0.8) {
      this.couplesHousehold(sex, anchorBirth, 0, 0.22);
    } else if (r < 0.85) {
      this.divorcedAdult(sex, anchorBirth);
    } else if (r < 0.85 + widowedShare) {
      this.widowedAdult(sex, anchorBirth, rng.chance(0.6));
    } else if (age < 45 && rng.chance(0.35)) {
      const motherBirth = anchorBirth - this.yearsAndDays(MOTHER_AGE_AT_BIRTH.pick(rng));
      this.twoParentFamily(motherBirth, anchorBirth, 0.5, sex);
    } else {
      this.setRole(this.newPerson(sex, anchorBirth, this.adultBirthProvince(), null), 'head');
    }
  }

  private elderAnchored(age: number): void {
    const rng = this.rng;
    const sex: Sex = rng.chance(age < 70 ? 0.53 : age < 80 ? 0.58 : 0.65) ? 'female' : 'male';
    const anchorBirth = this.birthDayForAge(age);
    const marriedShare =
      sex === 'female' ? (age < 70 ? 0.62 : age < 80 ? 0.45 : 0.22) : age < 70 ? 0.85 : age < 80 ? 0.72 : 0.55;
    const r = rng.next();
    if (r < marriedShare) {
      const { husband, wife } = this.couple(sex, anchorBirth);
      const arrangement = rng.next();
      if (arrangement < 0.5 || !this.withAdultChild([husband, wife], husband, wife, arrangement < 0.85)) {
        this.setRole(husband, 'head');
        this.setRole(wife, 'spouse');
      }
    } else if (r < marriedShare + 0.05) {
      const person = this.newPerson(sex, anchorBirth, this.adultBirthProvince(), null);
      if (r < marriedShare + 0.03) person.rec.maritalStatus = 'divorced';
      this.setRole(person, 'head');
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
    const births = this.childBirths(motherBirth, anchorBirth, null);
    const fatherBirth = this.husbandBirthFor(motherBirth, births[0]);
    const father = this.newPerson('male', fatherBirth, this.adultBirthProvince(), null);
    const mother = this.newPerson('female', motherBirth, this.adultBirthProvince(), null);
    this.marry(father, mother);
    const kids = this.children(births, anchorBirth, father, mother, father.rec.surname, anchorSex);
    if (shape >= 0.78 && shape < 0.93) {
      const grandparents = this.parentsOf(father);
      if (grandparents.length > 0 && rng.chance(0.35)) {
        // The grandfather (or grandmother) still heads the household: the son's wife is "other", his children
        // are grandchildren.
        this.setRole(grandparents[0], 'head');
        if (grandparents.length > 1) this.setRole(grandparents[1], 'spouse');
        this.setRole(father, 'child');
        this.setRole(mother, 'other');
        for (const kid of kids) this.setRole(kid, 'grandchild');
        return;
      }
      for (const grandparent of grandparents) this.setRole(grandparent, 'parent');
    }
    const fatherHeads = shape >= 0.78 || rng.chance(0.85);
    this.setRole(fatherHeads ? father : mother, 'head');
    this.setRole(fatherHeads ? mother : father, 'spouse');
    for (const kid of kids) this.setRole(kid, 'child');
    if (shape >= 0.93) {
      const siblingBirth = Math.min(anniversary(this.lastDay, -18) - rng.int(0, 2000), fatherBirth + rng.int(-3000, 3000));
      const sibling = this.newPerson(rng.chance(0.5) ? 'male' : 'female', siblingBirth, father.born, father.rec.surname);
      sibling.parentKey = father.parentKey;
      sibling.rec.homeTown = father.rec.homeTown;
      this.setRole(sibling, 'sibling');
    }
  }

  /** A divorced, widowed or never-married parent with the children at home. */
  private singleParentFamily(motherBirth: number, anchorBirth: number): void {
    const rng = this.rng;
    const births = this.childBirths(motherBirth, anchorBirth, null);
    const fatherBirth = this.husbandBirthFor(motherBirth, births[0]);
    const r = rng.next();
    const status = r < 0.55 ? 'divorced' : r < 0.8 ? 'widowed' : 'single';
    const fatherBorn = this.adultBirthProvince();
    if (status === 'single' || rng.chance(0.85)) {
      const mother = this.newPerson('female', motherBirth, this.adultBirthProvince(), null);
      this.setRole(mother, 'head');
      if (status === 'single') {
        for (const kid of this.children(births, anchorBirth, null, mother, mother.rec.surname)) {
          kid.noFather = true;
          this.setRole(kid, 'child');
        }
        return;
      }
      const fatherSurname = this.surname(fatherBorn);
      const kids = this.children(births, anchorBirth, null, mother, fatherSurname);
      for (const kid of kids) this.setRole(kid, 'child');
      if (status === 'widowed') {
        this.lateSpouse(mother, fatherBirth, fatherBorn, fatherSurname, kids);
      } else {
        mother.rec.maritalStatus = 'divorced';
        const fatherName = pickFullName(rng, 'male', yearOf(fatherBirth), fatherSurname);
        for (const kid of kids) kid.rec.fatherName = fatherName;
      }
      return;
    }
    const father = this.newPerson('male', fatherBirth, fatherBorn, null);
    this.setRole(father, 'head');
    const kids = this.children(births, anchorBirth, father, null, father.rec.surname);
    for (const kid of kids) this.setRole(kid, 'child');
    if (status === 'widowed') {
      this.lateSpouse(father, motherBirth, this.adultBirthProvince(), null, kids);
    } else {
      father.rec.maritalStatus = 'divorced';
      const motherName = pickFullName(rng, 'female', yearOf(motherBirth), this.surname(this.ctx.localBirths));
      for (const kid of kids) kid.rec.motherName = motherName;
    }
  }

  /** Children left with their grandparents while the parents work elsewhere (parents known by name only). */
  private grandparentsWithGrandchildren(motherBirth: number, anchorBirth: number): void {
    const rng = this.rng;
    const births = this.childBirths(motherBirth, anchorBirth, null);
    const fatherBirth = this.husbandBirthFor(motherBirth, births[0]);
    const paternal = rng.chance(0.7);
    const fatherSurname = this.surname(this.ctx.localBirths);
    const motherSurname = this.surname(this.ctx.localBirths);
    const parentBirth = paternal ? fatherBirth : motherBirth;
    const grandmotherBirth = parentBirth - this.yearsAndDays(MOTHER_AGE_AT_BIRTH.pick(rng));
    const grandfatherBirth = this.husbandBirthFor(grandmotherBirth, parentBirth);
    const grandparents = this.elderCouple(grandfatherBirth, grandmotherBirth, paternal ? fatherSurname : motherSurname, this.ctx.localBirths);
    if (grandparents.length === 0) {
      this.twoParentFamily(motherBirth, anchorBirth, 0);
      return;
    }
    const fatherName = pickFullName(rng, 'male', yearOf(fatherBirth), fatherSurname);
    const motherName = pickFullName(rng, 'female', yearOf(motherBirth), motherSurname);
    this.setRole(grandparents[0], 'head');
    if (grandparents.length > 1) this.setRole(grandparents[1], 'spouse');
    for (const kid of this.children(births, anchorBirth, null, null, fatherSurname)) {
      kid.rec.fatherName = fatherName;
      kid.rec.motherName = motherName;
      this.setRole(kid, 'grandchild');
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
    const { husband, wife } = this.couple(anchorSex, anchorBirth);
    const births = this.childBirths(wife.birthDay, null, husband.birthDay);
    const kids = this.children(births, null, husband, wife, husband.rec.surname);
    if (rng.chance(withHusbandsParents)) {
      const elders = this.parentsOf(husband);
      if (elders.length > 0) {
        this.setRole(elders[0], 'head');
        if (elders.length > 1) this.setRole(elders[1], 'spouse');
        this.setRole(husband, 'child');
        this.setRole(wife, 'other');
        for (const kid of kids) this.setRole(kid, 'grandchild');
        return;
      }
    }
    const husbandHeads = rng.chance(0.87);
    this.setRole(husbandHeads ? husband : wife, 'head');
    this.setRole(husbandHeads ? wife : husband, 'spouse');
    for (const kid of kids) this.setRole(kid, 'child');
    if (rng.chance(withElders)) {
      for (const elder of this.parentsOf(rng.chance(0.8) ? husband : wife)) this.setRole(elder, 'parent');
    }
  }

  /** A widow or widower; the late spouse is a deceased record of the household or only a name. */
  private widowedAdult(sex: Sex, anchorBirth: number, withChild: boolean): void {
    const person = this.newPerson(sex, anchorBirth, this.adultBirthProvince(), null);
    const female = sex === 'female';
    const spouseBirth = female ? this.husbandBirthFor(anchorBirth, null) : this.wifeBirthFor(anchorBirth);
    const late = this.lateSpouse(person, spouseBirth, this.adultBirthProvince(), female ? null : person.rec.surname, []);
    const husband = female ? late : person;
    const wife = female ? person : late;
    const motherBirth = female ? anchorBirth : spouseBirth;
    const fatherBirth = female ? spouseBirth : anchorBirth;
    if (withChild && this.withAdultChild([person], husband, wife, this.rng.chance(0.75), motherBirth, fatherBirth)) return;
    this.setRole(person, 'head');
  }

  private divorcedAdult(sex: Sex, anchorBirth: number): void {
    const rng = this.rng;
    const person = this.newPerson(sex, anchorBirth, this.adultBirthProvince(), null);
    person.rec.maritalStatus = 'divorced';
    this.setRole(person, 'head');
    if (sex === 'female' && rng.chance(0.6)) {
      const fatherBirth = this.husbandBirthFor(anchorBirth, null);
      const fatherSurname = this.surname(person.born);
      const fatherName = pickFullName(rng, 'male', yearOf(fatherBirth), fatherSurname);
      for (const kid of this.children(this.childBirths(anchorBirth, null, fatherBirth), null, null, person, fatherSurname)) {
        kid.rec.fatherName = fatherName;
        this.setRole(kid, 'child');
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
      anniversary(this.lastDay, married ? -21 : -18),
      anniversary(motherBirth, 45) - 1,
      father ? father.deathDay : Infinity,
      mother ? mother.deathDay : Infinity,
    );
    if (earliest > latest) return false;
    const childBirth = Math.min(latest, Math.max(earliest, motherBirth + this.yearsAndDays(MOTHER_AGE_AT_BIRTH.pick(rng))));
    const widow = elders[0];
    const lateHusbandName = father === null ? widow.rec.spouseName : null;
    const surname = father ? father.rec.surname : (lateHusbandName?.split(' ')[0] ?? this.surname(this.ctx.localBirths));
    const son = rng.chance(married ? 0.75 : 0.55);
    const child = this.newPerson(son ? 'male' : 'female', childBirth, this.ctx.localBirths, surname);
    this.linkParents(child, father, mother);
    if (father === null) child.rec.fatherName = lateHusbandName;
    if (mother === null) child.rec.motherName = widow.rec.spouseName;
    const elderHeads = rng.chance(0.5);
    const relationshipOfElders: HouseholdRelationship = elderHeads ? 'spouse' : 'parent';
    if (elderHeads) this.setRole(elders[0], 'head');
    else this.setRole(child, 'head');
    for (const elder of elderHeads ? elders.slice(1) : elders) this.setRole(elder, relationshipOfElders);
    // A late parent's record follows the living one: the head's spouse, or the head's parent.
    for (const parent of [father, mother]) {
      if (parent && parent.placed && parent.rec.status === 'deceased') this.setRole(parent, relationshipOfElders);
    }
    if (elderHeads) this.setRole(child, 'child');
    if (!married) return true;
    const partnerBirth = son ? this.wifeBirthFor(childBirth) : this.husbandBirthFor(childBirth, null);
    const partner = this.newPerson(son ? 'female' : 'male', partnerBirth, this.adultBirthProvince(), null);
    this.marry(child, partner);
    const husband = son ? child : partner;
    const wife = son ? partner : child;
    const kids = this.children(this.childBirths(wife.birthDay, null, husband.birthDay), null, husband, wife, husband.rec.surname);
    this.setRole(partner, elderHeads ? 'other' : 'spouse');
    for (const kid of kids) this.setRole(kid, elderHeads ? 'grandchild' : 'child');
    return true;
  }

  /** Married to a foreigner, who has no record: the spouse is known by name and nationality only. */
  private foreignSpouseCouple(anchorSex: Sex, anchorBirth: number): void {
    const rng = this.rng;
    const person = this.newPerson(anchorSex, anchorBirth, this.adultBirthProvince(), null);
    const foreign = FOREIGN_SPOUSE_TABLE.pick(rng);
    person.rec.maritalStatus = 'married';
    person.rec.spouseName = rng.pick(anchorSex === 'female' ? foreign.male : foreign.female);
    person.rec.spouseNationality = foreign.nationality;
    this.setRole(person, 'head');
  }

  // ----- building blocks

  /** A married couple around one spouse's birth; husband ≥ 20 and wife ≥ 18 today (legal marriage ages). */
  private couple(anchorSex: Sex, anchorBirth: number): { husband: Draft; wife: Draft } {
    const husbandBirth = anchorSex === 'male' ? anchorBirth : this.husbandBirthFor(anchorBirth, null);
    const wifeBirth = anchorSex === 'female' ? anchorBirth : this.wifeBirthFor(anchorBirth);
    const husband = this.newPerson('male', husbandBirth, this.adultBirthProvince(), null);
    const wife = this.newPerson('female', wifeBirth, this.adultBirthProvince(), null);
    this.marry(husband, wife);
    return { husband, wife };
  }

  /**
   * The parents of an adult member who are still alive, as records linked to the member (father first); the father
   * carries the member's surname.
   */
  private parentsOf(member: Draft): Draft[] {
    const motherBirth = member.birthDay - this.yearsAndDays(MOTHER_AGE_AT_BIRTH.pick(this.rng));
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
  private elderCouple(husbandBirth: number, wifeBirth: number, surname: string, born: IdProvinceRow): Draft[] {
    const rng = this.rng;
    const husbandAlive = husbandBirth > this.today - years(100) && rng.chance(survival(this.ageOf(husbandBirth)));
    const wifeAlive = wifeBirth > this.today - years(102) && rng.chance(survival(this.ageOf(wifeBirth) - 5));
    const result: Draft[] = [];
    if (husbandAlive) result.push(this.newPerson('male', husbandBirth, born, surname));
    if (wifeAlive) result.push(this.newPerson('female', wifeBirth, this.adultBirthProvince(), null));
    if (result.length === 2) {
      this.marry(result[0], result[1]);
    } else if (result.length === 1) {
      const survivor = result[0];
      survivor.rec.maritalStatus = 'widowed';
      survivor.rec.spouseName = husbandAlive
        ? pickFullName(rng, 'female', yearOf(wifeBirth), this.surname(born))
        : pickFullName(rng, 'male', yearOf(husbandBirth), surname);
      survivor.rec.spouseNationality = 'VN';
    }
    return result;
  }

  /**
   * Marks `survivor` widowed. About one late spouse in three is a deceased record of the household (relationship
   * spouse, the two still pointing to each other); otherwise only the name is recorded. Returns the record, if any.
   */
  private lateSpouse(survivor: Draft, birthDay: number, born: IdProvinceRow, surname: string | null, kids: Draft[]): Draft | null {
    const rng = this.rng;
    const sex: Sex = survivor.rec.sex === 'female' ? 'male' : 'female';
    if (rng.chance(0.36)) {
      const late = this.newPerson(sex, birthDay, born, surname);
      const youngest = kids.reduce((latest, kid) => Math.max(latest, kid.birthDay), -Infinity);
      if (this.kill(late, youngest)) {
        this.marry(survivor, late);
        survivor.rec.maritalStatus = 'widowed';
        for (const kid of kids) this.linkParents(kid, sex === 'male' ? late : null, sex === 'female' ? late : null);
        this.setRole(late, 'spouse');
        return late;
      }
    }
    const name = pickFullName(rng, sex, yearOf(birthDay), surname ?? this.surname(born));
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
  private childBirths(motherBirth: number, anchor: number | null, fatherBirth: number | null): number[] {
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
    const latest = Math.min(this.lastDay, anniversary(motherBirth, 45) - 1);
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
    let day = Math.max(earliest, motherBirth + this.yearsAndDays(FIRST_BIRTH_AGE.pick(rng)));
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
  private children(
    births: readonly number[],
    anchor: number | null,
    father: Draft | null,
    mother: Draft | null,
    surname: string,
    anchorSex?: Sex,
  ): Draft[] {
    const rng = this.rng;
    const parentKey = ++this.parentKeys;
    const kids: Draft[] = [];
    for (const birth of births) {
      const isAnchor = birth === anchor;
      if (!isAnchor && !rng.chance(atHomeShare(this.ageOf(birth)))) continue;
      const sex: Sex = isAnchor && anchorSex ? anchorSex : rng.chance(0.512) ? 'male' : 'female';
      const kid = this.newPerson(sex, birth, this.ctx.localBirths, surname);
      kid.parentKey = parentKey;
      this.linkParents(kid, father, mother);
      kids.push(kid);
    }
    return kids;
  }

  /** A husband's birth day for a wife: the usual age gap, at least 20 at `firstChild` (if any) and today. */
  private husbandBirthFor(wifeBirth: number, firstChild: number | null): number {
    const rng = this.rng;
    let birth = wifeBirth - this.yearsAndDays(SPOUSE_GAP.pick(rng));
    const latest = anniversary(Math.min(this.lastDay, firstChild ?? this.lastDay), -20) - 1;
    if (birth > latest) birth = latest - rng.int(0, 700);
    return birth >= FIRST_BIRTH_DAY ? birth : FIRST_BIRTH_DAY + rng.int(0, 3000);
  }

  /** A wife's birth day for a husband: the usual age gap, at least 18 today. */
  private wifeBirthFor(husbandBirth: number): number {
    const rng = this.rng;
    let birth = husbandBirth + this.yearsAndDays(SPOUSE_GAP.pick(rng));
    const latest = anniversary(this.lastDay, -18) - 1;
    if (birth > latest) birth = latest - rng.int(0, 500);
    return birth >= FIRST_BIRTH_DAY ? birth : FIRST_BIRTH_DAY + rng.int(0, 3000);
  }

  /** A surname from the household's group table, in the northern or southern form of the birth province. */
  private surname(born: IdProvinceRow): string {
    return SurnamePicker.pick(this.ctx.ethnic.surnames, this.rng, this.rng.next() < born.south);
  }

  /** Where an adult of this household was born: locally, or a migrant from elsewhere (Hà Nội draws most). */
  private adultBirthProvince(): IdProvinceRow {
    const ctx = this.ctx;
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

  private marry(a: Draft, b: Draft): void {
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
  private linkParents(child: Draft, father: Draft | null, mother: Draft | null): void {
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

  /** Sets the relationship to the head; a member placed twice keeps its latest relationship. */
  private setRole(member: Draft, relationship: HouseholdRelationship): void {
    member.rec.householdRelationship = relationship;
    if (!member.placed) {
      member.placed = true;
      this.ctx.members.push(member);
    }
  }

  /**
   * Records a death on a day after the 20th birthday, after the youngest child's birth and within the last 25
   * years, before today. Returns false when no such day exists.
   */
  private kill(member: Draft, youngestChild: number): boolean {
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

  // ----- one person

  private newPerson(sex: Sex, birthDay: number, born: IdProvinceRow, surname: string | null): Draft {
    const rng = this.rng;
    const ctx = this.ctx;
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

    // The 9-digit CMND was issued from 14 until chip cards replaced it in 2021; most of those born before 2000 had one.
    let oldIdNumber: string | null = null;
    if (year < 2000 && rng.chance(0.8)) {
      oldIdNumber = String(born.oldIdPrefix * 10_000_000 + this.oldIdDigits.next(born.oldIdPrefix)).padStart(9, '0');
    }

    const cardIssueDay = this.cardIssueDay(birthDay, age);
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
      parentKey: ++this.parentKeys,
      noFather: false,
      cardIssueDay,
      deathDay: Infinity,
      placed: false,
    };
  }

  /**
   * The issue day of the card a person holds today, or -1 for none. Cards come from the roll-out periods, never
   * before the 14th birthday (a few under-14 cards since July 2024); a card that reached its renewal age was
   * usually renewed just before, and is left expired in one case in four.
   */
  private cardIssueDay(birthDay: number, age: number): number {
    const rng = this.rng;
    if (age < 14) {
      const from = Math.max(CHILD_CARDS_FROM, birthDay + 1);
      if (age < 6 || from > this.lastDay || !rng.chance(0.01)) return -1;
      return rng.int(from, this.lastDay);
    }
    if (rng.chance(age >= 80 ? 0.12 : 0.015)) return -1;
    const period = CARD_PERIOD_TABLE.pick(rng);
    let issue = period[0] > this.lastDay ? rng.int(CARD_PERIODS[0][0], this.lastDay) : rng.int(period[0], Math.min(period[1], this.lastDay));
    const fourteen = anniversary(birthDay, 14);
    if (issue < fourteen) issue = fourteen + rng.int(0, 120);
    if (issue > this.lastDay) return -1;
    for (;;) {
      const expiry = cardExpiryDay(birthDay, issue);
      if (expiry === null || expiry > this.lastDay || !rng.chance(0.75)) return issue;
      issue = expiry - rng.int(0, 25);
    }
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

  // ----- closing a household

  private finishHousehold(): GeneratedHousehold {
    const rng = this.rng;
    const ctx = this.ctx;
    const members = ctx.members;
    members.sort((a, b) => RANK[a.rec.householdRelationship] - RANK[b.rec.householdRelationship] || a.birthDay - b.birthDay);
    const head = members[0];

    if (ctx.province.legacy && this.ageOf(head.birthDay) >= 45 && rng.chance(0.25)) {
      // Older registrations that nobody updated since July 2025 still carry the district.
      const address = legacyAddress(rng, ctx.province.legacy);
      for (const member of members) {
        member.rec.permanentAddress = address;
        member.rec.currentAddress = address;
      }
      ctx.address = address;
    }

    for (let i = 1; i < members.length; i++) this.maybeDieOrGoMissing(members[i], members);
    const sharedNames = new Map<number, readonly [string | null, string | null]>();
    for (const member of members) {
      this.nameAbsentParents(member, sharedNames);
      this.maybeTemporaryAddress(member);
      if (member.rec.status !== 'deceased') {
        const age = this.ageOf(member.birthDay);
        this.bandCounts[BAND_OF_AGE[age > 129 ? 129 : age]]++;
        this.living++;
      }
    }
    return {
      household: { householdId: ctx.id, headIdNumber: head.rec.idNumber, address: ctx.address },
      members: members.map((member) => member.rec),
    };
  }

  /** A few deaths (rising with age) and rare disappearances among members other than the head. */
  private maybeDieOrGoMissing(member: Draft, members: readonly Draft[]): void {
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
        if (spouse && spouse.rec.status !== 'deceased') spouse.rec.maritalStatus = 'widowed';
      }
      return;
    }
    if (age >= 18 && age <= 65 && rng.chance(0.003)) {
      const earliest = Math.max(anniversary(member.birthDay, 16), this.today - years(12));
      if (earliest > this.lastDay - 30) return;
      rec.status = 'missing';
      rec.statusDate = isoDate(rng.int(earliest, this.lastDay - 30));
    }
  }

  /**
   * Parents outside the dataset are usually known by name (siblings share them); children of a never-married
   * mother have no father's name.
   */
  private nameAbsentParents(member: Draft, shared: Map<number, readonly [string | null, string | null]>): void {
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
            pickFullName(rng, 'female', year - 26, this.surname(member.born)),
          ]
        : [null, null];
      shared.set(member.parentKey, names);
    }
    if (rec.fatherName === null && !member.noFather) rec.fatherName = names[0];
    if (rec.motherName === null) rec.motherName = names[1];
  }

  /**
   * Temporary residence: young unmarried adults registered elsewhere often live in Hà Nội (or Hồ Chí Minh City) on a
   * temporary registration; a few unmarried Hà Nội residents live in another commune of the city. Married people
   * live with their spouse.
   */
  private maybeTemporaryAddress(member: Draft): void {
    const rng = this.rng;
    const rec = member.rec;
    if (rec.status !== 'alive' || rec.maritalStatus === 'married' || rec.maritalStatus === 'widowed') return;
    const age = this.ageOf(member.birthDay);
    if (age < 18) return;
    const home = rec.permanentAddress;
    let target: ProvinceRow | undefined;
    if (home.provinceCode !== '01') {
      if (age <= 35) {
        const r = rng.next();
        if (r < 0.22) target = this.tables.provinces.get('01');
        else if (r < 0.28 && home.provinceCode !== '79') target = this.tables.provinces.get('79');
      }
    } else if (age <= 60 && rng.chance(0.05)) {
      target = this.tables.provinces.get('01');
    }
    if (!target) return;
    let info = rng.pick(target.communes);
    if (info.commune.code === home.communeCode) info = rng.pick(target.communes);
    if (info.commune.code === home.communeCode) return;
    const address = modernAddress(rng, info, false);
    rec.temporaryAddress = address;
    rec.currentAddress = address;
  }

  // ----- dates

  private ageOf(birthDay: number): number {
    return ageOn(birthDay, this.today);
  }

  /**
   * A birth day giving exactly that age both today and yesterday, uniform over the year of age (so a married anchor
   * was of legal age before today).
   */
  private birthDayForAge(age: number): number {
    const start = anniversary(this.today, -age - 1) + 1;
    const end = anniversary(this.lastDay, -age);
    return this.rng.int(start, end);
  }

  /** Whole years plus a random part of a year, in days. */
  private yearsAndDays(n: number): number {
    return years(n) + this.rng.int(0, 364);
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
