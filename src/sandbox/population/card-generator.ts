import { anniversary, daysFromCivil } from '../../identity/calendar-days.js';
import { cardExpiryDay } from '../../identity/id-card-rule.js';
import { ScrambledSequences } from './scrambled-sequence.js';
import { type SeededRandom, WeightedTable } from './seeded-random.js';

/**
 * The cards a generated person holds: the old 9-digit ID (CMND) and the current card's issue day. The card's
 * expiry and issuing authority follow from the issue day by the rules of id-card-rule.ts.
 */

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

/** Draws cards from the dataset's random stream; old ID numbers are unique within the dataset. */
export class CardGenerator {
  /** The seven digits after the old ID card's two-digit prefix, by prefix. */
  private readonly oldIdDigits: ScrambledSequences;

  /** Takes one draw from `rng` (the key of the old ID numbers), so create it where the stream expects that draw. */
  constructor(
    private readonly rng: SeededRandom,
    private readonly lastDay: number,
  ) {
    this.oldIdDigits = new ScrambledSequences(rng.nextUint32(), 100, 10_000_000);
  }

  /**
   * The old 9-digit ID (CMND), or null. It was issued from 14 until chip cards replaced it in 2021; most of those
   * born before 2000 had one. `oldIdPrefix` is the birth-registration province's [unverified] two-digit prefix.
   */
  oldIdNumber(oldIdPrefix: number, birthYear: number): string | null {
    if (birthYear >= 2000 || !this.rng.chance(0.8)) return null;
    return String(oldIdPrefix * 10_000_000 + this.oldIdDigits.next(oldIdPrefix)).padStart(9, '0');
  }

  /**
   * The issue day of the card a person holds today, or -1 for none. Cards come from the roll-out periods, never
   * before the 14th birthday (a few under-14 cards since July 2024); a card that reached its renewal age was
   * usually renewed just before, and is left expired in one case in four.
   */
  cardIssueDay(birthDay: number, age: number): number {
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
}
