import { PERSONA_EARLIEST_REFERENCE_DATE } from '../../config/dataset-spec.js';
import { ReferenceData } from '../../reference/reference-data.js';
import type { Address, CitizenRecord, HouseholdRecord, HouseholdRelationship, MaritalStatus } from '../../registry/citizen.js';
import { PERSONA_RANDOM_FLOOR, composeIdNumber, type Sex } from '../../identity/id-number.js';
import { dayOfDate, dayOfIso, isoDate } from '../../identity/calendar-days.js';
import { idCardIssuedOn } from '../../identity/id-card-rule.js';

/**
 * The sandbox personas: named citizens that every dataset contains whatever the seed, each built to exercise one
 * case (a death, a missing person, an expired card, a name with rare diacritics...). Their ID numbers take the random
 * part from the reserved range PERSONA_RANDOM_FLOOR-999999, which the generator never uses, so a test can tell a
 * persona from a generated citizen. Everything is fixed except the date of the "moved last week" event; the records
 * themselves do not depend on the reference date.
 */

/** Change-feed event kinds (the registry_changes kinds). */
export type PersonaEventKind = 'birth' | 'death' | 'missing' | 'move' | 'marriage' | 'divorce' | 'new_card';

/** An event of a persona's history, for the changes feed. */
export interface PersonaEvent {
  kind: PersonaEventKind;
  /** `YYYY-MM-DD`, or null when the date is relative to the reference date (then `daysBeforeToday` is set). */
  date: string | null;
  /** Days before the reference date ("moved last week": 7), or null for a fixed date. */
  daysBeforeToday: number | null;
  details: Readonly<Record<string, string>>;
}

/** A persona event with its date resolved against a reference date, ready for the changes feed. */
export interface DatedPersonaEvent {
  idNumber: string;
  kind: PersonaEventKind;
  /** ISO 8601 with the Vietnamese offset, 09:00 local time (`2026-11-21T09:00:00+07:00`). */
  occurredAt: string;
  details: Readonly<Record<string, string>>;
}

/** A catalogue entry; the README lists them. */
export interface Persona {
  idNumber: string;
  /** Stable kebab-case slug. */
  key: string;
  title: string;
  /** What the persona is for. */
  tests: string;
  /** The CitizenRecord fields that make it special. */
  specialFields: (keyof CitizenRecord)[];
  /** The verification triple, with idNumber (Decree 70/2024). */
  fullName: string;
  dateOfBirth: string;
  householdId: string;
  events: PersonaEvent[];
}

/**
 * The earliest reference date the personas fit: the newborn's birth date is fixed (2026-05-20) so that its ID
 * number, which encodes the birth year, never changes.
 */
export { PERSONA_EARLIEST_REFERENCE_DATE };

type Outsider = { name: string; nationality: string };

interface PersonaSpec {
  key: string;
  title: string;
  tests: string;
  specialFields: (keyof CitizenRecord)[];
  events?: PersonaEvent[];
}

interface MemberSpec {
  /** Random part = PERSONA_RANDOM_FLOOR + n; unique over all persona households. */
  n: number;
  surname: string;
  middleName: string;
  givenName: string;
  sex: Sex;
  /** `YYYY-MM-DD`, or `YYYY-MM` / `YYYY` for old records. */
  dateOfBirth: string;
  /** ID-province code of the birth registration. */
  born: string;
  relationship: HouseholdRelationship;
  maritalStatus: MaritalStatus;
  /** Another member's `n`, or a spouse outside the dataset (late, or foreign). */
  spouse?: number | Outsider;
  /** Another member's `n`, or the name of a parent outside the dataset. */
  father?: number | string;
  mother?: number | string;
  /** Card issue date (the expiry follows the renewal rule); absent = no card. */
  cardIssued?: string;
  oldIdNumber?: string;
  status?: { kind: 'deceased' | 'missing'; date: string };
  temporaryAddress?: AddressSpec;
  ethnicityCode?: string;
  religionCode?: string;
  phoneNumber?: string;
  email?: string;
  bloodGroup?: string;
  persona?: PersonaSpec;
}

type AddressSpec = { communeCode: string; detail: string } | { legacy: Address };

