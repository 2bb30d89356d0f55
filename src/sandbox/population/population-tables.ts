/**
 * Demographic tables of the synthetic population. Census shares are from the 2019 Population and Housing Census
 * (DOMAIN.md quotes the headline figures); finer figures marked "approximate" are rounded public estimates, good
 * enough for a sandbox and kept here so that they can be corrected in one place.
 */

/** Lower bound of each age band of the pyramid; the last band is 85 and over. */
export const AGE_BAND_STARTS: readonly number[] = [0, 5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 55, 60, 65, 70, 75, 80, 85];

/**
 * Share of the living population per 5-year band, in percent (approximate, Vietnam about 2024: 0-14 24%, 15-64 68%,
 * 65+ 8%). The generator steers household composition so that the living population follows it.
 */
export const AGE_BAND_PERCENT: readonly number[] = [
  7.2, 8.3, 8.5, 7.7, 7.0, 7.3, 8.1, 7.9, 7.5, 6.7, 5.9, 5.2, 4.6, 3.5, 2.1, 1.2, 0.7, 0.6,
];

/** Ages inside the open 85+ band (relative weights per single year from 85). */
export const OLDEST_AGE_WEIGHTS: readonly number[] = [
  16, 14, 12, 10, 8, 7, 6, 5, 4, 3.5, 3, 2.5, 2, 1.5, 1.2, 1, 0.8, 0.6, 0.4, 0.3, 0.2,
];

/**
 * An ethnic group: its name in the 1979 list (config/reference/ethnicities-1979.csv, resolved to the code at start
 * so that a renamed row fails loudly), its share of the population in percent (2019 census; Kinh 85.3, Tày 1.9,
 * Thái 1.9, Mường 1.5, Mông 1.4, Khmer 1.4, Nùng 1.1 are the published headline figures, the rest approximate) and
 * the 2025 provinces where it mostly lives.
 */
export interface EthnicGroupRow {
  name: string;
  percent: number;
  homeland: readonly string[];
}

