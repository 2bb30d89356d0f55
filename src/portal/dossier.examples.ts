import type { DossierDetail, DossierView, FileDossierInput } from './dossier.dto.js';

const input: FileDossierInput = {
  serviceCode: '1.004222',
  applicant: {
    idNumber: '001089012345',
    fullName: 'Nguyễn Thị Lan',
    dateOfBirth: '1989-04-17',
    sex: 'female',
    permanentAddress: { detail: 'Số 12 ngõ 34 phố Đội Cấn', communeCode: '00004' },
    currentAddress: { detail: 'Số 12 ngõ 34 phố Đội Cấn', communeCode: '00004' },
    otherFields: { reason: 'Chuyển hộ khẩu về nhà riêng' },
  },
};

const received: DossierView = {
  dossierId: '0193a0b2-7c4d-7e1f-8a2b-3c4d5e6f7a8b',
  serviceCode: '1.004222',
  status: 'received',
  reason: null,
  reasonDetail: null,
  applicant: { idNumber: '001*******45', fullName: 'Nguyễn Thị Lan', dateOfBirth: '1989-04-17', sex: 'female', communeCode: '00004' },
  verification: null,
  label: null,
  filedAt: '2026-12-01T03:15:04.118Z',
  decidedAt: null,
  timeToDecisionMs: null,
  attempts: 0,
};

const needsReview: DossierView = {
  ...received,
  status: 'needs_review',
  reason: 'field_mismatch',
  reasonDetail: 'Differs from the registry: permanentAddress.',
  verification: {
    fields: { idNumber: 'exact', fullName: 'exact', dateOfBirth: 'exact', sex: 'exact', permanentAddress: 'mismatch', currentAddress: 'exact' },
    citizenStatus: 'alive',
    age: 37,
  },
  decidedAt: '2026-12-01T03:15:04.391Z',
  timeToDecisionMs: 273,
  attempts: 2,
};

const detail: DossierDetail = {
  ...needsReview,
  history: [
    { status: 'received', reason: null, note: null, at: '2026-12-01T03:15:04.118Z' },
    { status: 'verifying', reason: null, note: null, at: '2026-12-01T03:15:04.131Z' },
    { status: 'needs_review', reason: 'field_mismatch', note: 'Differs from the registry: permanentAddress.', at: '2026-12-01T03:15:04.391Z' },
  ],
  verificationAttempts: [
    {
      jobId: 'verify-0193a0b2-7c4d-7e1f-8a2b-3c4d5e6f7a8b',
      attempt: 1,
      startedAt: '2026-12-01T03:15:04.131Z',
      finishedAt: '2026-12-01T03:15:04.140Z',
      outcome: 'retry',
      problemCode: 'unavailable',
      calls: [{ callId: '0193a0b2-7c50-7a01-9c3d-4e5f6a7b8c9d', operation: 'verify', outcome: 'unavailable' }],
    },
    {
      jobId: 'verify-0193a0b2-7c4d-7e1f-8a2b-3c4d5e6f7a8b',
      attempt: 2,
      startedAt: '2026-12-01T03:15:04.377Z',
      finishedAt: '2026-12-01T03:15:04.391Z',
      outcome: 'decided',
      problemCode: null,
      calls: [
        { callId: '0193a0b2-7d61-7b02-8d4e-5f6a7b8c9d0e', operation: 'verify', outcome: 'ok' },
        { callId: '0193a0b2-7d64-7c03-9e5f-6a7b8c9d0e1f', operation: 'lookup', outcome: 'ok' },
      ],
    },
  ],
};

/** Worked examples for the OpenAPI document (synthetic people; the ID number is masked as the API masks it). */
export const DOSSIER_EXAMPLES = { input, received, needsReview, detail };