interface HouseholdSpec {
  sequence: number;
  address: AddressSpec;
  members: MemberSpec[];
}

const fixed = (kind: PersonaEventKind, date: string, details: Record<string, string> = {}): PersonaEvent => ({
  kind,
  date,
  daysBeforeToday: null,
  details,
});

/** Hà Nội unless stated otherwise; communes are real 2025 communes (config/reference/communes-2025.csv). */
const HOUSEHOLDS: readonly HouseholdSpec[] = [
  {
    sequence: 1,
    address: { communeCode: '00166', detail: 'Số 18, ngõ 75, phố Trần Quốc Vượng' },
    members: [
      {
        n: 1, surname: 'Nguyễn', middleName: 'Văn', givenName: 'Hùng', sex: 'male', dateOfBirth: '1958-03-12', born: '001',
        relationship: 'head', maritalStatus: 'married', spouse: 2, father: 'Nguyễn Văn Thịnh', mother: 'Đào Thị Gái',
        cardIssued: '2021-04-10', oldIdNumber: '019999001', phoneNumber: '0900000001', bloodGroup: 'O',
        persona: {
          key: 'large-household-head',
          title: 'Head of a household of seven',
          tests: 'Household of seven over three generations: head, spouse, son, daughter-in-law (relationship "other"), three grandchildren',
          specialFields: ['householdId', 'householdRelationship'],
        },
      },
      {
        n: 2, surname: 'Trần', middleName: 'Thị', givenName: 'Lan', sex: 'female', dateOfBirth: '1961-07-04', born: '001',
        relationship: 'spouse', maritalStatus: 'married', spouse: 1, father: 'Trần Văn Khoa', mother: 'Lê Thị Tâm',
        cardIssued: '2021-03-20', oldIdNumber: '019999002',
        persona: {
          key: 'card-no-expiry',
          title: 'Card that never expires',
          tests: 'Card issued at 59, within two years before the last renewal age (60): expiryDate is null',
          specialFields: ['idCard'],
        },
      },
      {
        n: 3, surname: 'Nguyễn', middleName: 'Văn', givenName: 'Minh', sex: 'male', dateOfBirth: '1985-10-20', born: '001',
        relationship: 'child', maritalStatus: 'married', spouse: 4, father: 1, mother: 2, cardIssued: '2024-09-01',
        oldIdNumber: '019999003', phoneNumber: '0900000003', email: 'minh.nguyen85@example.com',
      },
      {
        n: 4, surname: 'Lê', middleName: 'Thị', givenName: 'Hương', sex: 'female', dateOfBirth: '1988-02-14', born: '036',
        relationship: 'other', maritalStatus: 'married', spouse: 3, father: 'Lê Văn Tư', mother: 'Phạm Thị Nhài',
        cardIssued: '2021-05-05', phoneNumber: '0900000004',
      },
      {
        n: 5, surname: 'Nguyễn', middleName: 'Minh', givenName: 'Khang', sex: 'male', dateOfBirth: '2012-05-30', born: '001',
        relationship: 'grandchild', maritalStatus: 'single', father: 3, mother: 4, cardIssued: '2025-03-10',
        persona: {
          key: 'minor-with-card',
          title: 'Child with a card issued before 14',
          tests: 'Under-14 card (allowed on request since 1 July 2024), valid until 25 because issued within two years before 14',
          specialFields: ['dateOfBirth', 'idCard'],
          events: [fixed('new_card', '2025-03-10')],
        },
      },
      {
        n: 6, surname: 'Nguyễn', middleName: 'Ngọc Bảo', givenName: 'Anh', sex: 'female', dateOfBirth: '2016-09-01', born: '001',
        relationship: 'grandchild', maritalStatus: 'single', father: 3, mother: 4,
        persona: {
          key: 'minor',
          title: 'Minor without a card',
          tests: 'A ten-year-old: no card, no phone, parents linked by ID; two middle words',
          specialFields: ['dateOfBirth', 'idCard', 'middleName', 'fatherIdNumber', 'motherIdNumber'],
        },
      },
      {
        n: 7, surname: 'Nguyễn', middleName: 'Gia', givenName: 'Huy', sex: 'male', dateOfBirth: '2026-05-20', born: '001',
        relationship: 'grandchild', maritalStatus: 'single', father: 3, mother: 4,
        persona: {
          key: 'newborn',
          title: 'Newborn',
          tests: 'Born in 2026 (century digit 2, year 26): no card, no old ID, parents linked; a birth event in the feed',
          specialFields: ['dateOfBirth', 'idCard', 'fatherIdNumber', 'motherIdNumber'],
          events: [fixed('birth', '2026-05-20')],
        },
      },
    ],
  },
  {
    sequence: 2,
    address: { communeCode: '00004', detail: 'Số 7 phố Đội Cấn' },
    members: [
      {
        n: 8, surname: 'Phạm', middleName: 'Thị', givenName: 'Hoa', sex: 'female', dateOfBirth: '1947-11-02', born: '036',
        relationship: 'head', maritalStatus: 'widowed', spouse: 9, father: 'Phạm Văn Cẩn', mother: 'Vũ Thị Lụa',
        cardIssued: '2021-05-20', oldIdNumber: '169999008',
        persona: {
          key: 'widowed',
          title: 'Widow',
          tests: 'Widowed; the spouse link still points to the late husband\'s (deceased) record',
          specialFields: ['maritalStatus', 'spouseIdNumber'],
        },
      },
      {
        n: 9, surname: 'Lê', middleName: 'Văn', givenName: 'Thắng', sex: 'male', dateOfBirth: '1944-05-19', born: '001',
        relationship: 'spouse', maritalStatus: 'married', spouse: 8, father: 'Lê Văn Lộc', mother: 'Ngô Thị Mận',
        cardIssued: '2021-05-20', oldIdNumber: '019999009', status: { kind: 'deceased', date: '2023-08-14' },
        persona: {
          key: 'deceased',
          title: 'Deceased citizen',
          tests: 'Status deceased with the date of death; services must refuse or flag him; a death event in the feed',
          specialFields: ['status', 'statusDate'],
          events: [fixed('death', '2023-08-14')],
        },
      },
    ],
  },
  {
    sequence: 3,
    address: { communeCode: '00331', detail: 'Số 22, ngõ 141, phố Giáp Nhị' },
    members: [
      {
        n: 10, surname: 'Hoàng', middleName: 'Thị', givenName: 'Mai', sex: 'female', dateOfBirth: '1953-06-30', born: '033',
        relationship: 'head', maritalStatus: 'widowed', spouse: { name: 'Đỗ Văn Sơn', nationality: 'VN' },
        father: 'Hoàng Văn Bảy', mother: 'Trịnh Thị Chè', cardIssued: '2021-07-01', oldIdNumber: '149999010',
      },
      {
        n: 11, surname: 'Đỗ', middleName: 'Văn', givenName: 'Nam', sex: 'male', dateOfBirth: '1979-04-23', born: '001',
        relationship: 'child', maritalStatus: 'single', father: 'Đỗ Văn Sơn', mother: 10, cardIssued: '2021-03-15',
        oldIdNumber: '019999011', status: { kind: 'missing', date: '2021-10-05' },
        persona: {
          key: 'missing',
          title: 'Missing person',
          tests: 'Status missing since a date (Law on Identification art. 9 item 24); a missing event in the feed',
          specialFields: ['status', 'statusDate'],
          events: [fixed('missing', '2021-10-05')],
        },
      },
    ],
  },
  {
    sequence: 4,
    address: { communeCode: '00235', detail: 'Số 5, ngách 12/4, ngõ 12, phố Chùa Bộc' },
    members: [
      {
        n: 12, surname: 'Bùi', middleName: 'Thị Thu', givenName: 'Trang', sex: 'female', dateOfBirth: '2000-08-09', born: '001',
        relationship: 'head', maritalStatus: 'single', father: 'Bùi Văn Hải', mother: 'Nguyễn Thị Hạnh', cardIssued: '2016-09-01',
        phoneNumber: '0900000012', email: 'trang.bui@example.com',
        persona: {
          key: 'card-expired',
          title: 'Expired ID card',
          tests: 'Bar-code card issued at 16, expired on her 25th birthday (2025-08-09) and never renewed',
          specialFields: ['idCard'],
        },
      },
    ],
  },
  {
    sequence: 5,
    address: { communeCode: '00565', detail: 'Thôn Đông' },
    members: [
      {
        n: 13, surname: 'Ngô', middleName: 'Văn', givenName: 'Dũng', sex: 'male', dateOfBirth: '1950-12-01', born: '001',
        relationship: 'head', maritalStatus: 'widowed', spouse: { name: 'Trịnh Thị Mến', nationality: 'VN' },
        father: 'Ngô Văn Khải', mother: 14, oldIdNumber: '019999013',
        persona: {
          key: 'old-id-only',
          title: 'Old 9-digit ID only',
          tests: 'No card (idCard null), only the old 9-digit CMND: the old-ID to new-ID confirmation service',
          specialFields: ['oldIdNumber', 'idCard'],
        },
      },
      {
        n: 14, surname: 'Dương', middleName: 'Thị', givenName: 'Nụ', sex: 'female', dateOfBirth: '1929', born: '001',
        relationship: 'parent', maritalStatus: 'widowed', spouse: { name: 'Ngô Văn Khải', nationality: 'VN' },
        cardIssued: '2021-09-09',
        persona: {
          key: 'year-only-birth-date',
          title: 'Birth date with the year only',
          tests: 'dateOfBirth "1929": matching a full date against a year-only record must say partial',
          specialFields: ['dateOfBirth'],
        },
      },
    ],
  },
  {
    sequence: 6,
    address: { communeCode: '00256', detail: 'Số 31 phố Lò Đúc' },
    members: [
      {
        n: 15, surname: 'Trịnh', middleName: 'Công', givenName: 'Long', sex: 'male', dateOfBirth: '1970-06-18', born: '001',
        relationship: 'head', maritalStatus: 'divorced', father: 'Trịnh Văn Tạo', mother: 16, cardIssued: '2021-02-02',
        oldIdNumber: '019999015', phoneNumber: '0900000015',
        persona: {
          key: 'divorced',
          title: 'Divorced citizen',
          tests: 'Marital status divorced, no spouse fields; a divorce event in the feed',
          specialFields: ['maritalStatus', 'spouseIdNumber', 'spouseName'],
          events: [fixed('divorce', '2024-03-12')],
        },
      },
      {
        n: 16, surname: 'Hồ', middleName: 'Thị', givenName: 'Xuân', sex: 'female', dateOfBirth: '1948-03', born: '040',
        relationship: 'parent', maritalStatus: 'widowed', spouse: { name: 'Trịnh Văn Tạo', nationality: 'VN' },
        cardIssued: '2021-04-04', oldIdNumber: '189999016',
        persona: {
          key: 'month-year-birth-date',
          title: 'Birth date with month and year only',
          tests: 'dateOfBirth "1948-03": partial date matching',
          specialFields: ['dateOfBirth'],
        },
      },
    ],
  },
  {
    sequence: 7,
    address: { communeCode: '00103', detail: 'Số 44, ngõ 52, phố Tô Ngọc Vân' },
    members: [
      {
        n: 17, surname: 'Vũ', middleName: 'Đức', givenName: 'Thành', sex: 'male', dateOfBirth: '1990-01-25', born: '001',
        relationship: 'head', maritalStatus: 'married', spouse: 18, father: 'Vũ Văn Thuận', mother: 'Đặng Thị Liên',
        cardIssued: '2021-08-08', oldIdNumber: '019999017', phoneNumber: '0900000017', email: 'thanh.vu90@example.com',
        bloodGroup: 'A',
        persona: {
          key: 'married-husband',
          title: 'Married man',
          tests: 'Married couple pointing to each other (spouse ID, name, nationality); a marriage event in the feed',
          specialFields: ['maritalStatus', 'spouseIdNumber', 'spouseName'],
          events: [fixed('marriage', '2018-10-20')],
        },
      },
      {
        n: 18, surname: 'Phan', middleName: 'Thị Thanh', givenName: 'Hằng', sex: 'female', dateOfBirth: '1992-11-11', born: '031',
        relationship: 'spouse', maritalStatus: 'married', spouse: 17, father: 'Phan Văn Đông', mother: 'Cao Thị Yến',
        cardIssued: '2022-01-10', oldIdNumber: '039999018', phoneNumber: '0900000018',
        persona: {
          key: 'married-wife',
          title: 'Married woman',
          tests: 'The other half of the married couple',
          specialFields: ['maritalStatus', 'spouseIdNumber', 'spouseName'],
          events: [fixed('marriage', '2018-10-20')],
        },
      },
    ],
  },
  {
    sequence: 8,
    address: { communeCode: '00145', detail: 'Số 9, ngõ 260, phố Nguyễn Văn Cừ' },
    members: [
      {
        n: 19, surname: 'Lữ', middleName: 'Thị Ỷ', givenName: 'Lan', sex: 'female', dateOfBirth: '1984-12-07', born: '017',
        relationship: 'head', maritalStatus: 'single', father: 'Lữ Văn Tuấn', mother: 'Đinh Thị Mỹ', cardIssued: '2023-01-15',
        oldIdNumber: '119999019',
        persona: {
          key: 'rare-diacritics',
          title: 'Name with rare diacritics',
          tests: 'Letters ữ and Ỷ (ỹ in the mother\'s name): NFC handling, upper case "LỮ THỊ Ỷ LAN", unaccented "LU THI Y LAN"',
          specialFields: ['surname', 'middleName', 'fullName'],
        },
      },
    ],
  },
  {
    sequence: 9,
    address: { communeCode: '19789', detail: 'Số 12 đường Lê Lợi' },
    members: [
      {
        n: 20, surname: 'Công Tằng Tôn Nữ', middleName: 'Thị Mỹ', givenName: 'Hạnh', sex: 'female', dateOfBirth: '1995-04-16',
        born: '046', relationship: 'head', maritalStatus: 'single', father: 'Nguyễn Phước Khoa',
        mother: 'Trần Thị Kim Loan', cardIssued: '2021-06-06', phoneNumber: '0900000020',
        persona: {
          key: 'long-name',
          title: 'Very long name with a four-word surname',
          tests: 'Seven words, surname "Công Tằng Tôn Nữ" (Nguyễn Phúc royal clan): splitting surname, middle and given name',
          specialFields: ['surname', 'middleName', 'fullName'],
        },
      },
    ],
  },
  {
    sequence: 10,
    address: { communeCode: '00367', detail: 'Số 101 phố Nguyễn Trãi' },
    members: [
      {
        n: 21, surname: 'Nguyễn', middleName: 'Văn', givenName: 'An', sex: 'male', dateOfBirth: '1990-05-15', born: '001',
        relationship: 'head', maritalStatus: 'single', father: 'Nguyễn Văn Bình', mother: 'Hoàng Thị Thoa',
        cardIssued: '2021-03-03', oldIdNumber: '019999021', phoneNumber: '0900000021',
        persona: {
          key: 'same-name-dob-a',
          title: 'Namesake A',
          tests: 'Same full name and birth date as namesake B: name + date alone must not identify a citizen',
          specialFields: ['fullName', 'dateOfBirth'],
        },
      },
    ],
  },
  {
    sequence: 11,
    address: { communeCode: '13669', detail: 'Số 56 đường Trần Hưng Đạo' },
    members: [
      {
        n: 22, surname: 'Nguyễn', middleName: 'Văn', givenName: 'An', sex: 'male', dateOfBirth: '1990-05-15', born: '036',
        relationship: 'head', maritalStatus: 'single', father: 'Nguyễn Văn Hòa', mother: 'Trần Thị Xoan',
        cardIssued: '2021-07-07', oldIdNumber: '169999022',
        persona: {
          key: 'same-name-dob-b',
          title: 'Namesake B',
          tests: 'Same full name and birth date as namesake A, born and living in another province',
          specialFields: ['fullName', 'dateOfBirth'],
        },
      },
    ],
  },
  {
    sequence: 12,
    address: { communeCode: '09556', detail: 'Căn hộ 1208, tòa B2, khu đô thị Văn Quán' },
    members: [
      {
        n: 23, surname: 'Trần', middleName: 'Quang', givenName: 'Huy', sex: 'male', dateOfBirth: '1987-09-03', born: '001',
        relationship: 'head', maritalStatus: 'single', father: 'Trần Văn Lực', mother: 'Đỗ Thị Hiền', cardIssued: '2021-04-04',
        oldIdNumber: '019999023', phoneNumber: '0900000023', email: 'huy.tran@example.com',
        persona: {
          key: 'moved-last-week',
          title: 'Moved last week',
          tests: 'Permanent residence changed 7 days before the reference date (from Phường Kim Liên to Phường Hà Đông): change-feed sync',
          specialFields: ['permanentAddress', 'currentAddress'],
          events: [
            {
              kind: 'move',
              date: null,
              daysBeforeToday: 7,
              details: { fromCommuneCode: '00229', toCommuneCode: '09556' },
            },
          ],
        },
      },
    ],
  },
  {
    sequence: 13,
    address: { communeCode: '00199', detail: 'Số 66 phố Láng Hạ' },
    members: [
      {
        n: 24, surname: 'Lê', middleName: 'Thị Ngọc', givenName: 'Hân', sex: 'female', dateOfBirth: '1993-03-08', born: '001',
        relationship: 'head', maritalStatus: 'married', spouse: { name: 'Kim Min-jun', nationality: 'KR' },
        father: 'Lê Văn Quý', mother: 'Phạm Thị Hường', cardIssued: '2021-05-05', oldIdNumber: '019999024',
        phoneNumber: '0900000024',
        persona: {
          key: 'foreign-spouse',
          title: 'Married to a foreigner',
          tests: 'Spouse of Korean nationality: spouseNationality "KR", a name, and no ID number',
          specialFields: ['spouseName', 'spouseNationality', 'spouseIdNumber'],
          events: [fixed('marriage', '2019-05-25')],
        },
      },
    ],
  },
  {
    sequence: 14,
    address: { communeCode: '17464', detail: 'Xóm 5' },
    members: [
      {
        n: 25, surname: 'Hà', middleName: 'Văn', givenName: 'Bình', sex: 'male', dateOfBirth: '1972-02-02', born: '040',
        relationship: 'head', maritalStatus: 'married', spouse: 26, father: 'Hà Văn Lâm', mother: 'Thái Thị Lý',
        cardIssued: '2021-04-04', oldIdNumber: '189999025',
      },
      {
        n: 26, surname: 'Nguyễn', middleName: 'Thị', givenName: 'Nga', sex: 'female', dateOfBirth: '1975-09-09', born: '040',
        relationship: 'spouse', maritalStatus: 'married', spouse: 25, father: 'Nguyễn Văn Đào', mother: 'Hồ Thị Sen',
        cardIssued: '2021-04-04', oldIdNumber: '189999026',
      },
      {
        n: 27, surname: 'Hà', middleName: 'Văn', givenName: 'Tùng', sex: 'male', dateOfBirth: '2001-07-19', born: '040',
        relationship: 'child', maritalStatus: 'single', father: 25, mother: 26, cardIssued: '2024-08-01',
        temporaryAddress: { communeCode: '00292', detail: 'Số 15, ngõ 40, phố Tạ Quang Bửu' },
        phoneNumber: '0900000027', email: 'tung.ha01@example.com',
        persona: {
          key: 'temporary-residence-hanoi',
          title: 'Temporary resident of Hà Nội',
          tests: 'Permanent residence in Nghệ An, temporary residence in Hà Nội; currentAddress is the temporary one',
          specialFields: ['permanentAddress', 'temporaryAddress', 'currentAddress'],
        },
      },
    ],
  },
  {
    sequence: 15,
    address: { communeCode: '00721', detail: 'Thôn Lũng Cẩm' },
    members: [
      {
        n: 28, surname: 'Sùng', middleName: 'A', givenName: 'Páo', sex: 'male', dateOfBirth: '1995-01-10', born: '002',
        relationship: 'head', maritalStatus: 'married', spouse: 29, father: 'Sùng A Chứ', mother: 'Vàng Thị Dở',
        cardIssued: '2021-09-15', ethnicityCode: '08', religionCode: '08', oldIdNumber: '079999028',
      },
      {
        n: 29, surname: 'Giàng', middleName: 'Thị', givenName: 'Mỵ', sex: 'female', dateOfBirth: '1998-06-21', born: '002',
        relationship: 'spouse', maritalStatus: 'married', spouse: 28, father: 'Giàng A Lử', mother: 'Lý Thị Sua',
        cardIssued: '2022-03-03', ethnicityCode: '08', religionCode: '08',
        persona: {
          key: 'ethnic-minority-religion',
          title: 'Mông citizen of the Protestant faith',
          tests: 'Sensitive fields: ethnicity 08 (HMông, 1979 list) and religion 08 (Tin Lành): withheld unless the procedure needs them',
          specialFields: ['ethnicityCode', 'religionCode'],
        },
      },
    ],
  },
  {
    sequence: 16,
    address: {
      legacy: {
        detail: 'Số 25, ngõ 68, phố Cầu Giấy',
        communeCode: null,
        communeName: 'Phường Quan Hoa',
        districtName: 'Quận Cầu Giấy',
        provinceCode: '01',
        provinceName: 'Thành phố Hà Nội',
      },
    },
    members: [
      {
        n: 30, surname: 'Đặng', middleName: 'Văn', givenName: 'Quân', sex: 'male', dateOfBirth: '1965-08-30', born: '001',
        relationship: 'head', maritalStatus: 'single', father: 'Đặng Văn Phú', mother: 'Kiều Thị Hoa', cardIssued: '2023-10-10',
        oldIdNumber: '019999030',
        persona: {
          key: 'legacy-address',
          title: 'Pre-2025 three-level address',
          tests: 'Permanent address still with a district (Quận Cầu Giấy) and a ward merged away in July 2025 (communeCode null)',
          specialFields: ['permanentAddress'],
        },
      },
    ],
  },
];

