import { RELATIONSHIP_LABELS, type Address, type CitizenRecord, type HouseholdRelationship } from '../citizen.js';
import { parseStoredDate } from '../../identity/birth-date.js';

/**
 * QCVN 109:2017-shaped XML export of citizen records (`CongdanCollection/CongDan`), the message standard of the real
 * population-data gateway. The JSON API is the primary interface; this is the welcome extra.
 *
 * Element choices (names are the standard's Vietnamese ones; no namespace, since the sandbox has no XSD to bind to):
 * - `SoDinhDanh` personal ID; `SoCMND` old 9-digit ID (a popgate extension).
 * - `HoVaTen{Ho,ChuDem,Ten}` surname, middle name, given name. Relatives and the household head are stored with a
 *   full name only, so theirs is split: first word surname, last word given name, the rest middle name. That is
 *   right for almost all Vietnamese names but not for two-word surnames (Tôn Nữ, Nguyễn Phước).
 * - `NgayThangNamSinh`: the standard's choice of `NgayThangNam` (yyyyMMdd, full date) or `Nam` (year only). Old
 *   records holding a month and year get `Nam` plus a `Thang` (MM) extension, so that the month is not lost.
 * - `GioiTinh`: 1 = Nam (male), 2 = Nữ (female), 0 = not known.
 * - `DanToc` and `TonGiao`: the registry's codes (ethnicities from the 1979 statistics-office list, which orders the
 *   groups differently from the 2008 list that QCVN 109 cites; religions from the 2008 list). `QuocTich`: ISO
 *   3166-1 alpha-2.
 * - Addresses (`ThuongTru` permanent, `TamTru` temporary (extension), `NoiOHienTai` current):
 *   `ChiTiet` detail, `MaXa`/`TenXa` commune code/name, `TenHuyen` district (pre-July-2025 records only),
 *   `MaTinh`/`TenTinh` province code/name.
 * - `Cha`, `Me`, `VoChong{SoDinhDanh,HoVaTen}`; `VoChong` also carries `QuocTich` when the spouse's is stored.
 * - `ChuHo{QuanHe,SoDinhDanh,HoVaTen}`: `QuanHe` is the citizen's relationship to the head as its Vietnamese label
 *   (`Con`, `Vợ/Chồng`, ...), from RELATIONSHIP_LABELS.
 *
 * The lookup endpoint returns only the fields a caller is entitled to, so every element is optional: a field that is
 * undefined, null or empty is left out, and a group element whose children are all left out is left out too.
 */

/** The fields of a record that a caller may receive: any of them may be missing (not granted) or null (not held). */
export type CitizenView = { [K in keyof CitizenRecord]?: CitizenRecord[K] | null };

/** The head of the citizen's household, looked up by the caller from the household record. */
export interface HouseholdHead {
  idNumber: string;
  fullName: string;
}

/**
 * One `CongDan` element to render: either a view already cut down to what the caller may see, or the whole record
 * with the look-up field names the caller was granted (`fields`, as in `CITIZEN_FIELDS`), which the renderer cuts
 * down itself with {@link citizenViewForFields}.
 */
export type CongDanEntry =
  | { citizen: CitizenView; householdHead?: HouseholdHead | null }
  | { record: CitizenRecord; fields: readonly string[]; householdHead?: HouseholdHead | null };

/**
 * The record fields behind each look-up field that has a QCVN 109 element. The name field carries its parts as
 * well, since they are the same data and spare the heuristic split. Look-up fields missing here (place of birth,
 * home town, card, contact details...) have no element in this export and are not rendered.
 */
const RECORD_KEYS_BY_FIELD: Readonly<Record<string, readonly (keyof CitizenRecord)[]>> = {
  idNumber: ['idNumber'],
  oldIdNumber: ['oldIdNumber'],
  fullName: ['surname', 'middleName', 'givenName', 'fullName'],
  dateOfBirth: ['dateOfBirth'],
  sex: ['sex'],
  ethnicity: ['ethnicityCode'],
  religion: ['religionCode'],
  nationality: ['nationality'],
  permanentAddress: ['permanentAddress'],
  temporaryAddress: ['temporaryAddress'],
  currentAddress: ['currentAddress'],
  father: ['fatherIdNumber', 'fatherName'],
  mother: ['motherIdNumber', 'motherName'],
  spouse: ['spouseIdNumber', 'spouseName', 'spouseNationality'],
  household: ['householdRelationship'],
};

