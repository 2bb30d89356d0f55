import { describe, expect, it } from '@jest/globals';
import { ReferenceData } from '../reference/reference-data.js';
import {
  centurySexDigit,
  composeIdNumber,
  decodeIdNumber,
  idNumberAgreesWith,
  maskIdNumber,
  validateIdNumber,
  type IdNumberRule,
} from './id-number.js';

/**
 * The 63 codes of Circular 07/2016/TT-BCA, Annex I, written out here rather than read from the reference CSV so that
 * a row lost from the CSV fails this test instead of silently shrinking it.
 */
const PROVINCE_ID_CODES = (
  '001 002 004 006 008 010 011 012 014 015 017 019 020 022 024 025 026 027 030 031 033 034 035 036 037 038 040 042 ' +
  '044 045 046 048 049 051 052 054 056 058 060 062 064 066 067 068 070 072 074 075 077 079 080 082 083 084 086 087 ' +
  '089 091 092 093 094 095 096'
).split(' ');

/** A fixed clock: 28 November 2026, noon in Hà Nội. */
const TODAY = new Date('2026-11-28T05:00:00Z');

function rulesOf(candidate: string, today: Date = TODAY): IdNumberRule[] {
  return validateIdNumber(candidate, today).map((violation) => violation.rule);
}

describe('validateIdNumber', () => {
  it('lists exactly 63 province codes, the same as the reference data', () => {
    expect(PROVINCE_ID_CODES).toHaveLength(63);
    expect(ReferenceData.get().idProvinces.map((p) => p.idCode)).toEqual(PROVINCE_ID_CODES);
  });

  it.each(PROVINCE_ID_CODES)('accepts numbers opening with province code %s', (code) => {
    const male = composeIdNumber(code, 'male', 1990, 123_456);
    const female = composeIdNumber(code, 'female', 2005, 7);
    expect(rulesOf(male)).toEqual([]);
    expect(rulesOf(female)).toEqual([]);
  });

  it.each(['000', '003', '005', '099', '100', '063', '097', '999'])('rejects the unknown province code %s', (code) => {
    expect(rulesOf(`${code}090123456`)).toEqual(['province_code']);
  });

  it('rejects numbers of the wrong length and says how many characters they have', () => {
    expect(rulesOf('00109012345')).toEqual(['length']);
    expect(rulesOf('0010901234567')).toEqual(['length']);
    expect(validateIdNumber('00109012345', TODAY)[0].message).toContain('11');
  });

  it('rejects the 9-digit legacy CMND number', () => {
    expect(rulesOf('011020304')).toEqual(['length']);
  });

  it('rejects non-digits anywhere, including letters, spaces and full-width digits', () => {
    expect(rulesOf('00109012345X')).toEqual(['digits']);
    expect(rulesOf('001 90123456')).toEqual(['digits', 'century_sex_digit']);
    expect(rulesOf('００１090123456'.slice(0, 12))).toContain('digits');
  });

  it('reports every rule a number breaks at once', () => {
    // Too short to hold a fourth digit, so the century/sex rule is broken too.
    expect(rulesOf('abc')).toEqual(['length', 'digits', 'province_code', 'century_sex_digit']);
    expect(rulesOf('000999')).toEqual(['length', 'province_code', 'future_birth_year']);
    expect(rulesOf('')).toEqual(['length', 'province_code', 'century_sex_digit']);
  });

  describe('future birth year (today is 2026-11-28)', () => {
    it('accepts a birth in the current year', () => {
      expect(rulesOf('001226123456')).toEqual([]);
    });

    it('rejects a birth next year and names the encoded year', () => {
      const violations = validateIdNumber('001227123456', TODAY);
      expect(violations.map((v) => v.rule)).toEqual(['future_birth_year']);
      expect(violations[0].message).toContain('2027');
    });

    it('rejects the 2100s (digits 4 and 5) and every later century', () => {
      for (const digit of [4, 5, 6, 7, 8, 9]) {
        expect(rulesOf(`001${digit}00123456`)).toEqual(['future_birth_year']);
      }
    });

    it('reads the year on the Vietnamese calendar (UTC+7), not in UTC', () => {
      // 31 Dec 2026 18:00 UTC is already 1 Jan 2027 01:00 in Hà Nội: a newborn's 2027 number is valid.
      expect(rulesOf('001227123456', new Date('2026-12-31T18:00:00Z'))).toEqual([]);
      // 31 Dec 2026 16:59 UTC is still 23:59 on 31 Dec in Hà Nội.
      expect(rulesOf('001227123456', new Date('2026-12-31T16:59:00Z'))).toEqual(['future_birth_year']);
    });
  });
});

