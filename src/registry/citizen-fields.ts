import { ReferenceData } from '../reference/reference-data.js';
import { RELATIONSHIP_LABELS, type HouseholdRelationship } from './citizen.js';
import {
  idCardOf,
  PERMANENT_ADDRESS_COLUMNS,
  permanentAddressOf,
  TEMPORARY_ADDRESS_COLUMNS,
  temporaryAddressOf,
  CITIZEN_COLUMNS,
  type CitizenColumn,
  type CitizenRow,
} from './citizen-row.js';
import type { ChildReference } from './registry.repository.js';

/** What a projection reads: the columns it declared, plus children when the caller asked for them (extra query). */
export interface ProjectionSource {
  row: Partial<CitizenRow>;
  children?: ChildReference[];
}

/**
 * One field a caller may request. Names are English and shared by look-up, verify and (later) the services'
 * allow-lists; `vietnamese` is the term of the Law on Identification 2023, art. 9, whose item number is `lawItem`.
 * Each field names the columns it reads, so a look-up fetches only those: on a 2-core machine the width of the row
 * read is a large part of a look-up's cost (docs/BENCHMARKS.md).
 */
export interface CitizenFieldDefinition {
  name: string;
  vietnamese: string;
  lawItem: number;
  /** Sensitive under Law 91/2025 and Decree 356/2025: returned only when asked for by name. */
  sensitive: boolean;
  description: string;
  columns: readonly CitizenColumn[];
  project: (source: ProjectionSource) => unknown;
}

function relative(idNumber: string | null | undefined, fullName: string | null | undefined, nationality: string | null | undefined) {
  return fullName == null ? null : { idNumber: idNumber ?? null, fullName, nationality: nationality ?? 'VN' };
}

const reference = () => ReferenceData.get();

type FieldSpec = Omit<CitizenFieldDefinition, 'columns' | 'project'>;

/** A field that is one column, returned as stored. */
function column(spec: FieldSpec, name: CitizenColumn): CitizenFieldDefinition {
  return { ...spec, columns: [name], project: ({ row }) => row[name] ?? null };
}

function derived(spec: FieldSpec, columns: readonly CitizenColumn[], project: CitizenFieldDefinition['project']): CitizenFieldDefinition {
  return { ...spec, columns, project };
}