/** Look-up field names that this export renders; the others have no QCVN 109 element here. */
export const XML_RENDERED_FIELDS: readonly string[] = Object.keys(RECORD_KEYS_BY_FIELD);

/**
 * Cuts a record down to the granted look-up fields (purpose limitation: the XML must not carry more than the JSON
 * answer would). Names that are unknown or have no element are ignored; the look-up validated them already.
 */
export function citizenViewForFields(record: CitizenRecord, fields: readonly string[]): CitizenView {
  const view: Record<string, unknown> = {};
  for (const field of fields) {
    // hasOwn: a field named "constructor" or "__proto__" must not reach Object.prototype.
    if (!Object.hasOwn(RECORD_KEYS_BY_FIELD, field)) continue;
    for (const key of RECORD_KEYS_BY_FIELD[field]) view[key] = record[key];
  }
  return view as CitizenView;
}

/** QCVN 109 `GioiTinh` codes. */
const SEX_CODES: Record<string, string> = { male: '1', female: '2' };
const SEX_UNKNOWN = '0';

interface XmlElement {
  name: string;
  text?: string;
  children?: XmlElement[];
}

type Value = string | null | undefined;

/**
 * Renders citizens as one QCVN 109:2017-shaped document, UTF-8, indented by two spaces.
 *
 * @throws RangeError when a record's `dateOfBirth` is not a stored date (`YYYY`, `YYYY-MM`, `YYYY-MM-DD`)
 */
export function renderCongdanCollection(entries: readonly CongDanEntry[]): string {
  const root: XmlElement = { name: 'CongdanCollection', children: entries.map(congDan) };
  return '<?xml version="1.0" encoding="UTF-8"?>\n' + serialize(root, '') + '\n';
}

function congDan(entry: CongDanEntry): XmlElement {
  const c = 'citizen' in entry ? entry.citizen : citizenViewForFields(entry.record, entry.fields);
  const householdHead = entry.householdHead;
  return {
    name: 'CongDan',
    children: present([
      leaf('SoDinhDanh', c.idNumber),
      leaf('SoCMND', c.oldIdNumber),
      ownName(c),
      birthDate(c.dateOfBirth),
      c.sex == null ? undefined : leaf('GioiTinh', SEX_CODES[c.sex] ?? SEX_UNKNOWN),
      leaf('DanToc', c.ethnicityCode),
      leaf('TonGiao', c.religionCode),
      leaf('QuocTich', c.nationality),
      address('ThuongTru', c.permanentAddress),
      address('TamTru', c.temporaryAddress),
      address('NoiOHienTai', c.currentAddress),
      group('Cha', [leaf('SoDinhDanh', c.fatherIdNumber), splitName(c.fatherName)]),
      group('Me', [leaf('SoDinhDanh', c.motherIdNumber), splitName(c.motherName)]),
      group('VoChong', [leaf('SoDinhDanh', c.spouseIdNumber), splitName(c.spouseName), leaf('QuocTich', c.spouseNationality)]),
      householdHeadElement(c.householdRelationship, householdHead),
    ]),
  };
}

/** The citizen's own name from its stored parts; from the full name when only that was granted. */
function ownName(c: CitizenView): XmlElement | undefined {
  if (c.surname == null && c.middleName == null && c.givenName == null) return splitName(c.fullName);
  return nameElement(c.surname, c.middleName, c.givenName);
}

function splitName(fullName: Value): XmlElement | undefined {
  if (fullName == null) return undefined;
  const words = fullName.trim().split(/\s+/).filter((word) => word !== '');
  if (words.length === 0) return undefined;
  // A one-word name is the name the person is called by, so it goes to Ten.
  if (words.length === 1) return nameElement(undefined, undefined, words[0]);
  return nameElement(words[0], words.slice(1, -1).join(' '), words[words.length - 1]);
}

