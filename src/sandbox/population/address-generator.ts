import type { Address } from '../../registry/citizen.js';
import type { Commune } from '../../reference/reference-data.js';
import type { SeededRandom } from './seeded-random.js';

/**
 * Address lines for the synthetic population: a detail line ("Số 12, ngõ 34, phố Kim Mã", "Thôn Đoài", "Ấp 3")
 * under a real commune of the 2025 map, and, for some older records, the pre-2025 three-level form with a district.
 */

/** A pre-2025 district with a few of its wards or communes (a small curated list, not the full old map). */
export interface LegacyDistrict {
  name: string;
  communes: readonly string[];
}

/** Legacy three-level addresses: the 2025 province they now belong to (named as in the 2025 list, which the registry joins on read), and districts. */
export interface LegacyProvince {
  provinceCode: string;
  provinceName: string;
  districts: readonly LegacyDistrict[];
}

export const LEGACY_PROVINCES: readonly LegacyProvince[] = [
  {
    provinceCode: '01',
    provinceName: 'Thành phố Hà Nội',
    districts: [
      { name: 'Quận Ba Đình', communes: ['Phường Phúc Xá', 'Phường Trúc Bạch', 'Phường Vĩnh Phúc', 'Phường Cống Vị', 'Phường Liễu Giai', 'Phường Kim Mã', 'Phường Giảng Võ', 'Phường Thành Công', 'Phường Quán Thánh', 'Phường Ngọc Khánh', 'Phường Đội Cấn'] },
      { name: 'Quận Hoàn Kiếm', communes: ['Phường Hàng Bạc', 'Phường Hàng Bồ', 'Phường Hàng Buồm', 'Phường Hàng Đào', 'Phường Hàng Gai', 'Phường Hàng Trống', 'Phường Lý Thái Tổ', 'Phường Tràng Tiền', 'Phường Cửa Đông', 'Phường Đồng Xuân'] },
      { name: 'Quận Đống Đa', communes: ['Phường Cát Linh', 'Phường Văn Miếu', 'Phường Quốc Tử Giám', 'Phường Láng Thượng', 'Phường Láng Hạ', 'Phường Ô Chợ Dừa', 'Phường Khâm Thiên', 'Phường Nam Đồng', 'Phường Trung Liệt', 'Phường Kim Liên', 'Phường Phương Mai', 'Phường Khương Thượng'] },
      { name: 'Quận Hai Bà Trưng', communes: ['Phường Bách Khoa', 'Phường Bạch Đằng', 'Phường Bạch Mai', 'Phường Cầu Dền', 'Phường Đống Mác', 'Phường Lê Đại Hành', 'Phường Minh Khai', 'Phường Phố Huế', 'Phường Quỳnh Mai', 'Phường Thanh Nhàn', 'Phường Trương Định', 'Phường Vĩnh Tuy'] },
      { name: 'Quận Cầu Giấy', communes: ['Phường Nghĩa Đô', 'Phường Nghĩa Tân', 'Phường Mai Dịch', 'Phường Dịch Vọng', 'Phường Dịch Vọng Hậu', 'Phường Quan Hoa', 'Phường Yên Hòa', 'Phường Trung Hòa'] },
      { name: 'Quận Thanh Xuân', communes: ['Phường Nhân Chính', 'Phường Thượng Đình', 'Phường Khương Trung', 'Phường Khương Mai', 'Phường Thanh Xuân Trung', 'Phường Phương Liệt', 'Phường Hạ Đình', 'Phường Khương Đình', 'Phường Thanh Xuân Bắc', 'Phường Kim Giang'] },
      { name: 'Quận Tây Hồ', communes: ['Phường Phú Thượng', 'Phường Nhật Tân', 'Phường Tứ Liên', 'Phường Quảng An', 'Phường Xuân La', 'Phường Yên Phụ', 'Phường Bưởi', 'Phường Thụy Khuê'] },
      { name: 'Quận Long Biên', communes: ['Phường Thượng Thanh', 'Phường Ngọc Thụy', 'Phường Giang Biên', 'Phường Đức Giang', 'Phường Việt Hưng', 'Phường Gia Thụy', 'Phường Ngọc Lâm', 'Phường Bồ Đề', 'Phường Thạch Bàn', 'Phường Phúc Đồng'] },
      { name: 'Quận Hoàng Mai', communes: ['Phường Vĩnh Hưng', 'Phường Định Công', 'Phường Mai Động', 'Phường Tương Mai', 'Phường Đại Kim', 'Phường Tân Mai', 'Phường Hoàng Văn Thụ', 'Phường Giáp Bát', 'Phường Lĩnh Nam', 'Phường Thịnh Liệt', 'Phường Hoàng Liệt', 'Phường Yên Sở'] },
      { name: 'Quận Hà Đông', communes: ['Phường Nguyễn Trãi', 'Phường Mộ Lao', 'Phường Văn Quán', 'Phường Vạn Phúc', 'Phường Yết Kiêu', 'Phường Quang Trung', 'Phường La Khê', 'Phường Phúc La', 'Phường Hà Cầu', 'Phường Yên Nghĩa', 'Phường Kiến Hưng', 'Phường Dương Nội'] },
      { name: 'Quận Nam Từ Liêm', communes: ['Phường Mỹ Đình 1', 'Phường Mỹ Đình 2', 'Phường Mễ Trì', 'Phường Cầu Diễn', 'Phường Phú Đô', 'Phường Trung Văn', 'Phường Tây Mỗ', 'Phường Đại Mỗ', 'Phường Xuân Phương', 'Phường Phương Canh'] },
      { name: 'Quận Bắc Từ Liêm', communes: ['Phường Cổ Nhuế 1', 'Phường Cổ Nhuế 2', 'Phường Đông Ngạc', 'Phường Đức Thắng', 'Phường Liên Mạc', 'Phường Minh Khai', 'Phường Phú Diễn', 'Phường Thượng Cát', 'Phường Thụy Phương', 'Phường Xuân Đỉnh', 'Phường Xuân Tảo'] },
      { name: 'Huyện Gia Lâm', communes: ['Thị trấn Trâu Quỳ', 'Thị trấn Yên Viên', 'Xã Bát Tràng', 'Xã Đa Tốn', 'Xã Kiêu Kỵ', 'Xã Phù Đổng', 'Xã Dương Xá', 'Xã Đặng Xá'] },
      { name: 'Huyện Đông Anh', communes: ['Thị trấn Đông Anh', 'Xã Uy Nỗ', 'Xã Cổ Loa', 'Xã Hải Bối', 'Xã Kim Chung', 'Xã Vân Nội', 'Xã Xuân Canh', 'Xã Liên Hà'] },
      { name: 'Huyện Thanh Trì', communes: ['Thị trấn Văn Điển', 'Xã Tả Thanh Oai', 'Xã Tứ Hiệp', 'Xã Ngũ Hiệp', 'Xã Tam Hiệp', 'Xã Vĩnh Quỳnh', 'Xã Ngọc Hồi'] },
      { name: 'Huyện Sóc Sơn', communes: ['Thị trấn Sóc Sơn', 'Xã Phù Lỗ', 'Xã Mai Đình', 'Xã Trung Giã', 'Xã Minh Phú', 'Xã Nam Sơn'] },
      { name: 'Huyện Thường Tín', communes: ['Thị trấn Thường Tín', 'Xã Hà Hồi', 'Xã Vạn Điểm', 'Xã Nhị Khê', 'Xã Duyên Thái'] },
      { name: 'Huyện Ba Vì', communes: ['Thị trấn Tây Đằng', 'Xã Ba Trại', 'Xã Tản Lĩnh', 'Xã Vân Hòa', 'Xã Cổ Đô'] },
      { name: 'Thị xã Sơn Tây', communes: ['Phường Lê Lợi', 'Phường Quang Trung', 'Phường Ngô Quyền', 'Phường Sơn Lộc', 'Xã Đường Lâm'] },
    ],
  },
  {
    provinceCode: '79',
    provinceName: 'Thành phố Hồ Chí Minh',
    districts: [
      { name: 'Quận 1', communes: ['Phường Bến Nghé', 'Phường Bến Thành', 'Phường Đa Kao', 'Phường Tân Định', 'Phường Cầu Ông Lãnh', 'Phường Nguyễn Thái Bình', 'Phường Phạm Ngũ Lão', 'Phường Cô Giang'] },
      { name: 'Quận 3', communes: ['Phường Võ Thị Sáu', 'Phường 1', 'Phường 2', 'Phường 4', 'Phường 5', 'Phường 9', 'Phường 11', 'Phường 12', 'Phường 14'] },
      { name: 'Quận Bình Thạnh', communes: ['Phường 1', 'Phường 3', 'Phường 7', 'Phường 11', 'Phường 13', 'Phường 15', 'Phường 17', 'Phường 22', 'Phường 25', 'Phường 26'] },
      { name: 'Quận Gò Vấp', communes: ['Phường 1', 'Phường 3', 'Phường 5', 'Phường 7', 'Phường 10', 'Phường 12', 'Phường 14', 'Phường 16'] },
      { name: 'Thành phố Thủ Đức', communes: ['Phường An Phú', 'Phường Thảo Điền', 'Phường Linh Trung', 'Phường Hiệp Bình Chánh', 'Phường Phước Long B', 'Phường Tăng Nhơn Phú A'] },
    ],
  },
  {
    provinceCode: '31',
    provinceName: 'Thành phố Hải Phòng',
    districts: [
      { name: 'Quận Lê Chân', communes: ['Phường An Biên', 'Phường Cát Dài', 'Phường Trần Nguyên Hãn', 'Phường Niệm Nghĩa', 'Phường Dư Hàng Kênh'] },
      { name: 'Quận Ngô Quyền', communes: ['Phường Máy Chai', 'Phường Lạch Tray', 'Phường Đằng Giang', 'Phường Cầu Đất', 'Phường Gia Viên'] },
    ],
  },
  {
    provinceCode: '48',
    provinceName: 'Thành phố Đà Nẵng',
    districts: [
      { name: 'Quận Hải Châu', communes: ['Phường Thạch Thang', 'Phường Thanh Bình', 'Phường Phước Ninh', 'Phường Hòa Thuận Tây', 'Phường Bình Hiên', 'Phường Hải Châu I'] },
      { name: 'Quận Thanh Khê', communes: ['Phường Tân Chính', 'Phường Chính Gián', 'Phường Xuân Hà', 'Phường Thạc Gián', 'Phường An Khê'] },
    ],
  },
  {
    provinceCode: '92',
    provinceName: 'Thành phố Cần Thơ',
    districts: [{ name: 'Quận Ninh Kiều', communes: ['Phường Tân An', 'Phường An Hòa', 'Phường Xuân Khánh', 'Phường Hưng Lợi', 'Phường An Khánh', 'Phường Cái Khế'] }],
  },
  {
    provinceCode: '40',
    provinceName: 'Nghệ An',
    districts: [{ name: 'Thành phố Vinh', communes: ['Phường Hưng Bình', 'Phường Lê Lợi', 'Phường Quang Trung', 'Phường Trường Thi', 'Phường Hà Huy Tập', 'Phường Bến Thủy'] }],
  },
];

