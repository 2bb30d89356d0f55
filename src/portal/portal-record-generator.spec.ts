import { describe, expect, it } from '@jest/globals';
import { foldName } from '../identity/name-folding.js';
import { DRIFT_KINDS } from './portal-record-labels.js';
import { driftQuotas } from './portal-record-generator.js';
import { DIACRITICS } from './portal-record.repository.js';

describe('driftQuotas', () => {
  it('splits round(count × driftRate) into equal shares, the first kinds taking the remainder', () => {
    const quotas = driftQuotas(1_003, 0.5);
    expect(Object.values(quotas).reduce((sum, n) => sum + n, 0)).toBe(502);
    expect(DRIFT_KINDS.map((kind) => quotas[kind])).toEqual([63, 63, 63, 63, 63, 63, 62, 62]);
    expect(Object.values(driftQuotas(10, 0)).every((n) => n === 0)).toBe(true);
    expect(Object.values(driftQuotas(8, 1))).toEqual([1, 1, 1, 1, 1, 1, 1, 1]);
  });
});

describe('DIACRITICS (the SQL fold of lost_diacritics)', () => {
  const fold = (name: string) => [...name].map((letter) => DIACRITICS.to[[...DIACRITICS.from].indexOf(letter)] ?? letter).join('');

  it('maps each letter to one ASCII letter that foldName takes for the same', () => {
    const from = [...DIACRITICS.from];
    expect(from).toHaveLength(DIACRITICS.to.length);
    for (const [index, letter] of from.entries()) {
      expect(DIACRITICS.to[index]).toMatch(/^[A-Za-z]$/);
      expect(foldName(letter)).toBe(foldName(DIACRITICS.to[index]));
    }
  });

  it('folds every Vietnamese letter, đ and Đ included', () => {
    const names = ['Nguyễn Thị Ngọc Ánh', 'ĐẶNG VĂN ĐỨC', 'Huỳnh Thục Quyên', 'Vương Ưng Ờ Ỷ Ỹ Ỵ', 'Lê Bảo Hân', 'Trương Mỹ Thúy'];
    for (const name of names) {
      expect(fold(name)).toMatch(/^[ A-Za-z]+$/);
      expect(foldName(fold(name))).toBe(foldName(name));
    }
  });
});
