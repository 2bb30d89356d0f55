import type { Sex } from '../../identity/id-number.js';
import { SeededRandom, WeightedTable } from './seeded-random.js';

/**
 * Weighted Vietnamese names for the synthetic population (DOMAIN.md, "People"). Names are surname + middle + given;
 * every string here is NFC (the spec checks it), because the registry compares names after NFC normalisation and a
 * decomposed literal would never match what a caller types.
 */

/** A surname row. Hoàng/Huỳnh and Vũ/Võ are one name written differently in the North and in the South. */
export interface SurnameShare {
  north: string;
  south: string;
  /** Share of the whole population, in percent. */
  percent: number;
}

/** National surname shares (DOMAIN.md); the first fourteen rows are the published figures. */
const TOP_SURNAMES: readonly SurnameShare[] = [
  { north: 'Nguyễn', south: 'Nguyễn', percent: 38.4 },
  { north: 'Trần', south: 'Trần', percent: 11 },
  { north: 'Lê', south: 'Lê', percent: 9.5 },
  { north: 'Phạm', south: 'Phạm', percent: 7.1 },
  { north: 'Hoàng', south: 'Huỳnh', percent: 5.1 },
  { north: 'Phan', south: 'Phan', percent: 4.5 },
  { north: 'Vũ', south: 'Võ', percent: 3.9 },
  { north: 'Đặng', south: 'Đặng', percent: 2.1 },
  { north: 'Bùi', south: 'Bùi', percent: 2.0 },
  { north: 'Đỗ', south: 'Đỗ', percent: 1.4 },
  { north: 'Hồ', south: 'Hồ', percent: 1.3 },
  { north: 'Ngô', south: 'Ngô', percent: 1.3 },
  { north: 'Dương', south: 'Dương', percent: 1.0 },
  { north: 'Lý', south: 'Lý', percent: 0.5 },
];

/**
 * The long tail, with relative weights (not published: a plausible ordering). Together with the minority-group
 * surnames below it shares what the top fourteen leave, 10.9%.
 */
const TAIL_SURNAMES: readonly (readonly [string, number])[] = [
  ['Đinh', 9], ['Đoàn', 8], ['Trịnh', 8], ['Trương', 8], ['Lâm', 6], ['Mai', 6], ['Hà', 6], ['Cao', 5],
  ['Lương', 5], ['Lưu', 4], ['Tô', 4], ['Phùng', 4], ['Chu', 3], ['Tạ', 3], ['Quách', 3], ['Thái', 3],
  ['Vương', 3], ['Châu', 3], ['Kiều', 2], ['La', 2], ['Đàm', 2], ['Triệu', 2], ['Thân', 2], ['Lại', 2],
  ['Nghiêm', 2], ['Doãn', 1], ['Khổng', 1], ['Từ', 1], ['Tăng', 1], ['Giang', 1], ['Mạc', 1], ['Lã', 1],
  ['Khúc', 1], ['Ông', 1], ['Âu', 1], ['Kim', 1], ['Văn', 1], ['Hứa', 1],
];

/** Percent left to the tail by the fourteen published shares. */
const TAIL_PERCENT = 100 - TOP_SURNAMES.reduce((sum, row) => sum + row.percent, 0);

/**
 * Surnames typical of a few ethnic groups whose names differ clearly from Kinh names (keyed by the group's name in
 * the 1979 list). Other groups draw from the national table. Relative weights; not census figures.
 */
export const MINORITY_SURNAMES: Readonly<Record<string, readonly (readonly [string, number])[]>> = {
  HMông: [['Giàng', 20], ['Vàng', 15], ['Sùng', 14], ['Lý', 12], ['Thào', 12], ['Hầu', 8], ['Mùa', 6], ['Lầu', 5], ['Sình', 4], ['Tráng', 4]],
  Thái: [['Lò', 22], ['Cầm', 14], ['Lường', 14], ['Quàng', 12], ['Vi', 10], ['Hà', 10], ['Lù', 6], ['Tòng', 6], ['Điêu', 4], ['Lộc', 2]],
  'Khơ-me': [['Thạch', 28], ['Sơn', 20], ['Danh', 18], ['Kim', 12], ['Lâm', 8], ['Chau', 8], ['Trần', 6]],
  Dao: [['Triệu', 30], ['Bàn', 22], ['Đặng', 18], ['Lý', 12], ['Phùng', 8], ['Chảo', 6], ['Tẩn', 4]],
  Hoa: [['Lâm', 16], ['Trần', 14], ['Lý', 12], ['Hứa', 10], ['Quách', 8], ['Trương', 10], ['Lưu', 8], ['Mạc', 6], ['Tăng', 8], ['Diệp', 8]],
};