/** Streets of Hà Nội ("phố" in the detail line). */
const HANOI_STREETS: readonly string[] = [
  'Kim Mã', 'Xuân Thủy', 'Cầu Giấy', 'Tây Sơn', 'Giải Phóng', 'Minh Khai', 'Láng', 'Nguyễn Trãi', 'Trần Duy Hưng',
  'Hoàng Quốc Việt', 'Đội Cấn', 'Nguyễn Chí Thanh', 'Lê Duẩn', 'Bạch Mai', 'Trương Định', 'Lạc Long Quân',
  'Âu Cơ', 'Thụy Khuê', 'Hào Nam', 'Khâm Thiên', 'Tôn Đức Thắng', 'Nguyễn Văn Cừ', 'Ngọc Lâm', 'Quang Trung',
  'Phạm Văn Đồng', 'Hồ Tùng Mậu', 'Nguyễn Khánh Toàn', 'Vũ Trọng Phụng', 'Lĩnh Nam', 'Tam Trinh', 'Kim Giang',
  'Hoàng Hoa Thám', 'Văn Cao', 'Đê La Thành', 'Thái Hà', 'Chùa Bộc', 'Lê Thanh Nghị', 'Định Công',
];

/** Street names found in most cities ("đường" in the detail line). */
const COMMON_STREETS: readonly string[] = [
  'Lê Lợi', 'Trần Hưng Đạo', 'Nguyễn Trãi', 'Hai Bà Trưng', 'Lý Thường Kiệt', 'Quang Trung', 'Nguyễn Huệ',
  'Điện Biên Phủ', 'Hùng Vương', 'Trần Phú', 'Lê Duẩn', 'Nguyễn Du', 'Phan Đình Phùng', 'Lê Hồng Phong',
  'Nguyễn Văn Linh', 'Võ Thị Sáu', 'Hoàng Diệu', 'Bà Triệu', 'Lý Tự Trọng', 'Phan Chu Trinh', 'Ngô Quyền',
  'Trường Chinh', 'Cách Mạng Tháng Tám', 'Nguyễn Thị Minh Khai', '30 Tháng 4', 'Lê Thánh Tông', 'Tôn Đức Thắng',
];

