import { beforeAll, describe, expect, it } from '@jest/globals';
import { api, useTestApp } from '../utils/test-app.js';

/**
 * The matching rules of verify, case by case, end to end (the unit specs of name-folding and birth-date cover the
 * functions; this covers the endpoint). Records: persona same-name-dob-a "Nguyễn Văn An" born 1990-05-15,
 * persona month-year-birth-date born 1948-03, persona year-only-birth-date born 1929.
 */
describe('verify matching rules', () => {
  const testApp = useTestApp();
  const FULL = { idNumber: '001090999921', fullName: 'Nguyễn Văn An' };
  const MONTH_YEAR = { idNumber: '040148999916', fullName: 'Hồ Thị Xuân' };
  const YEAR_ONLY = { idNumber: '001129999914', fullName: 'Dương Thị Nụ' };

  beforeAll(async () => {

  });

  const checks = async (body: Record<string, unknown>) =>
    (await api(testApp.app).post('/registry/v1/citizens/verify').send(body).expect(200)).body.checks as Record<string, string>;

  it.each([
    ['Nguyễn Văn An', 'exact'],
    ['NGUYEN VAN AN', 'normalized'],
    ['Nguyễn Văn An'.normalize('NFD'), 'normalized'],
    [' Nguyễn  Văn   An ', 'normalized'],
    ['Nguyễn Văn Ân', 'normalized'],
    ['nguyễn văn an', 'normalized'],
    ['Nguyễn Văn Anh', 'mismatch'],
    ['Nguyễn An', 'mismatch'],
    ['An Văn Nguyễn', 'mismatch'],
    ['NguyenVanAn', 'mismatch'],
  ])('name %j against "Nguyễn Văn An" is %s', async (fullName, expected) => {
    expect((await checks({ ...FULL, fullName, dateOfBirth: '1990-05-15' })).fullName).toBe(expected);
  });

  it.each([
    [FULL, '1990-05-15', 'exact'],
    [FULL, '15051990', 'exact'],
    [FULL, '1990-05-16', 'mismatch'],
    [FULL, '1990-05', 'mismatch'],
    [FULL, '1990', 'mismatch'],
    [MONTH_YEAR, '1948-03', 'exact'],
    [MONTH_YEAR, '1948-03-09', 'partial'],
    [MONTH_YEAR, '1948-04-09', 'mismatch'],
    [MONTH_YEAR, '1948', 'mismatch'],
    [YEAR_ONLY, '1929', 'exact'],
    [YEAR_ONLY, '1929-07', 'partial'],
    [YEAR_ONLY, '1929-07-01', 'partial'],
    [YEAR_ONLY, '1930-07-01', 'mismatch'],
  ])('date against %j: request %s is %s', async (citizen, dateOfBirth, expected) => {
    expect((await checks({ ...citizen, dateOfBirth })).dateOfBirth).toBe(expected);
  });
});
