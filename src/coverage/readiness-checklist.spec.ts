import { describe, expect, it } from '@jest/globals';
import { FAULT_KINDS } from '../connectors/fault-kinds.js';
import { PERSONAS } from '../sandbox/population/personas.js';
import { judgeService, type ChecklistResult } from './readiness-checklist.js';
import { CHECKLIST, FAULT_SCENARIOS, faultScenarioOf, personaScenarios, retryAfterSecondsOf, type ScenarioCall, type ScenarioService } from './readiness-scenarios.js';

const T0 = Date.parse('2026-11-30T02:00:00Z');
const PERIOD = { from: new Date(T0 - 3_600_000), to: new Date(T0 + 3_600_000) };
const SERVICE: ScenarioService = { code: 'SANDBOX-ALL', allowedFields: ['fullName', 'dateOfBirth', 'idCard', 'citizenStatus'], operations: new Set(['lookup', 'verify']) };

let sequence = 0;
/** A journaled call `atMs` after T0; a fresh call id each time, fingerprint and request id "a" unless given. */
function call(atMs: number, overrides: Partial<ScenarioCall> = {}): ScenarioCall {
  sequence += 1;
  return {
    callId: `019ad6a0-0000-7000-8000-${String(sequence).padStart(12, '0')}`,
    receivedAt: new Date(T0 + atMs),
    requestId: 'req-a',
    serviceCode: 'SANDBOX-ALL',
    operation: 'lookup',
    outcome: 'ok',
    httpStatus: 200,
    problemCode: null,
    faultKind: null,
    latencyMs: 2,
    fieldsRequested: ['fullName'],
    personaKey: null,
    fingerprint: 'f'.repeat(64),
    retryAfterSeconds: null,
    ...overrides,
  };
}
const fault = (kind: string, atMs: number, overrides: Partial<ScenarioCall> = {}) => {
  const endings: Record<string, Partial<ScenarioCall>> = {
    unavailable: { outcome: 'unavailable', httpStatus: 503, problemCode: 'service_unavailable' },
    rate_limited: { outcome: 'rate_limited', httpStatus: 429, problemCode: 'rate_limited' },
    server_error: { outcome: 'server_error', httpStatus: 500, problemCode: 'internal_error' },
    timeout: { outcome: 'timeout', httpStatus: null },
    reset: { outcome: 'unavailable', httpStatus: null },
    malformed: {},
    slow_body: {},
  };
  return call(atMs, { faultKind: kind, ...endings[kind], ...overrides });
};

function itemOf(calls: ScenarioCall[], item: string): ChecklistResult {
  return judgeService(SERVICE, calls, PERIOD, PERSONAS).checklist.find((entry) => entry.item === item)!;
}

describe('the scenario catalogue', () => {
  it('has a checklist item for every fault kind of the fault engine, and the three cross-cutting ones', () => {
    expect(FAULT_SCENARIOS.map((scenario) => scenario.kind)).toEqual([...FAULT_KINDS]);
    expect(CHECKLIST.map((entry) => entry.item)).toEqual([...FAULT_KINDS.map((kind) => `after_${kind}`), 'same_request_id_on_retry', 'stops_after_permanent_error', 'fields_within_allow_list']);
    expect(FAULT_SCENARIOS.find((s) => s.kind === 'rate_limited')!.rule).toBe('retry_after');
  });

  it('lists every persona under verify, and under look-up only where the allow-list shows its special fields', () => {
    const scenarios = personaScenarios(SERVICE, PERSONAS);
    expect(scenarios.filter((s) => s.operation === 'verify')).toHaveLength(PERSONAS.length);
    const lookups = scenarios.filter((s) => s.operation === 'lookup');
    // 'deceased' is special by status and statusDate: citizenStatus is allowed; 'married-husband' by spouse fields: not.
    expect(lookups.find((s) => s.personaKey === 'deceased')).toMatchObject({ observableFields: ['citizenStatus'] });
    expect(lookups.find((s) => s.personaKey === 'married-husband')).toBeUndefined();
    expect(personaScenarios({ ...SERVICE, operations: new Set(['verify_batch_item']) }, PERSONAS)).toEqual([]);
  });

  it('classes real failures like the simulated ones, and derives the Retry-After each was given', () => {
    expect(faultScenarioOf(call(0, { outcome: 'unavailable', httpStatus: 503, problemCode: 'connector_maintenance' }))).toBe('unavailable');
    expect(faultScenarioOf(call(0, { outcome: 'rate_limited', httpStatus: 429 }))).toBe('rate_limited');
    expect(faultScenarioOf(call(0, { outcome: 'unavailable', httpStatus: null, faultKind: 'reset' }))).toBe('reset');
    expect(faultScenarioOf(call(0, { outcome: 'not_found', httpStatus: 404 }))).toBeNull();
    expect(retryAfterSecondsOf(call(0, { httpStatus: 503 }))).toBe(5);
    expect(retryAfterSecondsOf(call(0, { httpStatus: 429, problemCode: 'rate_limited' }))).toBe(1);
    // 02:00 UTC: the quota renews 22 hours later.
    expect(retryAfterSecondsOf(call(0, { httpStatus: 429, problemCode: 'quota_exhausted' }))).toBe(22 * 3600);
    // What the journal recorded wins over what would be derived.
    expect(retryAfterSecondsOf(call(0, { httpStatus: 429, problemCode: 'rate_limited', retryAfterSeconds: 30 }))).toBe(30);
  });
});