const URBAN_AREAS: readonly string[] = [
  'Linh Đàm', 'Văn Quán', 'Việt Hưng', 'Mỹ Đình', 'Trung Hòa - Nhân Chính', 'Dương Nội', 'Kiến Hưng', 'Sài Đồng',
  'Pháp Vân - Tứ Hiệp', 'Định Công', 'Đặng Xá', 'Xa La',
];

const NORTHERN_VILLAGES: readonly string[] = [
  'Đông', 'Đoài', 'Thượng', 'Trung', 'Hạ', 'Nam', 'Bắc', 'An Lạc', 'Phú Mỹ', 'Yên Thái', 'Đồng Tâm', 'Tân Lập',
  'Hòa Bình', 'Quyết Tiến', 'Đình', 'Chùa', 'Cầu', 'Mới', 'Văn Hội', 'Lạc Thị',
];

const SOUTHERN_HAMLETS: readonly string[] = [
  'Tân Hòa', 'Phước Hòa', 'Bình Thạnh', 'An Thới', 'Long Hưng', 'Mỹ Phú', 'Tân Thành', 'Phú Lợi', 'Hòa Lợi',
  'Thạnh Phú', 'Vĩnh Thuận', 'Bình Đông',
];

const MOUNTAIN_VILLAGES: readonly string[] = [
  'Nà Phặc', 'Pác Bó', 'Na Hang', 'Bản Mới', 'Phiêng Luông', 'Nậm Cang', 'Tả Van', 'Lao Chải', 'Sín Chải', 'Hua Tát',
  'Co Muồng', 'Pá Khoang',
];

