import type { DiscrepancyLineView, RequestSyncRunInput, SyncRunView } from './sync-run.dto.js';

const input: RequestSyncRunInput = { serviceCode: '1.000894', mode: 'verify' };

const zeroKinds = {
  not_found: 0,
  full_name: 0,
  full_name_normalized: 0,
  date_of_birth: 0,
  sex: 0,
  deceased: 0,
  citizen_status: 0,
  permanent_address: 0,
  current_address: 0,
  marital_status: 0,
  duplicate: 0,
};

const running: SyncRunView = {
  runId: '0193a0c4-1b2e-7d3f-9a4b-5c6d7e8f9a0b',
  serviceCode: '1.000894',
  mode: 'verify',
  state: 'running',
  stopReason: null,
  waiting: null,
  requestedAt: '2026-12-01T08:00:00.120Z',
  startedAt: '2026-12-01T08:00:00.410Z',
  finishedAt: null,
  resultsPrunedAt: null,
  batches: { planned: 2_000, done: 412 },
  records: { planned: 1_000_000, scanned: 206_000, matched: 197_310, withDiscrepancies: 8_688, errors: 2 },
  discrepancies: {
    total: 9_104,
    byKind: { ...zeroKinds, not_found: 212, full_name: 310, full_name_normalized: 1_204, date_of_birth: 96, deceased: 150, permanent_address: 3_820, current_address: 2_410, marital_status: 880, duplicate: 22 },
  },
  corrections: 8_870,
  throughput: { recordsPerSecond: 2_143.7 },
  eta: '2026-12-01T08:07:22.000Z',
};

const pending: SyncRunView = {
  ...running,
  runId: '0193a0c6-02d1-7a8e-8f1c-2b3d4e5f6a7b',
  state: 'pending',
  requestedAt: '2026-12-01T08:01:10.002Z',
  startedAt: null,
  batches: { planned: null, done: 0 },
  records: { planned: null, scanned: 0, matched: 0, withDiscrepancies: 0, errors: 0 },
  discrepancies: { total: 0, byKind: zeroKinds },
  corrections: 0,
  throughput: { recordsPerSecond: null },
  eta: null,
};

const discrepancy: DiscrepancyLineView = {
  recordId: '48213',
  kind: 'permanent_address',
  field: 'permanentAddress',
  portalValue: { detail: 'Số 7 ngõ 12 phố Kim Mã', communeCode: '00004', legacyCommune: null, legacyDistrict: null, provinceCode: '01' },
  registryValue: { detail: 'Số 3 đường Trần Phú', communeCode: '00008', communeName: 'Phường Ngọc Hà', districtName: null, provinceCode: '01', provinceName: 'Thành phố Hà Nội' },
  corrected: false,
};

/** Worked examples of the sync-run endpoints, for the OpenAPI document. */
export const SYNC_RUN_EXAMPLES = { input, running, pending, discrepancy, cancelled: { ...running, state: 'cancelled' as const, finishedAt: '2026-12-01T08:03:40.000Z', eta: null } };
