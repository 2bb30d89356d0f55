/**
 * Worked examples for the OpenAPI document. They use the persona ID numbers of the sandbox (present in every
 * dataset), so a reader can paste them into a request and get the same answer.
 */
import { renderCongdanCollection } from './qcvn109/congdan-xml.js';

const idNumber = '001090999921';
const address = {
  detail: 'Số 12, ngõ 34, phố Trần Duy Hưng',
  communeCode: '00175',
  communeName: 'Phường Yên Hòa',
  districtName: null,
  provinceCode: '01',
  provinceName: 'Thành phố Hà Nội',
};

export const EXAMPLES = {
  idNumber,
  householdId: 'HP0000000010',
  fields: [{ name: 'fullName', vietnamese: 'Họ, chữ đệm và tên khai sinh', lawItem: 1, sensitive: false, description: 'Birth name: surname, middle name(s), given name' }],
  lookup: { fullName: 'Nguyễn Văn An', dateOfBirth: '1990-05-15', permanentAddress: address },
  /** The same answer as QCVN 109 XML, from the real renderer. */
  lookupXml: renderCongdanCollection([
    { citizen: { surname: 'Nguyễn', middleName: 'Văn', givenName: 'An', fullName: 'Nguyễn Văn An', dateOfBirth: '1990-05-15', permanentAddress: address } },
  ]),
  verifyRequest: { idNumber, fullName: 'NGUYEN VAN AN', dateOfBirth: '15051990', sex: 'male' },
  verifyResult: { verdict: 'match', citizenStatus: 'alive', checks: { idNumber: 'exact', fullName: 'normalized', dateOfBirth: 'exact', sex: 'exact' } },
  verifyBatchRequest: {
    items: [
      { idNumber, fullName: 'Nguyễn Văn An', dateOfBirth: '1990-05-15' },
      { idNumber: '12345', fullName: 'Trần Thị B', dateOfBirth: '1990' },
    ],
  },
  verifyBatchResult: {
    results: [
      { index: 0, verdict: 'match', citizenStatus: 'alive', checks: { idNumber: 'exact', fullName: 'exact', dateOfBirth: 'exact' } },
      {
        index: 1,
        error: {
          code: 'validation_failed',
          detail: 'items.1.idNumber: must have 12 digits, has 5 characters',
          errors: [{ field: 'items.1.idNumber', rule: 'length', message: 'must have 12 digits, has 5 characters' }],
        },
      },
    ],
  },
  household: {
    householdId: 'HP0000000010',
    address,
    head: { idNumber, fullName: 'Nguyễn Văn An' },
    members: [{ idNumber, fullName: 'Nguyễn Văn An', dateOfBirth: '1990-05-15', sex: 'male', relationship: 'head', status: 'alive' }],
  },
  changes: {
    events: [
      {
        cursor: '42',
        kind: 'move',
        idNumber,
        occurredAt: '2026-11-21T00:00:00.000Z',
        recordedAt: '2026-11-21T08:15:02.114Z',
        details: { residence: 'permanent', to: address },
      },
    ],
    nextCursor: '42',
    hasMore: false,
  },
  personas: { personas: [{ idNumber, key: 'moved-last-week', title: 'Moved last week', tests: 'A stale address on a dossier', specialFields: ['permanentAddress'] }] },
  moveEvent: { kind: 'move', idNumber, residence: 'permanent', address: { detail: 'Số 5, phố Huế', communeCode: '00070' } },
  recordedEvent: {
    changes: [
      {
        cursor: '43',
        kind: 'move',
        idNumber,
        occurredAt: '2026-11-28T09:00:00.000Z',
        recordedAt: '2026-11-28T09:00:00.120Z',
        details: { residence: 'permanent', to: { ...address, detail: 'Số 5, phố Huế', communeCode: '00070', communeName: 'Phường Hoàn Kiếm' } },
      },
    ],
  },
  resetJob: { jobId: '7', name: 'reset-dataset', state: 'waiting', progress: 0, result: null, failedReason: null, queuedAt: '2026-11-28T09:00:00.000Z', finishedAt: null, statusUrl: '/sandbox/jobs/7' },
  resetJobDone: {
    jobId: '7', name: 'reset-dataset', state: 'completed', progress: 100, failedReason: null, queuedAt: '2026-11-28T09:00:00.000Z', finishedAt: '2026-11-28T09:00:01.600Z',
    result: { seed: 'popgate', referenceDate: '2026-11-28', generatedCitizens: 20000, personas: 30, households: 6120, changes: 9, durationMs: 1400, phasesMs: { generateAndCopy: 900, indexes: 420, analyze: 80 } },
  },
  reset: { seed: 'popgate', referenceDate: '2026-11-28', generatedCitizens: 20000, personas: 30, households: 6120, changes: 9, durationMs: 1400 },
};
