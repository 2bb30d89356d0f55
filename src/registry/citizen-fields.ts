import { ReferenceData } from '../reference/reference-data.js';
import { RELATIONSHIP_LABELS, type CitizenRecord } from './citizen.js';
import type { ChildReference } from './registry.repository.js';

/** What a projection can read: the stored record, plus children when the caller asked for them (an extra query). */
export interface ProjectionSource {
  record: CitizenRecord;
  children?: ChildReference[];
}

/**
 * One field a caller may request. Names are English and shared by look-up, verify and (later) the services'
 * allow-lists; `vietnamese` is the term of the Law on Identification 2023, art. 9, whose item number is `lawItem`.
 */
export interface CitizenFieldDefinition {
  name: string;
  vietnamese: string;
  lawItem: number;
  /** Sensitive under Law 91/2025 and Decree 356/2025: returned only when asked for by name. */
  sensitive: boolean;
  description: string;
  project: (source: ProjectionSource) => unknown;
}


function relative(idNumber: string | null, fullName: string | null, nationality: string | null) {
  return fullName === null ? null : { idNumber, fullName, nationality: nationality ?? 'VN' };
}

const reference = () => ReferenceData.get();

/** Every field of the look-up API, in the order of the law's items. */
export const CITIZEN_FIELDS: readonly CitizenFieldDefinition[] = [
  { name: 'idNumber', vietnamese: 'Số định danh cá nhân', lawItem: 3, sensitive: false, description: '12-digit personal ID number', project: ({ record }) => record.idNumber },
  { name: 'fullName', vietnamese: 'Họ, chữ đệm và tên khai sinh', lawItem: 1, sensitive: false, description: 'Birth name: surname, middle name(s), given name', project: ({ record }) => record.fullName },
  { name: 'otherNames', vietnamese: 'Tên gọi khác', lawItem: 2, sensitive: false, description: 'Other names, or null', project: ({ record }) => record.otherNames },
  { name: 'dateOfBirth', vietnamese: 'Ngày, tháng, năm sinh', lawItem: 4, sensitive: false, description: 'YYYY-MM-DD, or YYYY-MM / YYYY on old records that hold only part of the date', project: ({ record }) => record.dateOfBirth },
  { name: 'sex', vietnamese: 'Giới tính', lawItem: 5, sensitive: false, description: 'male or female', project: ({ record }) => record.sex },
  { name: 'placeOfBirth', vietnamese: 'Nơi sinh', lawItem: 6, sensitive: false, description: 'Place of birth', project: ({ record }) => record.placeOfBirth },
  {
    name: 'birthRegistrationPlace', vietnamese: 'Nơi đăng ký khai sinh', lawItem: 7, sensitive: false,
    description: 'Where the birth was registered; its province code opens the ID number',
    project: ({ record }) => ({ provinceIdCode: record.birthRegistrationProvinceIdCode, place: record.birthRegistrationPlace }),
  },
  { name: 'homeTown', vietnamese: 'Quê quán', lawItem: 8, sensitive: false, description: 'Home town (ancestral place)', project: ({ record }) => record.homeTown },
  {
    name: 'ethnicity', vietnamese: 'Dân tộc', lawItem: 9, sensitive: true, description: 'Ethnic group, 1979 statistics-office code and name',
    project: ({ record }) => ({ code: record.ethnicityCode, name: reference().ethnicity(record.ethnicityCode)?.name ?? null }),
  },
  {
    name: 'religion', vietnamese: 'Tôn giáo', lawItem: 10, sensitive: true, description: 'Religion, 2008 statistics-office code (00 = none) and name',
    project: ({ record }) => ({ code: record.religionCode, name: reference().religion(record.religionCode)?.name ?? null }),
  },
  { name: 'nationality', vietnamese: 'Quốc tịch', lawItem: 11, sensitive: false, description: 'ISO 3166-1 alpha-2 code', project: ({ record }) => record.nationality },
  { name: 'bloodGroup', vietnamese: 'Nhóm máu', lawItem: 12, sensitive: true, description: 'A, B, AB or O, or null when not recorded', project: ({ record }) => record.bloodGroup },
  { name: 'oldIdNumber', vietnamese: 'Số Chứng minh nhân dân 9 số', lawItem: 13, sensitive: false, description: 'The old 9-digit ID (CMND), or null', project: ({ record }) => record.oldIdNumber },
  { name: 'idCard', vietnamese: 'Ngày, nơi cấp, ngày hết hạn thẻ', lawItem: 14, sensitive: false, description: 'Card issue date, issuing authority and expiry date (null: never expires), or null when no card was issued', project: ({ record }) => record.idCard },
  { name: 'father', vietnamese: 'Cha', lawItem: 15, sensitive: false, description: "Father's ID number (null when not in the registry), name and nationality", project: ({ record }) => relative(record.fatherIdNumber, record.fatherName, 'VN') },
  { name: 'mother', vietnamese: 'Mẹ', lawItem: 15, sensitive: false, description: "Mother's ID number, name and nationality", project: ({ record }) => relative(record.motherIdNumber, record.motherName, 'VN') },
  { name: 'spouse', vietnamese: 'Vợ, chồng', lawItem: 15, sensitive: false, description: "Spouse's ID number (null for a foreign spouse), name and nationality", project: ({ record }) => relative(record.spouseIdNumber, record.spouseName, record.spouseNationality) },
  { name: 'children', vietnamese: 'Con', lawItem: 15, sensitive: false, description: 'Children recorded in the registry', project: ({ children }) => children ?? [] },
  { name: 'permanentAddress', vietnamese: 'Nơi thường trú', lawItem: 16, sensitive: false, description: 'Permanent residence', project: ({ record }) => record.permanentAddress },
  { name: 'temporaryAddress', vietnamese: 'Nơi tạm trú', lawItem: 17, sensitive: false, description: 'Temporary residence, or null', project: ({ record }) => record.temporaryAddress },
  { name: 'currentAddress', vietnamese: 'Nơi ở hiện tại', lawItem: 18, sensitive: false, description: 'Current place of living', project: ({ record }) => record.currentAddress },
  { name: 'maritalStatus', vietnamese: 'Tình trạng hôn nhân', lawItem: 21, sensitive: false, description: 'single, married, divorced or widowed', project: ({ record }) => record.maritalStatus },
  {
    name: 'household', vietnamese: 'Quan hệ với chủ hộ; chủ hộ và các thành viên', lawItem: 22, sensitive: false,
    description: 'Household id and relationship to its head (members: GET /registry/v1/households/{id})',
    project: ({ record }) => ({
      householdId: record.householdId,
      relationship: record.householdRelationship,
      relationshipLabel: RELATIONSHIP_LABELS[record.householdRelationship],
    }),
  },
  { name: 'citizenStatus', vietnamese: 'Tình trạng (còn sống, đã chết, mất tích)', lawItem: 24, sensitive: false, description: 'alive, deceased or missing', project: ({ record }) => record.status },
  { name: 'statusDate', vietnamese: 'Ngày chết hoặc mất tích', lawItem: 24, sensitive: false, description: 'Date of death or of going missing, or null', project: ({ record }) => record.statusDate },
  { name: 'phoneNumber', vietnamese: 'Số điện thoại di động', lawItem: 25, sensitive: false, description: 'Mobile number, or null', project: ({ record }) => record.phoneNumber },
  { name: 'email', vietnamese: 'Địa chỉ thư điện tử', lawItem: 25, sensitive: false, description: 'E-mail address, or null', project: ({ record }) => record.email },
];

export const CITIZEN_FIELD_BY_NAME: ReadonlyMap<string, CitizenFieldDefinition> = new Map(CITIZEN_FIELDS.map((f) => [f.name, f]));

/** Fields returned when a caller names none: everything except the sensitive ones, which must be asked for. */
export const DEFAULT_FIELDS: readonly string[] = CITIZEN_FIELDS.filter((f) => !f.sensitive).map((f) => f.name);