export const ETHNIC_GROUPS: readonly EthnicGroupRow[] = [
  { name: 'Kinh', percent: 85.3, homeland: [] },
  { name: 'Tày', percent: 1.9, homeland: ['04', '20', '08', '19', '15'] },
  { name: 'Thái', percent: 1.9, homeland: ['14', '11', '12', '38', '40'] },
  { name: 'Mường', percent: 1.5, homeland: ['25', '38', '37'] },
  { name: 'HMông', percent: 1.4, homeland: ['08', '15', '11', '12', '14', '40'] },
  { name: 'Khơ-me', percent: 1.4, homeland: ['91', '92', '86', '96'] },
  { name: 'Nùng', percent: 1.1, homeland: ['20', '04', '19', '24', '66'] },
  { name: 'Dao', percent: 0.92, homeland: ['08', '15', '04', '22', '20'] },
  { name: 'Hoa', percent: 0.78, homeland: ['79', '92', '91', '75'] },
  { name: 'Gia-rai', percent: 0.53, homeland: ['52'] },
  { name: 'Ê-đê', percent: 0.41, homeland: ['66'] },
  { name: 'Ba-na', percent: 0.29, homeland: ['52', '51'] },
  { name: 'Xơ-đăng', percent: 0.22, homeland: ['51', '48'] },
  { name: 'Sán Chay', percent: 0.21, homeland: ['08', '19', '24'] },
  { name: 'Cơ-ho', percent: 0.21, homeland: ['68'] },
  { name: 'Chăm', percent: 0.18, homeland: ['56', '91', '68'] },
  { name: 'Sán Dìu', percent: 0.19, homeland: ['22', '19', '24', '25'] },
  { name: 'Hrê', percent: 0.15, homeland: ['51'] },
  { name: 'Ra-glai', percent: 0.15, homeland: ['56'] },
  { name: 'Mnông', percent: 0.13, homeland: ['68', '66'] },
  { name: 'Xtiêng', percent: 0.1, homeland: ['75'] },
  { name: 'Bru-Vân Kiều', percent: 0.1, homeland: ['44'] },
  { name: 'Thổ', percent: 0.09, homeland: ['40', '38'] },
  { name: 'Khơ-mú', percent: 0.09, homeland: ['40', '11', '14'] },
  { name: 'Cơ-tu', percent: 0.08, homeland: ['48', '46'] },
  { name: 'Giáy', percent: 0.07, homeland: ['15', '12'] },
  { name: 'Gié-Triêng', percent: 0.07, homeland: ['48', '51'] },
  { name: 'Tà-ôi', percent: 0.05, homeland: ['46', '44'] },
  { name: 'Mạ', percent: 0.05, homeland: ['68', '75'] },
  { name: 'Co', percent: 0.04, homeland: ['51'] },
  { name: 'Chơ-ro', percent: 0.03, homeland: ['75'] },
  { name: 'Xinh-mun', percent: 0.03, homeland: ['14', '11'] },
  { name: 'Hà Nhì', percent: 0.03, homeland: ['12', '15', '11'] },
  { name: 'Chu-ru', percent: 0.02, homeland: ['68'] },
  { name: 'Lào', percent: 0.02, homeland: ['11', '12'] },
  { name: 'Kháng', percent: 0.02, homeland: ['14', '12'] },
  { name: 'La Chí', percent: 0.02, homeland: ['08'] },
  { name: 'Phù Lá', percent: 0.012, homeland: ['15'] },
  { name: 'La Hủ', percent: 0.01, homeland: ['12'] },
  { name: 'La Ha', percent: 0.01, homeland: ['14'] },
  { name: 'Pà Thẻn', percent: 0.009, homeland: ['08'] },
  { name: 'Chứt', percent: 0.008, homeland: ['44'] },
  { name: 'Lự', percent: 0.007, homeland: ['12'] },
  { name: 'Lô Lô', percent: 0.005, homeland: ['04', '08'] },
  { name: 'Mảng', percent: 0.005, homeland: ['12'] },
  { name: 'Cơ Lao', percent: 0.004, homeland: ['08'] },
  { name: 'Bố Y', percent: 0.003, homeland: ['15', '08'] },
  { name: 'Cống', percent: 0.002, homeland: ['11', '12'] },
  { name: 'Ngái', percent: 0.001, homeland: ['22', '79'] },
  { name: 'Si La', percent: 0.001, homeland: ['12', '11'] },
  { name: 'Pu Péo', percent: 0.001, homeland: ['08'] },
  { name: 'Rơ-măm', percent: 0.0006, homeland: ['51'] },
  { name: 'Brâu', percent: 0.0005, homeland: ['51'] },
  { name: 'Ơ Đu', percent: 0.0004, homeland: ['40'] },
];

/** Share of minority households registered in Hà Nội rather than in their homeland (approximate). */
export const MINORITY_HANOI_SHARE = 0.08;

/**
 * Religion shares of the whole population, in percent, by the 2008 list's name (2019 census: 86.3 none, Catholic
 * ~6.1, Buddhist 4.8; the rest approximate).
 */
export const RELIGION_PERCENT: readonly (readonly [string, number])[] = [
  ['Không', 86.3], ['Công giáo', 6.1], ['Phật giáo', 4.8], ['Tin Lành', 1.0], ['Phật giáo Hòa Hảo', 1.0],
  ['Cao Đài', 0.58], ['Hồi giáo', 0.08], ['Tịnh độ Cư sĩ Phật hội Việt Nam', 0.03], ['Tứ Ân Hiếu Nghĩa', 0.01],
  ['Bà La Môn', 0.008], ['Bửu Sơn Kỳ Hương', 0.002], ['Minh Sư đạo', 0.001], ['Minh Lý đạo', 0.001],
  ["Baha'i", 0.001], ['Mặc Môn', 0.0005],
];

