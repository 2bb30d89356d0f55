import type { CitizenRecord, HouseholdRecord } from '../../registry/citizen.js';
import { dayOfDate } from '../../identity/calendar-days.js';
import { FamilyGenerator } from './family-generator.js';
import { HouseholdGenerator } from './household-generator.js';
import { PeopleGenerator } from './people-generator.js';
import { AGE_BAND_PERCENT, AGE_BAND_STARTS, OLDEST_AGE_WEIGHTS } from './population-tables.js';
import { referenceTables } from './reference-tables.js';
import { SeededRandom, WeightedTable } from './seeded-random.js';

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
// The age pyramid: each household is built around one person whose age band lags most behind its share.

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

/**
 * Draws households one after another from one random stream, which makes the dataset a function of the seed and
 * the day: people, families and households are made by {@link PeopleGenerator}, {@link FamilyGenerator} and
 * {@link HouseholdGenerator}, in that dependency order, all drawing from the same stream.
 */
class PopulationGenerator {
  private readonly rng: SeededRandom;
  private readonly people: PeopleGenerator;
  private readonly households: HouseholdGenerator;
  private readonly bandCounts = new Float64Array(AGE_BAND_STARTS.length);
  private readonly bandDeficit = new Float64Array(AGE_BAND_STARTS.length);
  private living = 0;

  constructor(seed: string, today: number) {
    this.rng = new SeededRandom('popgate-population:' + seed);
    this.people = new PeopleGenerator(this.rng, referenceTables(), today);
    this.households = new HouseholdGenerator(this.people, new FamilyGenerator(this.people));
  }

  nextHousehold(): GeneratedHousehold {
    const band = this.pickAnchorBand();
    const age = band === AGE_BAND_STARTS.length - 1 ? OLDEST_AGES.pick(this.rng) : AGE_BAND_STARTS[band] + this.rng.int(0, 4);
    const { household, members } = this.households.next(age);
    for (const member of members) {
      if (member.rec.status === 'deceased') continue;
      const memberAge = this.people.ageOf(member.birthDay);
      this.bandCounts[BAND_OF_AGE[memberAge > 129 ? 129 : memberAge]]++;
      this.living++;
    }
    return { household, members: members.map((member) => member.rec) };
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
}
