import { describe, expect, it } from '@jest/globals';
import type { VerifyResult } from '../registry/registry.dto.js';
import { correctionsOf, discrepanciesOf, lookupFieldsOf, sameAddress, type PortalRecordRow } from './sync-discrepancies.js';

const address = { detail: 'Số 1 phố Huế', communeCode: '00004', communeName: 'Phường Ba Đình', districtName: null, provinceCode: '01', provinceName: 'Thành phố Hà Nội' };
const record: PortalRecordRow = {
  recordId: '1',
  idNumber: '001090000001',
  fullName: 'Nguyễn Văn An',
  dateOfBirth: '1990-01-02',
  sex: 'male',
  permanentAddress: address,
  currentAddress: address,
  maritalStatus: 'single',
  status: 'alive',
  statusDate: null,
  duplicate: false,
  updatedAt: '2026-12-01 00:00:00+00',
};
const match: VerifyResult = { verdict: 'match', citizenStatus: 'alive', checks: { idNumber: 'exact', fullName: 'exact', dateOfBirth: 'exact', sex: 'exact' } };
const every = new Set(['fullName', 'dateOfBirth', 'sex', 'permanentAddress', 'currentAddress', 'maritalStatus', 'citizenStatus', 'statusDate']);

describe('sync discrepancies', () => {
  it('looks up, after a match, only what verify cannot see and the allow-list permits', () => {
    expect(lookupFieldsOf(match, every, true)).toEqual(['permanentAddress', 'currentAddress', 'maritalStatus']);
    expect(lookupFieldsOf(match, new Set(['fullName', 'dateOfBirth', 'sex']), true)).toEqual([]);
    expect(lookupFieldsOf({ ...match, verdict: 'not_found', citizenStatus: null }, every, true)).toEqual([]);
    expect(lookupFieldsOf(match, every, false)).toEqual([]);
  });

  it('looks up the registry values of the fields verify found different, and the status verify gives on a match only', () => {
    const mismatch: VerifyResult = { verdict: 'mismatch', citizenStatus: null, checks: { idNumber: 'exact', fullName: 'normalized', dateOfBirth: 'mismatch', sex: 'exact' } };
    expect(lookupFieldsOf(mismatch, every, true)).toEqual(['permanentAddress', 'currentAddress', 'maritalStatus', 'fullName', 'dateOfBirth', 'citizenStatus', 'statusDate']);
  });

  it('tells a diacritics- or case-only name difference (normalized) from a real mismatch, with the registry value', () => {
    const normalized: VerifyResult = { ...match, checks: { ...match.checks, fullName: 'normalized' } };
    expect(discrepanciesOf(record, normalized, { fullName: 'NGUYỄN VĂN AN' }, false)).toEqual([
      { kind: 'full_name_normalized', field: 'fullName', portalValue: 'Nguyễn Văn An', registryValue: 'NGUYỄN VĂN AN' },
    ]);
    const mismatch: VerifyResult = { verdict: 'mismatch', citizenStatus: null, checks: { ...match.checks, fullName: 'mismatch' } };
    expect(discrepanciesOf(record, mismatch, null, false)).toEqual([{ kind: 'full_name', field: 'fullName', portalValue: 'Nguyễn Văn An', registryValue: null }]);
  });

  it('finds a stale address or marital status behind a match, and a death the portal has not recorded', () => {
    const moved = { ...address, detail: 'Số 9 phố Mới' };
    const found = discrepanciesOf(record, { ...match, citizenStatus: 'deceased' }, { permanentAddress: moved, currentAddress: address, maritalStatus: 'married', statusDate: '2025-03-04' }, false);
    expect(found.map((d) => d.kind)).toEqual(['deceased', 'permanent_address', 'marital_status']);
    expect(correctionsOf(found, { statusDate: '2025-03-04' })).toEqual({ citizenStatus: 'deceased', statusDate: '2025-03-04', permanentAddress: moved, maritalStatus: 'married' });
  });

  it('reports an unknown ID alone (nothing else can be compared), and a duplicate besides what else it has', () => {
    expect(discrepanciesOf(record, { verdict: 'not_found', citizenStatus: null, checks: { idNumber: 'mismatch', fullName: 'mismatch', dateOfBirth: 'mismatch' } }, null, false).map((d) => d.kind)).toEqual(['not_found']);
    expect(discrepanciesOf({ ...record, duplicate: true }, match, { permanentAddress: address, currentAddress: address, maritalStatus: 'single' }, false).map((d) => d.kind)).toEqual(['duplicate']);
  });
});

describe('sameAddress', () => {
  // The stored shape (the registry's rows, generated portal records): names only for a commune without a code.
  const stored = { detail: 'Số 1 phố Huế', communeCode: '00004', legacyCommune: null, legacyDistrict: null, provinceCode: '01' };
  const oldCommune = { detail: 'Xóm 3', communeCode: null, communeName: 'Xã Cũ', districtName: 'Huyện Cũ', provinceCode: '01', provinceName: 'Thành phố Hà Nội' };

  it('takes an address in the stored shape as the same place as the registry answer that names it', () => {
    expect(sameAddress(stored, address)).toBe(true);
    expect(sameAddress({ detail: 'Xóm 3', communeCode: null, legacyCommune: 'Xã Cũ', legacyDistrict: 'Huyện Cũ', provinceCode: '01' }, oldCommune)).toBe(true);
  });

  it('tells another detail, commune, province, or old commune or district apart, in either shape', () => {
    expect(sameAddress({ ...stored, detail: 'Số 2 phố Huế' }, address)).toBe(false);
    expect(sameAddress({ ...stored, communeCode: '00007' }, address)).toBe(false);
    expect(sameAddress({ ...address, provinceCode: '79' }, address)).toBe(false);
    expect(sameAddress({ detail: 'Xóm 3', communeCode: null, legacyCommune: 'Xã Khác', legacyDistrict: 'Huyện Cũ', provinceCode: '01' }, oldCommune)).toBe(false);
    expect(sameAddress({ ...oldCommune, districtName: 'Huyện Khác' }, oldCommune)).toBe(false);
    expect(sameAddress(null, address)).toBe(false);
  });
});