/**
 * Groups whose religion differs from the national mix (percent of the group; the rest follows the corrected
 * national mix): Theravada Buddhism among the Khmer, Protestantism among the Mông and the Central Highlands groups,
 * Islam and Brahmanism among the Chăm (approximate).
 */
export const GROUP_RELIGION_PERCENT: Readonly<Record<string, readonly (readonly [string, number])[]>> = {
  'Khơ-me': [['Phật giáo', 85]],
  HMông: [['Tin Lành', 30], ['Công giáo', 4]],
  'Ê-đê': [['Tin Lành', 40], ['Công giáo', 15]],
  'Gia-rai': [['Tin Lành', 30], ['Công giáo', 20]],
  'Ba-na': [['Công giáo', 35], ['Tin Lành', 10]],
  'Xơ-đăng': [['Công giáo', 30]],
  Mnông: [['Tin Lành', 35], ['Công giáo', 15]],
  'Cơ-ho': [['Tin Lành', 35], ['Công giáo', 30]],
  Chăm: [['Bà La Môn', 40], ['Hồi giáo', 35]],
  Hoa: [['Phật giáo', 25]],
};

/**
 * The 63 pre-2025 provinces (ID-number codes) with their population in millions (approximate, 2023). It weights
 * birth registrations inside a merged 2025 province, the 2025 provinces outside Hà Nội, and migrants' origins.
 */
export const OLD_PROVINCE_MILLIONS: Readonly<Record<string, number>> = {
  '001': 8.59, '002': 0.9, '004': 0.54, '006': 0.32, '008': 0.8, '010': 0.77, '011': 0.64, '012': 0.48, '014': 1.3,
  '015': 0.84, '017': 0.88, '019': 1.33, '020': 0.8, '022': 1.38, '024': 1.9, '025': 1.5, '026': 1.2, '027': 1.5,
  '030': 1.95, '031': 2.1, '033': 1.3, '034': 1.9, '035': 0.88, '036': 1.9, '037': 1.0, '038': 3.7, '040': 3.4,
  '042': 1.3, '044': 0.9, '045': 0.65, '046': 1.16, '048': 1.2, '049': 1.5, '051': 1.25, '052': 1.5, '054': 0.88,
  '056': 1.25, '058': 0.6, '060': 1.25, '062': 0.57, '064': 1.6, '066': 1.9, '067': 0.67, '068': 1.33, '070': 1.0,
  '072': 1.2, '074': 2.8, '075': 3.3, '077': 1.2, '079': 9.4, '080': 1.75, '082': 1.8, '083': 1.3, '084': 1.0,
  '086': 1.0, '087': 1.6, '089': 1.9, '091': 1.75, '092': 1.25, '093': 0.73, '094': 1.2, '095': 0.92, '096': 1.2,
};

/** Share of households registered in Hà Nội (the sandbox imitates Hà Nội's portal, so its people dominate). */
export const HANOI_HOUSEHOLD_SHARE = 0.6;

/**
 * Where a surname takes its southern form (Huỳnh, Võ): 0 in the North, 1 from Đà Nẵng southwards, half-way along
 * the North Central coast (Nghệ An to Huế), where both forms are common. Keyed by the numeric ID-province code.
 */
export function southernness(idCode: string): number {
  const code = Number(idCode);
  return code < 40 ? 0 : code < 48 ? 0.5 : 1;
}

/**
 * First two digits of the old 9-digit ID card (CMND) by the ID-province of registration [unverified: the commonly
 * cited allocation of Decree 05/1999; the generator only needs a plausible prefix].
 */
export const OLD_ID_PREFIX: Readonly<Record<string, string>> = {
  '001': '01', '079': '02', '031': '03', '011': '04', '012': '04', '014': '05', '010': '06', '015': '06', '002': '07',
  '008': '07', '020': '08', '004': '08', '019': '09', '006': '09', '022': '10', '024': '12', '027': '12', '025': '13',
  '026': '13', '017': '11', '030': '14', '033': '14', '034': '15', '036': '16', '035': '16', '037': '16', '038': '17',
  '040': '18', '042': '18', '044': '19', '045': '19', '046': '19', '049': '20', '048': '20', '051': '21', '052': '21',
  '056': '22', '054': '22', '064': '23', '062': '23', '066': '24', '067': '24', '068': '25', '058': '26', '060': '26',
  '075': '27', '077': '27', '074': '28', '070': '28', '072': '29', '080': '30', '082': '31', '083': '32', '086': '33',
  '084': '33', '087': '34', '089': '35', '092': '36', '093': '36', '094': '36', '091': '37', '096': '38', '095': '38',
};