function birthYearOf(member: MemberSpec): number {
  return Number(member.dateOfBirth.slice(0, 4));
}

function idNumberOf(member: MemberSpec): string {
  return composeIdNumber(member.born, member.sex, birthYearOf(member), PERSONA_RANDOM_FLOOR + member.n);
}

function fullNameOf(member: MemberSpec): string {
  return member.surname + ' ' + member.middleName + ' ' + member.givenName;
}

function householdIdOf(household: HouseholdSpec): string {
  return 'HP' + String(household.sequence).padStart(10, '0');
}

/** The persona catalogue, derived from the fixed specifications without generating any data. */
export const PERSONAS: readonly Persona[] = HOUSEHOLDS.flatMap((household) =>
  household.members.flatMap((member): Persona[] =>
    member.persona
      ? [
          {
            idNumber: idNumberOf(member),
            key: member.persona.key,
            title: member.persona.title,
            tests: member.persona.tests,
            specialFields: member.persona.specialFields,
            fullName: fullNameOf(member),
            dateOfBirth: member.dateOfBirth,
            householdId: householdIdOf(household),
            events: member.persona.events ?? [],
          },
        ]
      : [],
  ),
);

function address(spec: AddressSpec): Address {
  if ('legacy' in spec) return { ...spec.legacy };
  const reference = ReferenceData.get();
  const commune = reference.commune(spec.communeCode);
  const province = commune && reference.province(commune.provinceCode);
  if (!commune || !province) throw new Error(`persona address: commune ${spec.communeCode} is not in the 2025 list`);
  return {
    detail: spec.detail,
    communeCode: commune.code,
    communeName: commune.name,
    districtName: null,
    provinceCode: province.code,
    provinceName: province.name,
  };
}

