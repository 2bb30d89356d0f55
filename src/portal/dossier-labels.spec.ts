import { describe, expect, it } from '@jest/globals';
import { compareNames } from '../identity/name-folding.js';
import { SeededRandom } from '../sandbox/population/seeded-random.js';
import { suits, withDayAndMonthSwapped, withTypo, withWrongDigit, withoutDiacritics } from './dossier-labels.js';
import type { ServiceRules } from './dossier-verification.js';

const rules = (allowedFields: string[], operations: string[], minimumAge: number | null = null): ServiceRules => ({
  allowedFields: new Set(allowedFields),
  operations: new Set(operations),
  minimumAge,
});

describe('discrepancies of generated dossiers', () => {
  it('drops diacritics and keeps the case, so that the name still matches as normalized', () => {
    expect(withoutDiacritics('Nguyễn Văn Đạt')).toBe('Nguyen Van Dat');
    expect(compareNames(withoutDiacritics('Trần Thị Thúy'), 'Trần Thị Thúy')).toBe('normalized');
  });

  it('makes a typo that no folding of case or diacritics undoes', () => {
    const random = new SeededRandom('typos');
    for (const name of ['Nguyễn Văn An', 'Đỗ Thị Hằng', 'Lê Ngọc Bảo Anh', 'Ư']) {
      for (let draw = 0; draw < 50; draw += 1) {
        const typo = withTypo(name, (n) => random.int(0, n - 1));
        expect(typo).not.toBeNull();
        expect(compareNames(typo!, name)).toBe('mismatch');
        expect([...typo!].length).toBe([...name].length);
      }
    }
    expect(withTypo('   ', () => 0)).toBeNull();
  });

  it('swaps day and month only when that makes another valid date', () => {
    expect(withDayAndMonthSwapped('1990-04-11')).toBe('1990-11-04');
    expect(withDayAndMonthSwapped('1990-04-13')).toBeNull();
    expect(withDayAndMonthSwapped('1990-05-05')).toBeNull();
  });

  it('changes one digit of the random part of an ID number', () => {
    for (let position = 0; position < 6; position += 1) {
      for (let step = 0; step < 9; step += 1) {
        const wrong = withWrongDigit('001090123456', position, step);
        expect(wrong.slice(0, 6)).toBe('001090');
        expect([...wrong].filter((digit, index) => digit !== '001090123456'[index])).toHaveLength(1);
      }
    }
  });

  it('suits a kind to the services that can show it', () => {
    const residence = rules(['idNumber', 'fullName', 'dateOfBirth', 'permanentAddress', 'currentAddress'], ['verify', 'lookup']);
    const sealsOnly = rules(['idNumber', 'fullName'], ['lookup'], 18);
    const marriage = rules(['idNumber', 'fullName', 'dateOfBirth'], ['verify'], 18);
    expect(suits('stale_address', residence)).toBe(true);
    expect(suits('stale_address', marriage)).toBe(false);
    expect(suits('stale_address', rules(['idNumber', 'fullName', 'dateOfBirth', 'permanentAddress'], ['verify']))).toBe(false);
    expect(suits('minor_for_adult_service', marriage)).toBe(true);
    expect(suits('minor_for_adult_service', sealsOnly)).toBe(false);
    expect(suits('deceased_applicant', sealsOnly)).toBe(false);
    expect(suits('deceased_applicant', rules(['idNumber', 'fullName', 'citizenStatus'], ['lookup']))).toBe(true);
    expect(suits('name_typo', sealsOnly)).toBe(true);
    expect(suits('none', rules(['idNumber'], ['lookup']))).toBe(false);
  });
});