/**
 * Picks surnames so that the whole population matches the national shares although five minority groups draw from
 * their own lists: the national table for everyone else is corrected by what those groups already contribute
 * (`(target − minority contribution) / (1 − minority share)`), and the tail absorbs the minority-only names.
 */
export class SurnamePicker {
  private readonly national: WeightedTable<SurnameShare>;
  private readonly byGroup = new Map<string, WeightedTable<SurnameShare>>();

  /** `minorityShares`: population share (0-1) of each group of MINORITY_SURNAMES, by group name. */
  constructor(minorityShares: ReadonlyMap<string, number>) {
    const contribution = new Map<string, number>();
    let minorityTotal = 0;
    for (const [group, names] of Object.entries(MINORITY_SURNAMES)) {
      const share = minorityShares.get(group) ?? 0;
      minorityTotal += share;
      const weightSum = names.reduce((sum, [, weight]) => sum + weight, 0);
      for (const [name, weight] of names) {
        contribution.set(name, (contribution.get(name) ?? 0) + (share * 100 * weight) / weightSum);
      }
      this.byGroup.set(group, new WeightedTable(names.map(([name, weight]) => [{ north: name, south: name, percent: weight }, weight] as const)));
    }
    const rest = 100 * (1 - minorityTotal);
    const rows: [SurnameShare, number][] = TOP_SURNAMES.map((row) => {
      const given = (contribution.get(row.north) ?? 0) + (row.north === row.south ? 0 : contribution.get(row.south) ?? 0);
      return [row, Math.max(0, row.percent - given) / rest];
    });
    const topShare = rows.reduce((sum, [, weight]) => sum + weight, 0);
    const tailWeightSum = TAIL_SURNAMES.reduce((sum, [, weight]) => sum + weight, 0);
    for (const [name, weight] of TAIL_SURNAMES) {
      rows.push([{ north: name, south: name, percent: (TAIL_PERCENT * weight) / tailWeightSum }, ((1 - topShare) * weight) / tailWeightSum]);
    }
    this.national = new WeightedTable(rows);
  }

  /** The surname table for a group (by 1979-list name): its own list, or the corrected national one. */
  tableFor(ethnicityName: string): WeightedTable<SurnameShare> {
    return this.byGroup.get(ethnicityName) ?? this.national;
  }

  static pick(table: WeightedTable<SurnameShare>, rng: SeededRandom, south: boolean): string {
    const row = table.pick(rng);
    return south ? row.south : row.north;
  }
}

/** The published national shares, for documentation and tests. */
export const NATIONAL_SURNAME_SHARES: readonly SurnameShare[] = TOP_SURNAMES;

/**
 * Naming fashions changed: Văn and Thị dominate older generations and fade after about 2000, when two middle words
 * and names such as Khang, Bảo, Vy, Hân became common. Three eras: born before 1975, 1975-1999, 2000 and later.
 */
export type NameEra = 0 | 1 | 2;

export function nameEra(birthYear: number): NameEra {
  return birthYear < 1975 ? 0 : birthYear < 2000 ? 1 : 2;
}

type EraWeights = readonly [string, number, number, number];

const MALE_MIDDLE: readonly EraWeights[] = [
  ['Văn', 55, 34, 12], ['Đức', 8, 10, 12], ['Minh', 6, 12, 16], ['Quang', 5, 9, 10], ['Hữu', 7, 6, 4],
  ['Công', 6, 6, 5], ['Xuân', 5, 4, 3], ['Thành', 4, 6, 7], ['Ngọc', 3, 4, 4], ['Duy', 1, 6, 10],
  ['Gia', 0, 1, 9], ['Hoàng', 1, 3, 7], ['Tiến', 2, 3, 2], ['Mạnh', 2, 3, 2], ['Trọng', 2, 2, 2],
];