/** Provinces where hamlets are "ấp" (the Southeast and the Mekong delta). */
const AP_PROVINCES = new Set(['75', '79', '80', '82', '86', '91', '92', '96']);
/** Northern mountain provinces where many minority villages are "bản". */
const BAN_PROVINCES = new Set(['04', '08', '11', '12', '14', '15', '19', '20']);

/** What the generator needs to know about a commune, computed once for the 3,321 communes. */
export interface CommuneInfo {
  commune: Commune;
  urban: boolean;
  /** Province name on the 2025 map, as an address carries it. */
  provinceName: string;
  hamlets: 'thon' | 'ap';
  mountain: boolean;
}

/** `provinceName`: the province's name in the 2025 list (the commune list spells some differently, "Tỉnh X"). */
export function communeInfo(commune: Commune, provinceName: string): CommuneInfo {
  return {
    commune,
    urban: commune.name.startsWith('Phường'),
    provinceName,
    hamlets: AP_PROVINCES.has(commune.provinceCode) ? 'ap' : 'thon',
    mountain: BAN_PROVINCES.has(commune.provinceCode),
  };
}

/** A detail line for a dwelling in the commune; `minority` makes "bản" likely in the northern mountains. */
export function detailLine(rng: SeededRandom, info: CommuneInfo, minority: boolean): string {
  if (info.urban) {
    const hanoi = info.commune.provinceCode === '01';
    const street = hanoi ? rng.pick(HANOI_STREETS) : rng.pick(COMMON_STREETS);
    const way = hanoi ? 'phố ' : 'đường ';
    const house = rng.int(1, 250);
    const r = rng.next();
    if (r < 0.3) return 'Số ' + house + ' ' + way + street;
    if (r < 0.65) return 'Số ' + house + ', ' + (hanoi ? 'ngõ ' : 'hẻm ') + rng.int(2, 400) + ', ' + way + street;
    if (r < 0.8) {
      const alley = rng.int(2, 300);
      return 'Số ' + house + ', ngách ' + alley + '/' + rng.int(1, 60) + ', ngõ ' + alley + ', ' + way + street;
    }
    const tower = String.fromCharCode(65 + rng.int(0, 5)) + rng.int(1, 9);
    const area = hanoi ? 'khu đô thị ' + rng.pick(URBAN_AREAS) : 'chung cư ' + rng.pick(COMMON_STREETS);
    return 'Căn hộ ' + rng.int(2, 35) + String(rng.int(1, 20)).padStart(2, '0') + ', tòa ' + tower + ', ' + area;
  }
  if (minority && info.mountain && rng.chance(0.7)) return 'Bản ' + rng.pick(MOUNTAIN_VILLAGES);
  if (info.hamlets === 'ap') return rng.chance(0.5) ? 'Ấp ' + rng.int(1, 12) : 'Ấp ' + rng.pick(SOUTHERN_HAMLETS);
  const r = rng.next();
  if (r < 0.45) return 'Thôn ' + rng.pick(NORTHERN_VILLAGES);
  if (r < 0.75) return 'Xóm ' + rng.int(1, 15);
  return 'Thôn ' + rng.int(1, 12);
}

