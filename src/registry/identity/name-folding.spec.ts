import { describe, expect, it } from '@jest/globals';
import { foldName } from './name-folding.js';

describe('foldName', () => {
  it('removes Vietnamese diacritics, lowers case and maps đ/Đ to d', () => {
    expect(foldName('Nguyễn Văn An')).toBe('nguyen van an');
    expect(foldName('ĐẶNG THỊ HƯƠNG')).toBe('dang thi huong');
    expect(foldName('Đỗ Đức Đạt')).toBe('do duc dat');
    expect(foldName('Trương Quỳnh Ứng Ỷ Ỹ Ộ')).toBe('truong quynh ung y y o');
  });

  it('gives the same key for NFC and NFD input', () => {
    const nfd = 'Nguyễn Thị Thuỷ'.normalize('NFD');
    expect(nfd).not.toBe('Nguyễn Thị Thuỷ'.normalize('NFC'));
    expect(foldName(nfd)).toBe(foldName('Nguyễn Thị Thuỷ'.normalize('NFC')));
    expect(foldName(nfd)).toBe('nguyen thi thuy');
  });

  it('collapses and trims white space of any kind, and drops zero-width characters', () => {
    expect(foldName('  Nguyễn \t Văn\u00a0\u00a0An\n ')).toBe('nguyen van an');
    expect(foldName('Ngu\u200byễn Văn An\ufeff')).toBe('nguyen van an');
  });
});


