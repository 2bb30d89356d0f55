/**
 * The registry's field vocabulary: what a caller may ask for by name, shared by the look-up API, verify, the
 * services' allow-lists and consents. Names are English; `vietnamese` is the term of the Law on Identification 2023,
 * art. 9, whose item number is `lawItem`. How each field is read from a record is the registry's business
 * (src/registry/citizen-fields.ts, which defines a projection for every name here); what may be asked for is the
 * catalog's, so it sits below both.
 */
export interface RegistryField {
  name: string;
  vietnamese: string;
  lawItem: number;
  /** Sensitive under Law 91/2025 and Decree 356/2025: returned only when asked for by name. */
  sensitive: boolean;
  description: string;
}

/** Every field of the registry, in the order of the law's items. */
export const REGISTRY_FIELDS: readonly RegistryField[] = [
  { name: 'idNumber', vietnamese: 'Số định danh cá nhân', lawItem: 3, sensitive: false, description: '12-digit personal ID number' },
  { name: 'fullName', vietnamese: 'Họ, chữ đệm và tên khai sinh', lawItem: 1, sensitive: false, description: 'Birth name: surname, middle name(s), given name' },
  { name: 'otherNames', vietnamese: 'Tên gọi khác', lawItem: 2, sensitive: false, description: 'Other names, or null' },
  { name: 'dateOfBirth', vietnamese: 'Ngày, tháng, năm sinh', lawItem: 4, sensitive: false, description: 'YYYY-MM-DD, or YYYY-MM / YYYY on old records that hold only part of the date' },
  { name: 'sex', vietnamese: 'Giới tính', lawItem: 5, sensitive: false, description: 'male or female' },
  { name: 'placeOfBirth', vietnamese: 'Nơi sinh', lawItem: 6, sensitive: false, description: 'Place of birth' },
  { name: 'birthRegistrationPlace', vietnamese: 'Nơi đăng ký khai sinh', lawItem: 7, sensitive: false, description: 'Where the birth was registered; its province code opens the ID number' },
  { name: 'homeTown', vietnamese: 'Quê quán', lawItem: 8, sensitive: false, description: 'Home town (ancestral place)' },
  { name: 'ethnicity', vietnamese: 'Dân tộc', lawItem: 9, sensitive: true, description: 'Ethnic group, 1979 statistics-office code and name' },
  { name: 'religion', vietnamese: 'Tôn giáo', lawItem: 10, sensitive: true, description: 'Religion, 2008 statistics-office code (00 = none) and name' },
  { name: 'nationality', vietnamese: 'Quốc tịch', lawItem: 11, sensitive: false, description: 'ISO 3166-1 alpha-2 code' },
  { name: 'bloodGroup', vietnamese: 'Nhóm máu', lawItem: 12, sensitive: true, description: 'A, B, AB or O, or null when not recorded' },
  { name: 'oldIdNumber', vietnamese: 'Số Chứng minh nhân dân 9 số', lawItem: 13, sensitive: false, description: 'The old 9-digit ID (CMND), or null' },
  { name: 'idCard', vietnamese: 'Ngày, nơi cấp, ngày hết hạn thẻ', lawItem: 14, sensitive: false, description: 'Card issue date, issuing authority and expiry date (null: never expires), or null when no card was issued' },
  { name: 'father', vietnamese: 'Cha', lawItem: 15, sensitive: false, description: "Father's ID number (null when not in the registry), name and nationality" },
  { name: 'mother', vietnamese: 'Mẹ', lawItem: 15, sensitive: false, description: "Mother's ID number, name and nationality" },
  { name: 'spouse', vietnamese: 'Vợ, chồng', lawItem: 15, sensitive: false, description: "Spouse's ID number (null for a foreign spouse), name and nationality" },
  { name: 'children', vietnamese: 'Con', lawItem: 15, sensitive: false, description: 'Children recorded in the registry' },
  { name: 'permanentAddress', vietnamese: 'Nơi thường trú', lawItem: 16, sensitive: false, description: 'Permanent residence' },
  { name: 'temporaryAddress', vietnamese: 'Nơi tạm trú', lawItem: 17, sensitive: false, description: 'Temporary residence, or null' },
  { name: 'currentAddress', vietnamese: 'Nơi ở hiện tại', lawItem: 18, sensitive: false, description: 'Current place of living: the temporary residence when there is one, else the permanent one' },
  { name: 'maritalStatus', vietnamese: 'Tình trạng hôn nhân', lawItem: 21, sensitive: false, description: 'single, married, divorced or widowed' },
  { name: 'household', vietnamese: 'Quan hệ với chủ hộ; chủ hộ và các thành viên', lawItem: 22, sensitive: false, description: 'Household id and relationship to its head (members: GET /registry/v1/households/{id})' },
  { name: 'citizenStatus', vietnamese: 'Tình trạng (còn sống, đã chết, mất tích)', lawItem: 24, sensitive: false, description: 'alive, deceased or missing' },
  { name: 'statusDate', vietnamese: 'Ngày chết hoặc mất tích', lawItem: 24, sensitive: false, description: 'Date of death or of going missing, or null' },
  { name: 'phoneNumber', vietnamese: 'Số điện thoại di động', lawItem: 25, sensitive: false, description: 'Mobile number, or null' },
  { name: 'email', vietnamese: 'Địa chỉ thư điện tử', lawItem: 25, sensitive: false, description: 'E-mail address, or null' },
];

export const REGISTRY_FIELD_BY_NAME: ReadonlyMap<string, RegistryField> = new Map(REGISTRY_FIELDS.map((f) => [f.name, f]));

/** Fields returned when a caller names none: everything except the sensitive ones, which must be asked for. */
export const DEFAULT_FIELDS: readonly string[] = REGISTRY_FIELDS.filter((f) => !f.sensitive).map((f) => f.name);
