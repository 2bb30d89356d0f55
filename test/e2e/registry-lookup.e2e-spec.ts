import { beforeAll, describe, expect, it } from '@jest/globals';
import { XMLParser } from 'fast-xml-parser';
import { composeIdNumber, validateIdNumber } from '../../src/identity/id-number.js';
import { persona, unusedIdNumber } from '../factories/registry.factory.js';
import { api, useTestApp } from '../utils/test-app.js';
import { expectProblem } from '../utils/problem.js';

/**
 * The field catalogue as the README documents it (Law on Identification 2023, art. 9): name, law item, sensitivity.
 * Written out here rather than imported, so that a field dropped or renamed in src/ fails these tests.
 */
const DOCUMENTED_FIELDS: readonly { name: string; lawItem: number; sensitive: boolean }[] = [
  { name: 'idNumber', lawItem: 3, sensitive: false },
  { name: 'fullName', lawItem: 1, sensitive: false },
  { name: 'otherNames', lawItem: 2, sensitive: false },
  { name: 'dateOfBirth', lawItem: 4, sensitive: false },
  { name: 'sex', lawItem: 5, sensitive: false },
  { name: 'placeOfBirth', lawItem: 6, sensitive: false },
  { name: 'birthRegistrationPlace', lawItem: 7, sensitive: false },
  { name: 'homeTown', lawItem: 8, sensitive: false },
  { name: 'ethnicity', lawItem: 9, sensitive: true },
  { name: 'religion', lawItem: 10, sensitive: true },
  { name: 'nationality', lawItem: 11, sensitive: false },
  { name: 'bloodGroup', lawItem: 12, sensitive: true },
  { name: 'oldIdNumber', lawItem: 13, sensitive: false },
  { name: 'idCard', lawItem: 14, sensitive: false },
  { name: 'father', lawItem: 15, sensitive: false },
  { name: 'mother', lawItem: 15, sensitive: false },
  { name: 'spouse', lawItem: 15, sensitive: false },
  { name: 'children', lawItem: 15, sensitive: false },
  { name: 'permanentAddress', lawItem: 16, sensitive: false },
  { name: 'temporaryAddress', lawItem: 17, sensitive: false },
  { name: 'currentAddress', lawItem: 18, sensitive: false },
  { name: 'maritalStatus', lawItem: 21, sensitive: false },
  { name: 'household', lawItem: 22, sensitive: false },
  { name: 'citizenStatus', lawItem: 24, sensitive: false },
  { name: 'statusDate', lawItem: 24, sensitive: false },
  { name: 'phoneNumber', lawItem: 25, sensitive: false },
  { name: 'email', lawItem: 25, sensitive: false },
];
const SENSITIVE = DOCUMENTED_FIELDS.filter((f) => f.sensitive).map((f) => f.name);
const NON_SENSITIVE = DOCUMENTED_FIELDS.filter((f) => !f.sensitive).map((f) => f.name);

const xml = new XMLParser({ parseTagValue: false });

