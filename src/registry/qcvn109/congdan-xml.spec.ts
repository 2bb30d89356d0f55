import { describe, expect, it } from '@jest/globals';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { CitizenRecord } from '../citizen.js';
import { CITIZEN_FIELD_BY_NAME } from '../citizen-fields.js';
import {
  citizenViewForFields,
  escapeXmlText,
  renderCongdanCollection,
  XML_RENDERED_FIELDS,
  type CitizenView,
} from './congdan-xml.js';

const RECORD: CitizenRecord = {
  idNumber: '001090999901',
  surname: 'Nguyễn',
  middleName: 'Văn',
  givenName: 'An',
  fullName: 'Nguyễn Văn An',
  otherNames: null,
  dateOfBirth: '1990-05-01',
  sex: 'male',
  placeOfBirth: 'Hà Nội',
  birthRegistrationProvinceIdCode: '001',
  birthRegistrationPlace: 'UBND phường Ba Đình, Hà Nội',
  homeTown: 'Nam Định',
  ethnicityCode: '01',
  religionCode: '00',
  nationality: 'VN',
  bloodGroup: null,
  oldIdNumber: '011234567',
  idCard: null,
  fatherIdNumber: '001060999902',
  fatherName: 'Nguyễn Văn Bình',
  motherIdNumber: null,
  motherName: 'Trần Thị Bích Ngọc',
  spouseIdNumber: null,
  spouseName: 'Kim Ji Woo',
  spouseNationality: 'KR',
  permanentAddress: {
    detail: 'Số 12 ngõ 34 phố Đội Cấn',
    communeCode: '00004',
    communeName: 'Phường Ba Đình',
    districtName: null,
    provinceCode: '01',
    provinceName: 'Thành phố Hà Nội',
  },
  temporaryAddress: null,
  currentAddress: {
    detail: 'Thôn Đông',
    communeCode: null,
    communeName: 'Xã Đông Xuân',
    districtName: 'Huyện Quốc Oai',
    provinceCode: '01',
    provinceName: 'Thành phố Hà Nội',
  },
  maritalStatus: 'married',
  householdId: 'HH-1',
  householdRelationship: 'child',
  status: 'alive',
  statusDate: null,
  phoneNumber: null,
  email: null,
};

const HEAD = { idNumber: '001060999902', fullName: 'Nguyễn Văn Bình' };

/** Values as strings, so that IDs keep their leading zeros; a repeated element always as an array. */
const parser = new XMLParser({ parseTagValue: false, isArray: (name) => name === 'CongDan' });

function parse(xml: string): Record<string, unknown>[] {
  expect(XMLValidator.validate(xml)).toBe(true);
  const document = parser.parse(xml) as { CongdanCollection: { CongDan?: Record<string, unknown>[] } | '' };
  return document.CongdanCollection === '' ? [] : (document.CongdanCollection.CongDan ?? []);
}

function renderOne(citizen: CitizenView, householdHead?: typeof HEAD): Record<string, unknown> {
  const [congDan] = parse(renderCongdanCollection([{ citizen, householdHead }]));
  return congDan;
}