/** Every field of the look-up API, in the order of the law's items. */
export const CITIZEN_FIELDS: readonly CitizenFieldDefinition[] = [
  column({ name: 'idNumber', vietnamese: 'Số định danh cá nhân', lawItem: 3, sensitive: false, description: '12-digit personal ID number' }, 'id_number'),
  column({ name: 'fullName', vietnamese: 'Họ, chữ đệm và tên khai sinh', lawItem: 1, sensitive: false, description: 'Birth name: surname, middle name(s), given name' }, 'full_name'),
  column({ name: 'otherNames', vietnamese: 'Tên gọi khác', lawItem: 2, sensitive: false, description: 'Other names, or null' }, 'other_names'),
  column({ name: 'dateOfBirth', vietnamese: 'Ngày, tháng, năm sinh', lawItem: 4, sensitive: false, description: 'YYYY-MM-DD, or YYYY-MM / YYYY on old records that hold only part of the date' }, 'date_of_birth'),
  column({ name: 'sex', vietnamese: 'Giới tính', lawItem: 5, sensitive: false, description: 'male or female' }, 'sex'),
  column({ name: 'placeOfBirth', vietnamese: 'Nơi sinh', lawItem: 6, sensitive: false, description: 'Place of birth' }, 'place_of_birth'),
  derived(
    { name: 'birthRegistrationPlace', vietnamese: 'Nơi đăng ký khai sinh', lawItem: 7, sensitive: false, description: 'Where the birth was registered; its province code opens the ID number' },
    ['birth_registration_province_id_code', 'birth_registration_place'],
    ({ row }) => ({ provinceIdCode: row.birth_registration_province_id_code, place: row.birth_registration_place }),
  ),
  column({ name: 'homeTown', vietnamese: 'Quê quán', lawItem: 8, sensitive: false, description: 'Home town (ancestral place)' }, 'home_town'),
  derived(
    { name: 'ethnicity', vietnamese: 'Dân tộc', lawItem: 9, sensitive: true, description: 'Ethnic group, 1979 statistics-office code and name' },
    ['ethnicity_code'],
    ({ row }) => ({ code: row.ethnicity_code, name: reference().ethnicity(row.ethnicity_code!)?.name ?? null }),
  ),
  derived(
    { name: 'religion', vietnamese: 'Tôn giáo', lawItem: 10, sensitive: true, description: 'Religion, 2008 statistics-office code (00 = none) and name' },
    ['religion_code'],
    ({ row }) => ({ code: row.religion_code, name: reference().religion(row.religion_code!)?.name ?? null }),
  ),
  column({ name: 'nationality', vietnamese: 'Quốc tịch', lawItem: 11, sensitive: false, description: 'ISO 3166-1 alpha-2 code' }, 'nationality'),
  column({ name: 'bloodGroup', vietnamese: 'Nhóm máu', lawItem: 12, sensitive: true, description: 'A, B, AB or O, or null when not recorded' }, 'blood_group'),
  column({ name: 'oldIdNumber', vietnamese: 'Số Chứng minh nhân dân 9 số', lawItem: 13, sensitive: false, description: 'The old 9-digit ID (CMND), or null' }, 'old_id_number'),
  derived(
    { name: 'idCard', vietnamese: 'Ngày, nơi cấp, ngày hết hạn thẻ', lawItem: 14, sensitive: false, description: 'Card issue date, issuing authority and expiry date (null: never expires), or null when no card was issued' },
    ['card_issue_date', 'card_expiry_date'],
    ({ row }) => idCardOf(row),
  ),
  derived(
    { name: 'father', vietnamese: 'Cha', lawItem: 15, sensitive: false, description: "Father's ID number (null when not in the registry), name and nationality" },
    ['father_id_number', 'father_name'],
    ({ row }) => relative(row.father_id_number, row.father_name, 'VN'),
  ),
  derived(
    { name: 'mother', vietnamese: 'Mẹ', lawItem: 15, sensitive: false, description: "Mother's ID number, name and nationality" },
    ['mother_id_number', 'mother_name'],
    ({ row }) => relative(row.mother_id_number, row.mother_name, 'VN'),
  ),
  derived(
    { name: 'spouse', vietnamese: 'Vợ, chồng', lawItem: 15, sensitive: false, description: "Spouse's ID number (null for a foreign spouse), name and nationality" },
    ['spouse_id_number', 'spouse_name', 'spouse_nationality'],
    ({ row }) => relative(row.spouse_id_number, row.spouse_name, row.spouse_nationality),
  ),
  derived(
    { name: 'children', vietnamese: 'Con', lawItem: 15, sensitive: false, description: 'Children recorded in the registry' },
    [],
    ({ children }) => children ?? [],
  ),
  derived(
    { name: 'permanentAddress', vietnamese: 'Nơi thường trú', lawItem: 16, sensitive: false, description: 'Permanent residence' },
    PERMANENT_ADDRESS_COLUMNS,
    ({ row }) => permanentAddressOf(row),
  ),
  derived(
    { name: 'temporaryAddress', vietnamese: 'Nơi tạm trú', lawItem: 17, sensitive: false, description: 'Temporary residence, or null' },
    TEMPORARY_ADDRESS_COLUMNS,
    ({ row }) => temporaryAddressOf(row),
  ),
  derived(
    { name: 'currentAddress', vietnamese: 'Nơi ở hiện tại', lawItem: 18, sensitive: false, description: 'Current place of living: the temporary residence when there is one, else the permanent one' },
    [...PERMANENT_ADDRESS_COLUMNS, ...TEMPORARY_ADDRESS_COLUMNS],
    ({ row }) => temporaryAddressOf(row) ?? permanentAddressOf(row),
  ),
  column({ name: 'maritalStatus', vietnamese: 'Tình trạng hôn nhân', lawItem: 21, sensitive: false, description: 'single, married, divorced or widowed' }, 'marital_status'),
  derived(
    { name: 'household', vietnamese: 'Quan hệ với chủ hộ; chủ hộ và các thành viên', lawItem: 22, sensitive: false, description: 'Household id and relationship to its head (members: GET /registry/v1/households/{id})' },
    ['household_id', 'household_relationship'],
    ({ row }) => ({
      householdId: row.household_id,
      relationship: row.household_relationship,
      relationshipLabel: RELATIONSHIP_LABELS[row.household_relationship as HouseholdRelationship],
    }),
  ),
  column({ name: 'citizenStatus', vietnamese: 'Tình trạng (còn sống, đã chết, mất tích)', lawItem: 24, sensitive: false, description: 'alive, deceased or missing' }, 'status'),
  column({ name: 'statusDate', vietnamese: 'Ngày chết hoặc mất tích', lawItem: 24, sensitive: false, description: 'Date of death or of going missing, or null' }, 'status_date'),
  column({ name: 'phoneNumber', vietnamese: 'Số điện thoại di động', lawItem: 25, sensitive: false, description: 'Mobile number, or null' }, 'phone_number'),
  column({ name: 'email', vietnamese: 'Địa chỉ thư điện tử', lawItem: 25, sensitive: false, description: 'E-mail address, or null' }, 'email'),
];

export const CITIZEN_FIELD_BY_NAME: ReadonlyMap<string, CitizenFieldDefinition> = new Map(CITIZEN_FIELDS.map((f) => [f.name, f]));

/** Fields returned when a caller names none: everything except the sensitive ones, which must be asked for. */
export const DEFAULT_FIELDS: readonly string[] = CITIZEN_FIELDS.filter((f) => !f.sensitive).map((f) => f.name);

/** The columns a set of fields reads, deduplicated, in table order (so equal sets share one prepared statement). */
export function columnsOf(fields: readonly string[]): CitizenColumn[] {
  const wanted = new Set<CitizenColumn>(['id_number']);
  for (const name of fields) for (const c of CITIZEN_FIELD_BY_NAME.get(name)?.columns ?? []) wanted.add(c);
  return CITIZEN_COLUMNS.filter((c) => wanted.has(c));
}