describe('decodeIdNumber', () => {
  it.each([
    [0, 'male', 1900],
    [1, 'female', 1900],
    [2, 'male', 2000],
    [3, 'female', 2000],
    [4, 'male', 2100],
    [5, 'female', 2100],
    [6, 'male', 2200],
    [7, 'female', 2200],
    [8, 'male', 2300],
    [9, 'female', 2300],
  ] as const)('reads century/sex digit %i as %s born in the century of %i', (digit, sex, centuryStart) => {
    // A clock far enough ahead that no century is in the future.
    const decoded = decodeIdNumber(`001${digit}45123456`, new Date('2400-01-01T00:00:00Z'));
    expect(decoded).toMatchObject({ sex, birthYear: centuryStart + 45 });
  });

  it('returns the province, its 2025 successor and the random part', () => {
    expect(decodeIdNumber('002090999901', TODAY)).toEqual({
      idNumber: '002090999901',
      provinceIdCode: '002',
      provinceName: 'Hà Giang',
      provinceCode2025: '08',
      sex: 'male',
      birthYear: 1990,
      randomPart: '999901',
    });
  });

  it('returns undefined for an invalid number', () => {
    expect(decodeIdNumber('000090123456', TODAY)).toBeUndefined();
    expect(decodeIdNumber('001227123456', TODAY)).toBeUndefined();
  });
});

describe('composeIdNumber and centurySexDigit', () => {
  it('encodes century and sex, pads the year and the random part', () => {
    expect(composeIdNumber('001', 'male', 1905, 42)).toBe('001005000042');
    expect(composeIdNumber('079', 'female', 2001, 999_999)).toBe('079301999999');
    expect(centurySexDigit('female', 2399)).toBe(9);
  });

  it('round-trips through decodeIdNumber', () => {
    const decoded = decodeIdNumber(composeIdNumber('096', 'female', 1987, 5), TODAY);
    expect(decoded).toMatchObject({ provinceIdCode: '096', sex: 'female', birthYear: 1987, randomPart: '000005' });
  });

  it('refuses years outside 1900-2399 and random parts that do not fit six digits', () => {
    expect(() => centurySexDigit('male', 1899)).toThrow(RangeError);
    expect(() => centurySexDigit('male', 2400)).toThrow(RangeError);
    expect(() => composeIdNumber('001', 'male', 1990, 1_000_000)).toThrow(RangeError);
    expect(() => composeIdNumber('001', 'male', 1990, -1)).toThrow(RangeError);
  });
});

describe('idNumberAgreesWith', () => {
  it('is true only when sex and birth year both agree', () => {
    const id = composeIdNumber('001', 'female', 1990, 1);
    expect(idNumberAgreesWith(id, 'female', 1990)).toBe(true);
    expect(idNumberAgreesWith(id, 'male', 1990)).toBe(false);
    expect(idNumberAgreesWith(id, 'female', 2090)).toBe(false);
    expect(idNumberAgreesWith('000190123456', 'female', 1990)).toBe(false);
  });
});

describe('maskIdNumber', () => {
  it('keeps the first three and the last two digits', () => {
    expect(maskIdNumber('001090123442')).toBe('001*******42');
  });

  it('masks short strings entirely so that nothing leaks', () => {
    expect(maskIdNumber('12345')).toBe('*****');
    expect(maskIdNumber('')).toBe('');
    expect(maskIdNumber('123456')).toBe('123*56');
  });
});