const FEMALE_MIDDLE: readonly EraWeights[] = [
  ['Thị', 76, 55, 22], ['Ngọc', 4, 8, 13], ['Thu', 4, 6, 6], ['Thanh', 4, 7, 8], ['Kim', 4, 4, 4],
  ['Phương', 1, 5, 8], ['Minh', 1, 3, 8], ['Hồng', 4, 4, 3], ['Mai', 1, 3, 5], ['Thúy', 2, 5, 4],
  ['Bảo', 0, 1, 7], ['Khánh', 0, 1, 6], ['Hà', 0, 1, 4], ['Diệu', 0, 1, 3],
];

/** Second middle words, for the "Nguyễn Ngọc Bảo Anh" pattern. */
const MALE_SECOND_MIDDLE: readonly (readonly [string, number])[] = [
  ['Gia', 8], ['Bảo', 8], ['Minh', 8], ['Đức', 6], ['Anh', 6], ['Hoàng', 6], ['Nhật', 6], ['Đăng', 5], ['Khánh', 4],
  ['Tuấn', 4], ['Trung', 3], ['Quốc', 5], ['Thiên', 3], ['Hải', 3],
];

const FEMALE_SECOND_MIDDLE: readonly (readonly [string, number])[] = [
  ['Bảo', 8], ['Ngọc', 7], ['Minh', 7], ['Khánh', 6], ['Phương', 6], ['Thảo', 5], ['Hà', 5], ['Diệu', 4], ['Tuệ', 4],
  ['Gia', 5], ['Thu', 5], ['Hoài', 3], ['Mai', 4], ['Quỳnh', 4], ['Thanh', 5], ['Kim', 3], ['An', 4],
];

/** Share of people with two middle words, by era. */
const TWO_MIDDLE_WORDS: readonly number[] = [0.03, 0.1, 0.35];

/** Given names: the DOMAIN.md lists first, then a few frequent others at lower weight. */
const MALE_GIVEN: readonly EraWeights[] = [
  ['Anh', 3, 6, 8], ['Minh', 4, 6, 8], ['Hùng', 8, 6, 2], ['Dũng', 8, 6, 2], ['Tuấn', 5, 8, 3], ['Nam', 5, 5, 5],
  ['Long', 4, 6, 4], ['Huy', 2, 6, 7], ['Đức', 5, 5, 5], ['Quang', 4, 4, 3], ['Hải', 6, 6, 3], ['Sơn', 6, 5, 2],
  ['Thắng', 6, 5, 2], ['Hoàng', 2, 4, 4], ['Phong', 3, 4, 4], ['Khoa', 1, 3, 6], ['Bảo', 1, 2, 7], ['Khang', 0.2, 1, 7],
  ['Phúc', 1, 2, 6], ['Quân', 2, 4, 7],
  ['Thành', 4, 4, 2], ['Trung', 4, 4, 2], ['Cường', 5, 4, 1], ['Tùng', 3, 4, 2], ['Việt', 3, 3, 2], ['Hiếu', 2, 4, 3],
  ['Đạt', 1, 4, 4], ['Kiên', 2, 3, 2], ['Vinh', 4, 3, 1], ['Bình', 5, 3, 1], ['Hưng', 3, 3, 3], ['Khôi', 0.5, 1, 5],
  ['Linh', 1, 1, 0.5], ['Toàn', 3, 3, 1], ['Nghĩa', 3, 3, 1], ['Thịnh', 2, 2, 2],
];

const FEMALE_GIVEN: readonly EraWeights[] = [
  ['Linh', 2, 6, 8], ['Anh', 2, 5, 8], ['Hương', 8, 6, 2], ['Trang', 3, 7, 5], ['Ngọc', 4, 5, 4], ['Thảo', 3, 6, 5],
  ['Hà', 5, 6, 3], ['Phương', 4, 5, 4], ['Huyền', 3, 6, 3], ['Lan', 9, 4, 1], ['Hoa', 9, 4, 1], ['Mai', 7, 5, 3],
  ['Thu', 7, 5, 1], ['Hằng', 6, 6, 1], ['Nhung', 6, 5, 1], ['Yến', 4, 5, 2], ['Nhi', 0.5, 2, 8], ['Vy', 0.2, 1, 7],
  ['Hân', 0.2, 1, 7], ['My', 0.5, 2, 6],
  ['Dung', 5, 3, 1], ['Liên', 5, 2, 0.5], ['Oanh', 4, 3, 1], ['Thủy', 6, 5, 1], ['Loan', 5, 3, 0.5], ['Hạnh', 5, 4, 1],
  ['Chi', 1, 3, 5], ['Quỳnh', 1, 4, 5], ['Giang', 2, 4, 4], ['Ngân', 1, 3, 5], ['Thư', 0.5, 3, 6], ['Uyên', 0.5, 2, 5],
  ['Vân', 5, 4, 2], ['Nga', 6, 4, 1], ['Cúc', 5, 1, 0.2], ['Xuân', 4, 2, 0.5], ['Minh', 1, 1, 1],
];