/** A two-level address on the 2025 map. */
export function modernAddress(rng: SeededRandom, info: CommuneInfo, minority: boolean): Address {
  return {
    detail: detailLine(rng, info, minority),
    communeCode: info.commune.code,
    communeName: info.commune.name,
    districtName: null,
    provinceCode: info.commune.provinceCode,
    provinceName: info.provinceName,
  };
}

/**
 * A temporary residence for an adult registered at `home`, or null for none: young adults registered elsewhere often
 * live in Hà Nội (or Hồ Chí Minh City) on a temporary registration; a few Hà Nội residents live in another commune of
 * the city. `provinces` holds the communes of each 2025 province, by province code.
 */
export function temporaryAddress(
  rng: SeededRandom,
  age: number,
  home: Address,
  provinces: ReadonlyMap<string, { readonly communes: readonly CommuneInfo[] }>,
): Address | null {
  if (age < 18) return null;
  let target: readonly CommuneInfo[] | undefined;
  if (home.provinceCode !== '01') {
    if (age <= 35) {
      const r = rng.next();
      if (r < 0.22) target = provinces.get('01')?.communes;
      else if (r < 0.28 && home.provinceCode !== '79') target = provinces.get('79')?.communes;
    }
  } else if (age <= 60 && rng.chance(0.05)) {
    target = provinces.get('01')?.communes;
  }
  if (!target) return null;
  let info = rng.pick(target);
  if (info.commune.code === home.communeCode) info = rng.pick(target);
  if (info.commune.code === home.communeCode) return null;
  return modernAddress(rng, info, false);
}

/** A pre-2025 three-level address; the old commune has no 2025 code under that name, so `communeCode` is null. */
export function legacyAddress(rng: SeededRandom, province: LegacyProvince): Address {
  const district = rng.pick(province.districts);
  const communeName = rng.pick(district.communes);
  const urban = communeName.startsWith('Phường') || communeName.startsWith('Thị trấn');
  const hanoi = province.provinceCode === '01';
  let detail: string;
  if (urban) {
    const street = hanoi ? 'phố ' + rng.pick(HANOI_STREETS) : 'đường ' + rng.pick(COMMON_STREETS);
    detail = rng.chance(0.5)
      ? 'Số ' + rng.int(1, 200) + ' ' + street
      : 'Số ' + rng.int(1, 90) + ', ' + (hanoi ? 'ngõ ' : 'hẻm ') + rng.int(2, 300) + ', ' + street;
  } else {
    detail = 'Thôn ' + rng.pick(NORTHERN_VILLAGES);
  }
  return {
    detail,
    communeCode: null,
    communeName,
    districtName: district.name,
    provinceCode: province.provinceCode,
    provinceName: province.provinceName,
  };
}

/** Every literal of this module, for the NFC check in the spec. */
export function allAddressLiterals(): string[] {
  return [
    ...LEGACY_PROVINCES.flatMap((p) => [p.provinceName, ...p.districts.flatMap((d) => [d.name, ...d.communes])]),
    ...HANOI_STREETS, ...COMMON_STREETS, ...URBAN_AREAS, ...NORTHERN_VILLAGES, ...SOUTHERN_HAMLETS, ...MOUNTAIN_VILLAGES,
  ];
}