/** The day a partial birth date stands for in the card rule: the first of its month or year. */
function birthDayOf(dateOfBirth: string): number {
  return dayOfIso(dateOfBirth.length === 4 ? dateOfBirth + '-01-01' : dateOfBirth.length === 7 ? dateOfBirth + '-01' : dateOfBirth);
}

/**
 * The persona households and their members, as the generator would emit them. `today` (the dataset's reference
 * date) must be on or after PERSONA_EARLIEST_REFERENCE_DATE; the records do not otherwise depend on it.
 */
export function personaHouseholds(today: Date): { household: HouseholdRecord; members: CitizenRecord[] }[] {
  if (Number.isNaN(today.getTime()) || dayOfDate(today) < dayOfIso(PERSONA_EARLIEST_REFERENCE_DATE)) {
    throw new RangeError(`the personas need a reference date on or after ${PERSONA_EARLIEST_REFERENCE_DATE}`);
  }
  const reference = ReferenceData.get();
  const byNumber = new Map<number, MemberSpec>();
  for (const household of HOUSEHOLDS) for (const member of household.members) byNumber.set(member.n, member);
  const relative = (link: number | string | undefined): [string | null, string | null] => {
    if (link === undefined) return [null, null];
    if (typeof link === 'string') return [null, link];
    const other = byNumber.get(link)!;
    return [idNumberOf(other), fullNameOf(other)];
  };

  return HOUSEHOLDS.map((household) => {
    const householdId = householdIdOf(household);
    const home = address(household.address);
    const members = household.members.map((member): CitizenRecord => {
      const born = reference.idProvince(member.born);
      if (!born) throw new Error(`persona ${member.n}: unknown ID province ${member.born}`);
      const [fatherIdNumber, fatherName] = relative(member.father);
      const [motherIdNumber, motherName] = relative(member.mother);
      let spouseIdNumber: string | null = null;
      let spouseName: string | null = null;
      let spouseNationality: string | null = null;
      if (typeof member.spouse === 'number') {
        [spouseIdNumber, spouseName] = relative(member.spouse);
        spouseNationality = 'VN';
      } else if (member.spouse) {
        spouseName = member.spouse.name;
        spouseNationality = member.spouse.nationality;
      }
      // The home town (quê quán) follows the father: his record's, or his birth province's name.
      const father = typeof member.father === 'number' ? byNumber.get(member.father)! : undefined;
      const homeTown = reference.idProvince((father ?? member).born)!.nameBefore2025;
      const temporary = member.temporaryAddress ? address(member.temporaryAddress) : null;
      return {
        idNumber: idNumberOf(member),
        surname: member.surname,
        middleName: member.middleName,
        givenName: member.givenName,
        fullName: fullNameOf(member),
        otherNames: null,
        dateOfBirth: member.dateOfBirth,
        sex: member.sex,
        placeOfBirth: born.nameBefore2025,
        birthRegistrationProvinceIdCode: born.idCode,
        birthRegistrationPlace: born.nameBefore2025,
        homeTown,
        ethnicityCode: member.ethnicityCode ?? '01',
        religionCode: member.religionCode ?? '00',
        nationality: 'VN',
        bloodGroup: member.bloodGroup ?? null,
        oldIdNumber: member.oldIdNumber ?? null,
        idCard: member.cardIssued ? idCardIssuedOn(birthDayOf(member.dateOfBirth), dayOfIso(member.cardIssued)) : null,
        fatherIdNumber,
        fatherName,
        motherIdNumber,
        motherName,
        spouseIdNumber,
        spouseName,
        spouseNationality,
        permanentAddress: { ...home },
        temporaryAddress: temporary,
        currentAddress: temporary ? { ...temporary } : { ...home },
        maritalStatus: member.maritalStatus,
        householdId,
        householdRelationship: member.relationship,
        status: member.status?.kind ?? 'alive',
        statusDate: member.status?.date ?? null,
        phoneNumber: member.status?.kind === 'deceased' ? null : (member.phoneNumber ?? null),
        email: member.email ?? null,
      };
    });
    return { household: { householdId, headIdNumber: members[0].idNumber, address: home }, members };
  });
}

/** Every persona event with its date resolved against the reference date, oldest first. */
export function personaEvents(today: Date): DatedPersonaEvent[] {
  const todayDay = dayOfDate(today);
  return PERSONAS.flatMap((persona) =>
    persona.events.map((event) => ({
      idNumber: persona.idNumber,
      kind: event.kind,
      occurredAt: (event.date ?? isoDate(todayDay - (event.daysBeforeToday ?? 0))) + 'T09:00:00+07:00',
      details: event.details,
    })),
  ).sort((a, b) => a.occurredAt.localeCompare(b.occurredAt) || a.idNumber.localeCompare(b.idNumber));
}

const PERSONA_KEY_BY_ID = new Map(PERSONAS.map((persona) => [persona.idNumber, persona.key]));

/** The key of the persona with this ID number, or null (a generated citizen, or a persona's relative). */
export function personaKeyOf(idNumber: string): string | null {
  return PERSONA_KEY_BY_ID.get(idNumber) ?? null;
}