describe('renderCongdanCollection', () => {
  it('round-trips a full record through XMLParser', () => {
    expect(renderOne(RECORD, HEAD)).toEqual({
      SoDinhDanh: '001090999901',
      SoCMND: '011234567',
      HoVaTen: { Ho: 'Nguyễn', ChuDem: 'Văn', Ten: 'An' },
      NgayThangNamSinh: { NgayThangNam: '19900501' },
      GioiTinh: '1',
      DanToc: '01',
      TonGiao: '00',
      QuocTich: 'VN',
      ThuongTru: {
        ChiTiet: 'Số 12 ngõ 34 phố Đội Cấn',
        MaXa: '00004',
        TenXa: 'Phường Ba Đình',
        MaTinh: '01',
        TenTinh: 'Thành phố Hà Nội',
      },
      NoiOHienTai: {
        ChiTiet: 'Thôn Đông',
        TenXa: 'Xã Đông Xuân',
        TenHuyen: 'Huyện Quốc Oai',
        MaTinh: '01',
        TenTinh: 'Thành phố Hà Nội',
      },
      Cha: { SoDinhDanh: '001060999902', HoVaTen: { Ho: 'Nguyễn', ChuDem: 'Văn', Ten: 'Bình' } },
      Me: { HoVaTen: { Ho: 'Trần', ChuDem: 'Thị Bích', Ten: 'Ngọc' } },
      VoChong: { HoVaTen: { Ho: 'Kim', ChuDem: 'Ji', Ten: 'Woo' }, QuocTich: 'KR' },
      ChuHo: { QuanHe: 'Con', SoDinhDanh: '001060999902', HoVaTen: { Ho: 'Nguyễn', ChuDem: 'Văn', Ten: 'Bình' } },
    });
  });

  it('starts with the XML declaration and keeps the standard element order', () => {
    const xml = renderCongdanCollection([{ citizen: RECORD, householdHead: HEAD }]);
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<CongdanCollection>\n  <CongDan>\n')).toBe(true);
    const order = ['SoDinhDanh', 'HoVaTen', 'NgayThangNamSinh', 'GioiTinh', 'DanToc', 'QuocTich', 'ThuongTru', 'NoiOHienTai', 'Cha', 'Me', 'VoChong', 'ChuHo'];
    const positions = order.map((name) => xml.indexOf(`    <${name}>`));
    expect(positions.every((position) => position > 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
  });

  it('renders several citizens in order', () => {
    const second: CitizenView = { idNumber: '079301999903', fullName: 'Lê Thị Mai' };
    const congDan = parse(renderCongdanCollection([{ citizen: RECORD }, { citizen: second }]));
    expect(congDan.map((c) => c.SoDinhDanh)).toEqual(['001090999901', '079301999903']);
  });

  it('renders an empty collection', () => {
    expect(renderCongdanCollection([])).toBe('<?xml version="1.0" encoding="UTF-8"?>\n<CongdanCollection/>\n');
  });

  describe('partial views: only the granted fields', () => {
    it('omits undefined and null fields and empty groups', () => {
      expect(renderOne({ idNumber: RECORD.idNumber, oldIdNumber: null, permanentAddress: undefined, fatherName: null })).toEqual({
        SoDinhDanh: '001090999901',
      });
    });

    it('renders no sex, no name and no ChuHo unless granted', () => {
      const xml = renderCongdanCollection([{ citizen: { idNumber: RECORD.idNumber } }]);
      for (const name of ['GioiTinh', 'HoVaTen', 'ChuHo', 'NgayThangNamSinh', 'Cha']) expect(xml).not.toContain(name);
    });

    it('splits the full name when only the full name was granted', () => {
      expect(renderOne({ fullName: 'Nguyễn Ngọc Bảo Anh' }).HoVaTen).toEqual({ Ho: 'Nguyễn', ChuDem: 'Ngọc Bảo', Ten: 'Anh' });
      expect(renderOne({ fullName: 'Lò Pâng' }).HoVaTen).toEqual({ Ho: 'Lò', Ten: 'Pâng' });
      expect(renderOne({ fullName: 'Mây' }).HoVaTen).toEqual({ Ten: 'Mây' });
    });

    it('leaves ChuDem out for a person without a middle name', () => {
      expect(renderOne({ surname: 'Lò', middleName: '', givenName: 'Pâng' }).HoVaTen).toEqual({ Ho: 'Lò', Ten: 'Pâng' });
    });

    it('renders the relationship without a head, and the head without a relationship', () => {
      expect(renderOne({ householdRelationship: 'spouse' }).ChuHo).toEqual({ QuanHe: 'Vợ/Chồng' });
      expect(renderOne({}, HEAD).ChuHo).toEqual({ SoDinhDanh: HEAD.idNumber, HoVaTen: { Ho: 'Nguyễn', ChuDem: 'Văn', Ten: 'Bình' } });
    });

    it('renders the temporary address when held', () => {
      expect(renderOne({ temporaryAddress: RECORD.permanentAddress }).TamTru).toMatchObject({ MaXa: '00004' });
    });
  });

  describe('record plus granted look-up fields', () => {
    it('maps only names that are look-up fields', () => {
      for (const field of XML_RENDERED_FIELDS) expect(CITIZEN_FIELD_BY_NAME.has(field)).toBe(true);
    });

    it('renders the granted fields and nothing else', () => {
      const xml = renderCongdanCollection([{ record: RECORD, fields: ['idNumber', 'fullName', 'father', 'phoneNumber'] }]);
      expect(parse(xml)[0]).toEqual({
        SoDinhDanh: '001090999901',
        HoVaTen: { Ho: 'Nguyễn', ChuDem: 'Văn', Ten: 'An' },
        Cha: { SoDinhDanh: '001060999902', HoVaTen: { Ho: 'Nguyễn', ChuDem: 'Văn', Ten: 'Bình' } },
      });
    });

    it('cuts the record down to the record keys behind the fields', () => {
      expect(citizenViewForFields(RECORD, ['spouse', 'household', 'constructor', '__proto__', 'nope'])).toEqual({
        spouseIdNumber: null,
        spouseName: 'Kim Ji Woo',
        spouseNationality: 'KR',
        householdRelationship: 'child',
      });
    });
  });

  describe('NgayThangNamSinh', () => {
    it('uses NgayThangNam for a full date, Nam for a year, Nam and Thang for a month and year', () => {
      expect(renderOne({ dateOfBirth: '2005-12-31' }).NgayThangNamSinh).toEqual({ NgayThangNam: '20051231' });
      expect(renderOne({ dateOfBirth: '1948' }).NgayThangNamSinh).toEqual({ Nam: '1948' });
      expect(renderOne({ dateOfBirth: '1948-03' }).NgayThangNamSinh).toEqual({ Nam: '1948', Thang: '03' });
    });

    it('refuses a broken stored date', () => {
      expect(() => renderCongdanCollection([{ citizen: { dateOfBirth: '1948-13' } }])).toThrow(RangeError);
    });
  });

  it('codes sex as QCVN 109 does: 1 male, 2 female', () => {
    expect(renderOne({ sex: 'male' }).GioiTinh).toBe('1');
    expect(renderOne({ sex: 'female' }).GioiTinh).toBe('2');
  });

  describe('escaping', () => {
    it('round-trips markup characters, quotes and entity look-alikes in values', () => {
      const detail = `Lô <A&B> "Tòa 'Sao Mai'" ]]> &amp; &#x41;\nTầng 2`;
      const xml = renderCongdanCollection([{ citizen: { permanentAddress: { ...RECORD.permanentAddress, detail } } }]);
      expect(xml).not.toContain('<A&B>');
      expect(parse(xml)[0].ThuongTru).toMatchObject({ ChiTiet: detail });
    });

    it('writes CR LF and lone CR as LF, as XML parsers would read them', () => {
      expect(escapeXmlText('a\r\nb\rc')).toBe('a\nb\nc');
    });

    it('cannot be used to inject elements', () => {
      const congDan = renderOne({ fullName: 'An</Ten></HoVaTen><SoDinhDanh>000000000000</SoDinhDanh><HoVaTen><Ten>X' });
      expect(congDan.SoDinhDanh).toBeUndefined();
    });

    it('drops characters XML 1.0 forbids and keeps tab, line feed and astral characters', () => {
      expect(escapeXmlText('a\u0000b\u0008c\u000bd\u001fe\ufffef\uffffg\ud800h')).toBe('abcdefgh');
      expect(escapeXmlText('a\tb\nc😀d')).toBe('a\tb\nc😀d');
      const xml = renderCongdanCollection([{ citizen: { fullName: 'Nguyễn\u0000 Văn\u0007 An' } }]);
      expect(XMLValidator.validate(xml)).toBe(true);
      expect(parse(xml)[0].HoVaTen).toEqual({ Ho: 'Nguyễn', ChuDem: 'Văn', Ten: 'An' });
    });

    it('escapes every markup character', () => {
      expect(escapeXmlText(`&<>"'`)).toBe('&amp;&lt;&gt;&quot;&apos;');
    });
  });
});