/** Look-up (khai thác): field selection, sensitive fields, ID validation, errors and the QCVN 109 XML rendering. */
describe('GET /registry/v1/citizens/{idNumber}', () => {
  const testApp = useTestApp();
  const head = persona('large-household-head');
  const hmong = persona('ethnic-minority-religion');

  beforeAll(async () => {

  });

  const http = () => api(testApp.app);
  const lookup = (idNumber: string, fields?: string) =>
    http().get(`/registry/v1/citizens/${idNumber}` + (fields === undefined ? '' : `?fields=${encodeURIComponent(fields)}`));

  it.each([
    ['fullName,dateOfBirth,permanentAddress', ['fullName', 'dateOfBirth', 'permanentAddress']],
    ['idNumber', ['idNumber']],
    ['sex,household,children', ['sex', 'household', 'children']],
  ])('returns exactly the requested fields for fields=%s', async (fields, expectedKeys) => {
    const response = await lookup(head.idNumber, fields).expect(200);
    expect(Object.keys(response.body)).toEqual(expectedKeys);
  });

  it('returns the values of the requested fields from the record', async () => {
    const response = await lookup(head.idNumber, 'idNumber,fullName,dateOfBirth,household').expect(200);
    expect(response.body).toEqual({
      idNumber: head.idNumber,
      fullName: head.fullName,
      dateOfBirth: head.dateOfBirth,
      household: expect.objectContaining({ householdId: head.householdId, relationship: 'head' }),
    });
  });

  it('returns every non-sensitive field and no sensitive one when no fields are named', async () => {
    const response = await lookup(hmong.idNumber).expect(200);
    expect(Object.keys(response.body).sort()).toEqual([...NON_SENSITIVE].sort());
    for (const name of SENSITIVE) expect(response.body).not.toHaveProperty(name);
  });

  it('returns sensitive fields when they are named', async () => {
    const minority = await lookup(hmong.idNumber, 'ethnicity,religion,bloodGroup').expect(200);
    expect(Object.keys(minority.body)).toEqual(['ethnicity', 'religion', 'bloodGroup']);
    expect(minority.body.ethnicity).toEqual({ code: '08', name: expect.any(String) });
    expect(minority.body.religion).toEqual({ code: '08', name: expect.any(String) });
    const withBloodGroup = await lookup(head.idNumber, 'bloodGroup').expect(200);
    expect(withBloodGroup.body).toEqual({ bloodGroup: 'O' });
  });

  it('refuses unknown fields with 400 unknown_field naming each of them', async () => {
    const response = await lookup(head.idNumber, 'fullName,shoeSize,favouriteColour');
    expectProblem(response, 400, 'validation_failed');
    expect(response.body.errors).toEqual([
      { field: 'fields', rule: 'unknown_field', message: expect.stringContaining('shoeSize') },
      { field: 'fields', rule: 'unknown_field', message: expect.stringContaining('favouriteColour') },
    ]);
    expect(response.body.detail).toContain('shoeSize');
  });

  // The future-year case is built two years ahead so that it stays in the future across New Year in Vietnam.
  const futureYear = composeIdNumber('001', 'male', new Date().getUTCFullYear() + 2, 12_345);
  it.each([
    ['abc', ['length', 'digits', 'province_code']],
    ['000190012345', ['province_code']],
    ['001990012345', ['future_birth_year']],
    [futureYear, ['future_birth_year']],
    ['0011900123456', ['length']],
    ['00119001234a', ['digits']],
  ])('reports every broken rule of the malformed ID %s', async (idNumber, mustInclude) => {
    const expectedRules = validateIdNumber(idNumber).map((violation) => violation.rule);
    expect(expectedRules).toEqual(expect.arrayContaining(mustInclude));
    const response = await lookup(idNumber);
    expectProblem(response, 400, 'validation_failed');
    expect(response.body.errors.map((e: { field: string; rule: string }) => [e.field, e.rule])).toEqual(
      expectedRules.map((rule) => ['idNumber', rule]),
    );
  });

  it('answers 404 citizen_not_found for a valid ID number that nobody holds', async () => {
    const idNumber = unusedIdNumber();
    expect(validateIdNumber(idNumber)).toEqual([]);
    expectProblem(await lookup(idNumber), 404, 'citizen_not_found');
  });

  it('marks successful answers as synthetic data', async () => {
    const response = await lookup(head.idNumber, 'fullName').expect(200);
    expect(response.headers['x-popgate-data']).toBe('synthetic');
    expect(response.headers['content-type']).toMatch(/^application\/json/);
  });

  describe('with Accept: application/xml (QCVN 109)', () => {
    const lookupXml = (idNumber: string, fields?: string) => lookup(idNumber, fields).set('Accept', 'application/xml');

    it('renders only the requested elements', async () => {
      const response = await lookupXml(head.idNumber, 'fullName,dateOfBirth').expect(200);
      expect(response.headers['content-type']).toMatch(/^application\/xml/);
      expect(response.headers['x-popgate-data']).toBe('synthetic');
      const congDan = xml.parse(response.text).CongdanCollection.CongDan;
      expect(Object.keys(congDan)).toEqual(['HoVaTen', 'NgayThangNamSinh']);
      expect(congDan).not.toHaveProperty('ThuongTru');
      expect(congDan).not.toHaveProperty('SoDinhDanh');
      expect([congDan.HoVaTen.Ho, congDan.HoVaTen.ChuDem, congDan.HoVaTen.Ten].join(' ')).toBe(head.fullName);
      expect(congDan.NgayThangNamSinh).toEqual({ NgayThangNam: head.dateOfBirth.replaceAll('-', '') });
    });

    it('renders the permanent address when asked, and no sensitive element unless named', async () => {
      const byDefault = xml.parse((await lookupXml(hmong.idNumber).expect(200)).text).CongdanCollection.CongDan;
      expect(byDefault.SoDinhDanh).toBe(hmong.idNumber);
      expect(byDefault.ThuongTru).toEqual(expect.objectContaining({ MaTinh: expect.any(String), TenXa: expect.any(String) }));
      expect(byDefault).not.toHaveProperty('DanToc');
      expect(byDefault).not.toHaveProperty('TonGiao');
      const named = xml.parse((await lookupXml(hmong.idNumber, 'ethnicity,religion').expect(200)).text).CongdanCollection.CongDan;
      expect(named).toEqual({ DanToc: '08', TonGiao: '08' });
    });

    it('renders a year-only date of birth as Nam', async () => {
      const yearOnly = persona('year-only-birth-date');
      const congDan = xml.parse((await lookupXml(yearOnly.idNumber, 'dateOfBirth').expect(200)).text).CongdanCollection.CongDan;
      expect(congDan).toEqual({ NgayThangNamSinh: { Nam: yearOnly.dateOfBirth } });
    });

    it('still answers errors as problem documents', async () => {
      expectProblem(await lookupXml(unusedIdNumber(), 'fullName'), 404, 'citizen_not_found');
    });
  });
});

describe('GET /registry/v1/fields', () => {
  const testApp = useTestApp({ seed: false });

  beforeAll(async () => {

  });

  it('lists every field with its Vietnamese term, law item and sensitivity', async () => {
    const response = await api(testApp.app).get('/registry/v1/fields').expect(200);
    const catalogue = response.body as { name: string; vietnamese: string; lawItem: number; sensitive: boolean }[];
    expect(catalogue.map((f) => f.name).sort()).toEqual(DOCUMENTED_FIELDS.map((f) => f.name).sort());
    for (const documented of DOCUMENTED_FIELDS) {
      const served = catalogue.find((f) => f.name === documented.name)!;
      expect({ name: served.name, lawItem: served.lawItem, sensitive: served.sensitive }).toEqual(documented);
      expect(served.vietnamese).toMatch(/\S/);
    }
  });
});
