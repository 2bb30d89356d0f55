import type { GenerateRecordsInput, GeneratedRecords, PortalRecordPage, QueuedRecordsJob, RecordsJobView } from './portal-record.dto.js';

const generateInput: GenerateRecordsInput = { serviceCode: '1.004222', count: 100_000, driftRate: 0.2, seed: 'records-1' };

const request = { serviceCode: '1.004222', count: 100_000, driftRate: 0.2, seed: 'records-1' };

const queued: QueuedRecordsJob = {
  jobId: '3',
  state: 'waiting',
  progress: 0,
  request,
  result: null,
  failedReason: null,
  queuedAt: '2026-12-01T03:15:04.118Z',
  finishedAt: null,
  statusUrl: '/sandbox/portal/records/jobs/3',
};

const result: GeneratedRecords = {
  seed: 'records-1',
  serviceCode: '1.004222',
  requested: 100_000,
  records: 100_000,
  replaced: 0,
  byKind: {
    faithful: 80_000,
    stale_address: 12,
    unrecorded_death: 2_500,
    marital_status: 2_500,
    lost_diacritics: 3_122,
    wrong_birth_date: 3_122,
    wrong_id_digit: 3_122,
    not_in_registry: 3_122,
    duplicate: 2_500,
  },
  byService: { '1.004222': 100_000 },
  shortfalls: [{ kind: 'stale_address', wanted: 2_500, written: 12, reason: 'too few citizens whose last recorded move (POST /sandbox/registry/events) kept the residence they left' }],
  durationMs: 9_400,
};

const done: RecordsJobView = { ...queued, state: 'completed', progress: 100, result, finishedAt: '2026-12-01T03:15:13.560Z' };
delete (done as Partial<QueuedRecordsJob>).statusUrl;

const address = { detail: 'Số 12 ngõ 34 phố Huế', communeCode: '00070', legacyCommune: null, legacyDistrict: null, provinceCode: '01' };
const page: PortalRecordPage = {
  records: [
    {
      recordId: '1041',
      serviceCode: '1.004222',
      holderCommuneCode: null,
      idNumber: '001*******42',
      fullName: 'NGUYEN VAN AN',
      dateOfBirth: '1990-01-23',
      sex: 'male',
      permanentAddress: address,
      currentAddress: address,
      maritalStatus: 'married',
      status: 'alive',
      statusDate: null,
      cardIssueDate: '2021-04-04',
      cardExpiryDate: '2030-01-23',
      source: 'generated',
      label: { kind: 'lost_diacritics', fields: ['fullName'], expected: 'normalized' },
      confirmedAt: null,
      updatedAt: '2026-12-01T03:15:13.560Z',
    },
  ],
  nextCursor: '1041',
};

/** Worked examples of the portal-records endpoints, for the OpenAPI document. */
export const RECORD_EXAMPLES = { generateInput, queued, done, page };