function nameElement(surname: Value, middleName: Value, givenName: Value): XmlElement | undefined {
  return group('HoVaTen', [leaf('Ho', surname), leaf('ChuDem', middleName), leaf('Ten', givenName)]);
}

function birthDate(dateOfBirth: Value): XmlElement | undefined {
  if (dateOfBirth == null || dateOfBirth === '') return undefined;
  const parsed = parseStoredDate(dateOfBirth);
  if (!parsed.ok) throw new RangeError(parsed.message);
  const { year, month, day } = parsed.value;
  const yyyy = String(year).padStart(4, '0');
  const mm = month === undefined ? undefined : String(month).padStart(2, '0');
  if (mm !== undefined && day !== undefined) {
    return group('NgayThangNamSinh', [leaf('NgayThangNam', yyyy + mm + String(day).padStart(2, '0'))]);
  }
  return group('NgayThangNamSinh', [leaf('Nam', yyyy), leaf('Thang', mm)]);
}

function address(name: string, value: Address | null | undefined): XmlElement | undefined {
  if (value == null) return undefined;
  return group(name, [
    leaf('ChiTiet', value.detail),
    leaf('MaXa', value.communeCode),
    leaf('TenXa', value.communeName),
    leaf('TenHuyen', value.districtName),
    leaf('MaTinh', value.provinceCode),
    leaf('TenTinh', value.provinceName),
  ]);
}

function householdHeadElement(
  relationship: HouseholdRelationship | null | undefined,
  head: HouseholdHead | null | undefined,
): XmlElement | undefined {
  return group('ChuHo', [
    relationship == null ? undefined : leaf('QuanHe', RELATIONSHIP_LABELS[relationship] ?? relationship),
    leaf('SoDinhDanh', head?.idNumber),
    splitName(head?.fullName),
  ]);
}

function leaf(name: string, value: Value): XmlElement | undefined {
  return value == null || value === '' ? undefined : { name, text: value };
}

function group(name: string, children: (XmlElement | undefined)[]): XmlElement | undefined {
  const kept = present(children);
  return kept.length === 0 ? undefined : { name, children: kept };
}

function present(elements: (XmlElement | undefined)[]): XmlElement[] {
  return elements.filter((element): element is XmlElement => element !== undefined);
}

function serialize(element: XmlElement, indent: string): string {
  if (element.text !== undefined) return `${indent}<${element.name}>${escapeXmlText(element.text)}</${element.name}>`;
  const children = element.children ?? [];
  if (children.length === 0) return `${indent}<${element.name}/>`;
  const inner = children.map((child) => serialize(child, indent + '  ')).join('\n');
  return `${indent}<${element.name}>\n${inner}\n${indent}</${element.name}>`;
}

/**
 * Characters XML 1.0 forbids even as character references (§2.2): C0 controls other than tab, LF and CR, lone
 * surrogates, U+FFFE and U+FFFF. A parser must reject a document holding one, so they are dropped, not escaped.
 */
const ILLEGAL_XML_CHARS = /[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/gu;
const MARKUP_CHARS = /[&<>"']/g;
/** Quotes are escaped too, so that the same function is safe in attribute values. */
const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };
/**
 * Every XML parser turns CR LF and lone CR into LF (XML 1.0 §2.11), so they are written as LF. A `&#13;` reference
 * would keep the CR for conforming parsers but reach fast-xml-parser's default setup as the literal text `&#13;`.
 */
const CARRIAGE_RETURNS = /\r\n?/g;

/** Escapes text for XML 1.0 element content or attribute values, dropping the characters XML 1.0 cannot carry. */
export function escapeXmlText(value: string): string {
  return value
    .replace(ILLEGAL_XML_CHARS, '')
    .replace(CARRIAGE_RETURNS, '\n')
    .replace(MARKUP_CHARS, (char) => ENTITIES[char]);
}
