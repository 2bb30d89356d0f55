import { describe, expect, it } from '@jest/globals';
import { ReferenceData } from '../../reference/reference-data.js';
import { allAddressLiterals } from './address-generator.js';
import { ETHNIC_GROUPS } from './population-tables.js';
import { SeededRandom } from './seeded-random.js';
import {
  MINORITY_SURNAMES,
  NATIONAL_SURNAME_SHARES,
  SurnamePicker,
  allNameLiterals,
  asciiName,
  nameEra,
  pickGivenName,
  pickMiddleName,
} from './vietnamese-names.js';

describe('Vietnamese names', () => {
  it('writes every literal in NFC', () => {
    for (const literal of [...allNameLiterals(), ...allAddressLiterals()]) {
      expect(literal).toBe(literal.normalize('NFC'));
    }
  });

  it('keys minority surnames by group names of the 1979 list with the expected codes', () => {
    const codes = Object.keys(MINORITY_SURNAMES).map((name) => ReferenceData.get().ethnicities.find((e) => e.name === name)?.code);
    expect(codes).toEqual(['08', '03', '05', '09', '04']);
  });

  it('publishes the DOMAIN.md surname shares', () => {
    const nguyen = NATIONAL_SURNAME_SHARES.find((row) => row.north === 'Nguyễn');
    expect(nguyen?.percent).toBe(38.4);
    expect(NATIONAL_SURNAME_SHARES.find((row) => row.north === 'Hoàng')?.south).toBe('Huỳnh');
    expect(NATIONAL_SURNAME_SHARES.find((row) => row.north === 'Vũ')?.south).toBe('Võ');
  });

  it('reproduces the national shares over the whole population although five groups use their own lists', () => {
    const total = ETHNIC_GROUPS.reduce((sum, group) => sum + group.percent, 0);
    const shares = new Map(ETHNIC_GROUPS.map((group) => [group.name, group.percent / total]));
    const picker = new SurnamePicker(new Map(Object.keys(MINORITY_SURNAMES).map((name) => [name, shares.get(name)!])));
    const rng = new SeededRandom('surnames');
    const groups = ETHNIC_GROUPS.map((group) => [picker.tableFor(group.name), group.percent] as const);
    let nguyen = 0;
    let tran = 0;
    let hoangOrHuynh = 0;
    const draws = 300_000;
    for (let i = 0; i < draws; i++) {
      // Draw a group by population share, then a surname from its table (southern form half the time).
      let u = rng.next() * total;
      let table = groups[0][0];
      for (const [candidate, percent] of groups) {
        u -= percent;
        if (u < 0) {
          table = candidate;
          break;
        }
      }
      const surname = SurnamePicker.pick(table, rng, rng.chance(0.5));
      if (surname === 'Nguyễn') nguyen++;
      if (surname === 'Trần') tran++;
      if (surname === 'Hoàng' || surname === 'Huỳnh') hoangOrHuynh++;
    }
    expect((100 * nguyen) / draws).toBeCloseTo(38.4, 0);
    expect(Math.abs((100 * tran) / draws - 11)).toBeLessThan(0.4);
    expect(Math.abs((100 * hoangOrHuynh) / draws - 5.1)).toBeLessThan(0.3);
  });

  it('uses Thị much less for women born after 2000', () => {
    const rng = new SeededRandom('middle');
    const thi = (year: number) => {
      let count = 0;
      for (let i = 0; i < 20_000; i++) if (pickMiddleName(rng, 'female', year, 'Lan').startsWith('Thị')) count++;
      return count / 20_000;
    };
    expect(thi(1960)).toBeGreaterThan(0.65);
    expect(thi(2010)).toBeLessThan(0.3);
  });

  it('gives younger people two middle words more often, never repeating the given name', () => {
    const rng = new SeededRandom('two-words');
    const repeats: string[] = [];
    const twoWords = (year: number) => {
      let count = 0;
      for (let i = 0; i < 20_000; i++) {
        const given = pickGivenName(rng, 'female', year);
        const middle = pickMiddleName(rng, 'female', year, given);
        if (middle.split(' ').includes(given)) repeats.push(middle + ' ' + given);
        if (middle.includes(' ')) count++;
      }
      return count / 20_000;
    };
    expect(twoWords(2015)).toBeGreaterThan(0.25);
    expect(twoWords(1950)).toBeLessThan(0.06);
    expect(repeats).toEqual([]);
  });

  it('splits naming eras at 1975 and 2000', () => {
    expect([nameEra(1974), nameEra(1975), nameEra(1999), nameEra(2000)]).toEqual([0, 1, 1, 2]);
  });

  it('folds names to ASCII for e-mail addresses', () => {
    expect(asciiName('Đặng')).toBe('dang');
    expect(asciiName('Ỷ')).toBe('y');
    expect(asciiName('Nguyễn')).toBe('nguyen');
  });
});