/** Mobile prefixes (three digits, seven more follow) with rough market weights: Viettel, Vinaphone, MobiFone, others. */
export const MOBILE_PREFIXES: readonly (readonly [string, number])[] = [
  ['096', 6], ['097', 6], ['098', 7], ['086', 4], ['032', 3], ['033', 3], ['034', 3], ['035', 3], ['036', 3],
  ['037', 3], ['038', 3], ['039', 3], ['091', 5], ['094', 4], ['088', 3], ['081', 1.5], ['082', 1.5], ['083', 1.5],
  ['084', 1.5], ['085', 1.5], ['090', 5], ['093', 4], ['089', 2], ['070', 1.5], ['076', 1], ['077', 1.5], ['078', 1],
  ['079', 1.5], ['092', 1], ['056', 0.5], ['058', 0.5], ['099', 0.3], ['059', 0.3],
];

export const EMAIL_DOMAINS: readonly (readonly [string, number])[] = [
  ['gmail.com', 80], ['yahoo.com', 8], ['outlook.com', 5], ['icloud.com', 3], ['hotmail.com', 2], ['vnn.vn', 2],
];

/** ABO shares among Vietnamese blood donors (approximate: O about 42%). */
export const BLOOD_GROUPS: readonly (readonly [string, number])[] = [['O', 42], ['B', 30.5], ['A', 22], ['AB', 5.5]];

/** Foreign spouses: nationality (ISO alpha-2), relative weight, and names in the order the other country writes them. */
export const FOREIGN_SPOUSES: readonly {
  nationality: string;
  weight: number;
  male: readonly string[];
  female: readonly string[];
}[] = [
  { nationality: 'KR', weight: 40, male: ['Kim Min-jun', 'Lee Seung-woo', 'Park Ji-hoon', 'Choi Dong-hyun'], female: ['Kim Ji-yeon', 'Lee Soo-jin', 'Park Min-ji'] },
  { nationality: 'TW', weight: 20, male: ['Chen Chih-ming', 'Lin Wei-ting', 'Huang Chien-hung'], female: ['Lin Mei-ling', 'Chen Yi-ting'] },
  { nationality: 'CN', weight: 15, male: ['Wang Wei', 'Li Qiang', 'Zhang Lei'], female: ['Wang Fang', 'Li Na'] },
  { nationality: 'JP', weight: 10, male: ['Sato Hiroshi', 'Tanaka Kenji', 'Suzuki Takeshi'], female: ['Sato Yuki', 'Tanaka Aiko'] },
  { nationality: 'US', weight: 8, male: ['John Miller', 'David Johnson', 'Michael Brown'], female: ['Emily Davis', 'Sarah Wilson'] },
  { nationality: 'FR', weight: 4, male: ['Pierre Martin', 'Julien Bernard'], female: ['Camille Dubois', 'Claire Moreau'] },
  { nationality: 'AU', weight: 3, male: ['James Taylor', 'Daniel Smith'], female: ['Jessica White', 'Olivia Harris'] },
];

/** Saint's names recorded as "other names" on some Catholic records. */
export const SAINT_NAMES: Readonly<Record<'male' | 'female', readonly string[]>> = {
  male: ['Giuse', 'Phêrô', 'Gioan', 'Phaolô', 'Antôn', 'Đaminh', 'Micae', 'Giacôbê'],
  female: ['Maria', 'Anna', 'Têrêsa', 'Cecilia', 'Rosa', 'Martha', 'Agnes'],
};
