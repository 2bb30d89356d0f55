import { PERSONAS } from '../sandbox/population/personas.js';
import { judgeService } from './readiness-checklist.js';
import { BACKOFF_JITTER_SHARE, MAX_RETRIES, MIN_RETRY_GAP_MS, RETRY_WINDOW_MS, type ScenarioCall } from './readiness-scenarios.js';
import type { ReadinessReport } from './readiness.dto.js';

/**
 * The worked example of GET /coverage/v1/consumers/{id}/scenarios, computed by the checklist itself from a short
 * sandbox session, so that it always shows what the endpoint answers: a developer whose client backs off after a 503
 * and waits out a 429 with its request id kept, but asks again after a 404, and has not met the other faults yet.
 */
const FROM = new Date('2026-11-24T00:00:00+07:00');
const TO = new Date('2026-12-01T00:00:00+07:00');
const FINGERPRINT_A = '5c0d4f6e8a2b1c3d5e7f9a0b2c4d6e8f0a1b3c5d7e9f1a2b4c6d8e0f2a3b5c7d';
const FINGERPRINT_B = '9e1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8';

function call(overrides: Partial<ScenarioCall> & Pick<ScenarioCall, 'callId' | 'receivedAt'>): ScenarioCall {
  return {
    requestId: 'portal-7f3a-0001',
    serviceCode: 'SANDBOX-ALL',
    operation: 'lookup',
    outcome: 'ok',
    httpStatus: 200,
    problemCode: null,
    faultKind: null,
    latencyMs: 3.4,
    fieldsRequested: ['fullName', 'dateOfBirth'],
    personaKey: 'deceased',
    fingerprint: FINGERPRINT_A,
    retryAfterSeconds: null,
    ...overrides,
  };
}

const CALLS: ScenarioCall[] = [
  call({ callId: '019ad6a0-1000-7000-8000-000000000001', receivedAt: new Date('2026-11-30T02:15:04.118Z'), outcome: 'unavailable', httpStatus: 503, problemCode: 'service_unavailable', faultKind: 'unavailable', retryAfterSeconds: 5 }),
  call({ callId: '019ad6a0-2400-7000-8000-000000000002', receivedAt: new Date('2026-11-30T02:15:09.301Z'), outcome: 'rate_limited', httpStatus: 429, problemCode: 'rate_limited', faultKind: 'rate_limited', retryAfterSeconds: 2 }),
  call({ callId: '019ad6a0-3c00-7000-8000-000000000003', receivedAt: new Date('2026-11-30T02:15:19.644Z') }),
  call({
    callId: '019ad6a0-5000-7000-8000-000000000004',
    receivedAt: new Date('2026-11-30T02:16:00.010Z'),
    requestId: 'portal-7f3a-0002',
    fingerprint: FINGERPRINT_B,
    outcome: 'not_found',
    httpStatus: 404,
    problemCode: 'citizen_not_found',
    personaKey: null,
  }),
  call({ callId: '019ad6a0-5100-7000-8000-000000000005', receivedAt: new Date('2026-11-30T02:16:00.412Z'), requestId: 'portal-7f3a-0003', fingerprint: FINGERPRINT_B, outcome: 'not_found', httpStatus: 404, problemCode: 'citizen_not_found', personaKey: null }),
];

const service = judgeService(
  { code: 'SANDBOX-ALL', allowedFields: ['fullName', 'dateOfBirth', 'citizenStatus', 'statusDate'], operations: new Set(['lookup']) },
  CALLS,
  { from: FROM, to: TO },
  PERSONAS.filter((persona) => ['deceased', 'missing'].includes(persona.key)),
);

export const READINESS_EXAMPLE: ReadinessReport = {
  consumerId: '6b1e2f9a-1d4c-4f0e-8a7b-2c9d3e4f5a6b',
  consumerName: 'Hanoi land registry (sandbox)',
  from: FROM.toISOString(),
  to: TO.toISOString(),
  analysedCalls: CALLS.length,
  truncated: false,
  analysedFrom: CALLS[0].receivedAt.toISOString(),
  rules: { retryWindowMs: RETRY_WINDOW_MS, minRetryGapMs: MIN_RETRY_GAP_MS, maxRetries: MAX_RETRIES, backoffJitterShare: BACKOFF_JITTER_SHARE },
  services: [service],
};