function eraTables(rows: readonly EraWeights[]): WeightedTable<string>[] {
  return [1, 2, 3].map((column) => new WeightedTable(rows.map((row) => [row[0], row[column] as number] as const)));
}

const MIDDLE_TABLES: Record<Sex, WeightedTable<string>[]> = {
  male: eraTables(MALE_MIDDLE),
  female: eraTables(FEMALE_MIDDLE),
};
const SECOND_MIDDLE_TABLES: Record<Sex, WeightedTable<string>> = {
  male: new WeightedTable(MALE_SECOND_MIDDLE),
  female: new WeightedTable(FEMALE_SECOND_MIDDLE),
};
const GIVEN_TABLES: Record<Sex, WeightedTable<string>[]> = {
  male: eraTables(MALE_GIVEN),
  female: eraTables(FEMALE_GIVEN),
};

export function pickGivenName(rng: SeededRandom, sex: Sex, birthYear: number): string {
  return GIVEN_TABLES[sex][nameEra(birthYear)].pick(rng);
}

/**
 * One or two middle words. A word equal to the given name is redrawn ("Nguyễn Minh Minh" is not a name people
 * choose), as is a repeated middle word.
 */
export function pickMiddleName(rng: SeededRandom, sex: Sex, birthYear: number, givenName: string): string {
  const era = nameEra(birthYear);
  const table = MIDDLE_TABLES[sex][era];
  let first = table.pick(rng);
  while (first === givenName) first = table.pick(rng);
  if (!rng.chance(TWO_MIDDLE_WORDS[era])) return first;
  const secondTable = SECOND_MIDDLE_TABLES[sex];
  let second = secondTable.pick(rng);
  for (let tries = 0; (second === first || second === givenName) && tries < 8; tries++) second = secondTable.pick(rng);
  return second === first || second === givenName ? first : first + ' ' + second;
}

/** A whole name for someone known only by name (a parent or spouse outside the dataset). */
export function pickFullName(rng: SeededRandom, sex: Sex, birthYear: number, surname: string): string {
  const given = pickGivenName(rng, sex, birthYear);
  return surname + ' ' + pickMiddleName(rng, sex, birthYear, given) + ' ' + given;
}

const asciiCache = new Map<string, string>();

/** Lower-case ASCII form of a name word for e-mail addresses ("Đặng" → "dang"); cached, names are few. */
export function asciiName(word: string): string {
  let ascii = asciiCache.get(word);
  if (ascii === undefined) {
    ascii = word
      .normalize('NFD')
      .replace(/[\u0300-\u036f]/g, '')
      .replace(/đ/g, 'd')
      .replace(/Đ/g, 'D')
      .toLowerCase()
      .replace(/[^a-z]/g, '');
    asciiCache.set(word, ascii);
  }
  return ascii;
}

/** Every name literal of this module, for the NFC check in the spec. */
export function allNameLiterals(): string[] {
  return [
    ...TOP_SURNAMES.flatMap((row) => [row.north, row.south]),
    ...TAIL_SURNAMES.map(([name]) => name),
    ...Object.values(MINORITY_SURNAMES).flatMap((rows) => rows.map(([name]) => name)),
    ...[...MALE_MIDDLE, ...FEMALE_MIDDLE, ...MALE_GIVEN, ...FEMALE_GIVEN].map(([name]) => name),
    ...[...MALE_SECOND_MIDDLE, ...FEMALE_SECOND_MIDDLE].map(([name]) => name),
  ];
}