describe('the checklist', () => {
  it('passes a backoff after a 503 and a client that gives up; fails an immediate retry and a shrinking wait', () => {
    expect(itemOf([fault('unavailable', 0), call(6_000)], 'after_unavailable')).toMatchObject({ status: 'passed', instances: 1, failures: 0 });
    expect(itemOf([fault('unavailable', 0)], 'after_unavailable').evidence[0].finding).toMatch(/gave up/);
    const immediate = itemOf([fault('unavailable', 0), call(200)], 'after_unavailable');
    expect(immediate).toMatchObject({ status: 'failed', failures: 1 });
    expect(immediate.evidence[0]).toMatchObject({ passed: false, finding: 'retried 200 ms later (at least 1000 ms expected)', next: [expect.objectContaining({ gapMs: 200, sameRequestId: true })] });
    const shrinking = itemOf([fault('server_error', 0), fault('server_error', 4_000), call(5_500)], 'after_server_error');
    expect(shrinking).toMatchObject({ status: 'failed', failures: 1 });
    expect(shrinking.evidence[0].finding).toBe('no backoff: waited 1500 ms after waiting 4000 ms before');
    expect(itemOf([fault('server_error', 0), fault('server_error', 2_000), call(6_000)], 'after_server_error')).toMatchObject({ status: 'passed', instances: 2 });
  });

  it('calls more than five retries a flood, whatever their gaps', () => {
    const calls = [fault('timeout', 0), ...[1, 2, 3, 4, 5, 6].map((n) => fault('timeout', n * 2_000))];
    // Failures come first in the evidence: the first timeout's six failed retries are the flood.
    expect(itemOf(calls, 'after_timeout')).toMatchObject({ status: 'failed', failures: 1 });
    expect(itemOf(calls, 'after_timeout').evidence[0]).toMatchObject({ callId: calls[0].callId, finding: 'flooded: more than 5 retries within 10 min' });
    // Five failed retries and then an answer: not a flood.
    expect(itemOf([...calls.slice(0, 5), call(12_000)], 'after_timeout').evidence.map((e) => e.finding)).not.toContainEqual(expect.stringMatching(/flooded/));
  });

  it('ends a retry chain at the first answer: the same request sent again afterwards is a new request, not a flood', () => {
    const calls = [fault('unavailable', 0), call(2_000), ...[1, 2, 3, 4, 5, 6].map((n) => call(2_000 + n * 10_000))];
    expect(itemOf(calls, 'after_unavailable')).toMatchObject({ status: 'passed', evidence: [expect.objectContaining({ finding: 'retried 2000 ms later, 1 retry in the window' })] });
  });

  it('fails a retry before the Retry-After of a 429', () => {
    expect(itemOf([fault('rate_limited', 0), call(999)], 'after_rate_limited')).toMatchObject({ status: 'failed' });
    expect(itemOf([fault('rate_limited', 0), call(1_000)], 'after_rate_limited')).toMatchObject({ status: 'passed' });
    expect(itemOf([fault('rate_limited', 0, { retryAfterSeconds: 30 }), call(5_000)], 'after_rate_limited').evidence[0].finding).toBe('retried 5000 ms later, before the Retry-After of 30 s');
  });

  it('finds a retry by fingerprint and fails it when its request id changed', () => {
    const item = itemOf([fault('server_error', 0), call(2_000, { requestId: 'req-b' })], 'same_request_id_on_retry');
    expect(item).toMatchObject({ status: 'failed', evidence: [expect.objectContaining({ finding: 'retried as req-b, not req-a' })] });
    expect(itemOf([fault('server_error', 0), call(2_000)], 'same_request_id_on_retry')).toMatchObject({ status: 'passed' });
  });

  it('fails asking again after a 404, by fingerprint or by request id, and not after the retry window', () => {
    const notFound = (at: number, overrides: Partial<ScenarioCall> = {}) => call(at, { outcome: 'not_found', httpStatus: 404, problemCode: 'citizen_not_found', ...overrides });
    expect(itemOf([notFound(0), notFound(3_000)], 'stops_after_permanent_error')).toMatchObject({ status: 'failed', failures: 1, instances: 2 });
    expect(itemOf([notFound(0), notFound(3_000, { fingerprint: 'e'.repeat(64) })], 'stops_after_permanent_error')).toMatchObject({ status: 'failed' });
    expect(itemOf([notFound(0), notFound(11 * 60_000)], 'stops_after_permanent_error')).toMatchObject({ status: 'passed', instances: 2 });
    expect(itemOf([call(0, { outcome: 'rate_limited', httpStatus: 429 }), call(2_000)], 'stops_after_permanent_error')).toMatchObject({ status: 'not_exercised' });
  });

  it("fails a call naming a field outside the service's allow-list", () => {
    expect(itemOf([call(0, { fieldsRequested: ['fullName', 'religion'] })], 'fields_within_allow_list')).toMatchObject({ status: 'failed', evidence: [expect.objectContaining({ finding: 'asked for religion outside the allow-list' })] });
    expect(itemOf([call(0)], 'fields_within_allow_list')).toMatchObject({ status: 'passed' });
  });

  it('reads calls after the period only as what the client did after the calls of the period', () => {
    const late = call(PERIOD.to.getTime() - T0 + 500, { outcome: 'not_found', httpStatus: 404 });
    const report = judgeService(SERVICE, [fault('unavailable', PERIOD.to.getTime() - T0), late], PERIOD, PERSONAS);
    expect(report.calls).toBe(1);
    expect(report.checklist.find((entry) => entry.item === 'after_unavailable')).toMatchObject({ status: 'failed' });
    expect(report.checklist.find((entry) => entry.item === 'stops_after_permanent_error')).toMatchObject({ status: 'not_exercised' });
  });

  it('gives a verdict: untested without calls or with items not exercised, not_ready when one failed, ready when all passed', () => {
    expect(judgeService(SERVICE, [], PERIOD, PERSONAS)).toMatchObject({ verdict: 'untested', reason: 'No calls of this service in the period.' });
    expect(judgeService(SERVICE, [call(0)], PERIOD, PERSONAS)).toMatchObject({ verdict: 'untested', reason: expect.stringContaining('after_unavailable') });
    expect(judgeService(SERVICE, [fault('unavailable', 0), call(100)], PERIOD, PERSONAS)).toMatchObject({ verdict: 'not_ready', reason: 'Failed: after_unavailable.' });
    const minute = 60_000;
    const wellBehaved = FAULT_KINDS.flatMap((kind, n) => [fault(kind, n * 15 * minute, { fingerprint: String(n).repeat(64), requestId: `r-${n}` }), call(n * 15 * minute + 6_000, { fingerprint: String(n).repeat(64), requestId: `r-${n}` })]);
    const notFound = call(200 * minute, { outcome: 'not_found', httpStatus: 404, fingerprint: 'n'.repeat(64), requestId: 'r-404' });
    const report = judgeService(SERVICE, [...wellBehaved, notFound], { from: PERIOD.from, to: new Date(T0 + 300 * minute) }, PERSONAS);
    expect(report.checklist.map((entry) => [entry.item, entry.status])).toEqual(CHECKLIST.map((entry) => [entry.item, 'passed']));
    expect(report).toMatchObject({ verdict: 'ready', reason: 'Every checklist item was exercised and passed.' });
  });

  it('shows the persona scenarios met, with their last call, and those not met', () => {
    const report = judgeService(SERVICE, [call(0, { personaKey: 'deceased' }), call(1_000, { personaKey: 'deceased', operation: 'verify' })], PERIOD, PERSONAS);
    expect(report.personas.exercised).toEqual([
      expect.objectContaining({ operation: 'lookup', personaKey: 'deceased', calls: 1 }),
      expect.objectContaining({ operation: 'verify', personaKey: 'deceased', calls: 1 }),
    ]);
    expect(report.personas.total).toBe(report.personas.exercised.length + report.personas.notExercised.length);
    expect(report.personas.notExercised).toContainEqual(expect.objectContaining({ operation: 'verify', personaKey: 'missing' }));
  });
});
