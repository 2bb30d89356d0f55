import {
  BACKOFF_JITTER_SHARE,
  CHECKLIST,
  FAULT_SCENARIOS,
  MAX_RETRIES,
  MIN_RETRY_GAP_MS,
  RETRY_WINDOW_MS,
  faultScenarioOf,
  isPermanentError,
  personaScenarios,
  retryAfterSecondsOf,
  type ChecklistItemId,
  type FaultRule,
  type PersonaScenario,
  type ScenarioCall,
  type ScenarioService,
} from './readiness-scenarios.js';
import type { Persona } from '../sandbox/population/personas.js';

/** Evidence entries kept per checklist item: every failure first, then the latest passes, up to this many. */
export const MAX_EVIDENCE = 5;
/** Follow-up calls shown per evidence entry. */
const MAX_FOLLOW_UPS = 3;

export type ItemStatus = 'passed' | 'failed' | 'not_exercised';
export type ServiceVerdict = 'ready' | 'not_ready' | 'untested';

/** A later call of the same request (same fingerprint or same request id) within RETRY_WINDOW_MS. */
export interface FollowUp {
  callId: string;
  at: string;
  gapMs: number;
  requestId: string;
  sameRequestId: boolean;
  sameFingerprint: boolean;
  outcome: string;
  httpStatus: number | null;
}

/** One call that put a checklist item to the test, what came after it, and what was found. */
export interface Evidence {
  callId: string;
  at: string;
  requestId: string;
  operation: string;
  outcome: string;
  httpStatus: number | null;
  problemCode: string | null;
  faultKind: string | null;
  passed: boolean;
  finding: string;
  next: FollowUp[];
}

export interface ChecklistResult {
  item: ChecklistItemId;
  title: string;
  expected: string;
  status: ItemStatus;
  /** Calls that put the item to the test. */
  instances: number;
  failures: number;
  evidence: Evidence[];
}

export interface PersonaCoverage {
  total: number;
  exercised: (Pick<PersonaScenario, 'operation' | 'personaKey' | 'title'> & { calls: number; lastCallId: string; lastAt: string })[];
  notExercised: Pick<PersonaScenario, 'operation' | 'personaKey' | 'title' | 'observableFields'>[];
}

export interface ServiceReadiness {
  serviceCode: string;
  verdict: ServiceVerdict;
  reason: string;
  calls: number;
  checklist: ChecklistResult[];
  personas: PersonaCoverage;
}

interface Instance {
  call: ScenarioCall;
  passed: boolean;
  finding: string;
  next: ScenarioCall[];
}

/**
 * The readiness of one consumer for one service, from its calls of that service in time order. `calls` may run past
 * `period.to` by up to RETRY_WINDOW_MS: those later calls are read only as what the client did after a call of the
 * period. Follow-ups are counted up to MAX_RETRIES + 1 per fingerprint and per request id (what a flood needs). Pure: the same calls always give the same answer.
 */
export function judgeService(
  service: ScenarioService,
  calls: readonly ScenarioCall[],
  period: { from: Date; to: Date },
  personas: readonly Pick<Persona, 'key' | 'title' | 'specialFields'>[],
): ServiceReadiness {
  const inPeriod = calls.filter((call) => call.receivedAt >= period.from && call.receivedAt <= period.to);
  const followUps = followUpsOf(calls);
  const previous = previousOf(calls, followUps);
  const instances = new Map<ChecklistItemId, Instance[]>(CHECKLIST.map(({ item }) => [item, []]));
  const allowed = new Set(service.allowedFields);

  for (const call of inPeriod) {
    const next = followUps.get(call) ?? [];
    const kind = faultScenarioOf(call);
    if (kind) {
      const scenario = FAULT_SCENARIOS.find((s) => s.kind === kind)!;
      instances.get(scenario.item)!.push({ call, next, ...judgeFault(scenario.rule, call, next, previous.get(call)) });
      if (next.length > 0 && next[0].fingerprint === call.fingerprint) {
        const kept = next[0].requestId === call.requestId;
        instances.get('same_request_id_on_retry')!.push({
          call,
          next,
          passed: kept,
          finding: kept ? `retried with the same request id ${call.requestId}` : `retried as ${next[0].requestId}, not ${call.requestId}`,
        });
      }
    }
    if (isPermanentError(call)) {
      instances.get('stops_after_permanent_error')!.push({
        call,
        next,
        passed: next.length === 0,
        finding:
          next.length === 0
            ? `stopped after ${call.httpStatus} ${call.problemCode ?? ''}`.trim()
            : `sent the request again ${next.length} time(s) after ${call.httpStatus} ${call.problemCode ?? ''}, first ${gapOf(call, next[0])} ms later`,
      });
    }
    const outside = call.fieldsRequested.filter((field) => !allowed.has(field));
    if (call.problemCode === 'fields_not_allowed' || outside.length > 0) {
      instances.get('fields_within_allow_list')!.push({ call, next, passed: false, finding: `asked for ${outside.join(', ') || 'fields'} outside the allow-list` });
    } else if (call.fieldsRequested.length > 0) {
      instances.get('fields_within_allow_list')!.push({ call, next, passed: true, finding: `asked for ${call.fieldsRequested.length} allowed field(s)` });
    }
  }

  const checklist = CHECKLIST.map(({ item, title, expected }): ChecklistResult => {
    const found = instances.get(item)!;
    const failures = found.filter((instance) => !instance.passed);
    const passes = found.filter((instance) => instance.passed);
    const shown = [...failures.slice(0, MAX_EVIDENCE), ...passes.slice(-Math.max(0, MAX_EVIDENCE - failures.length)).reverse()].slice(0, MAX_EVIDENCE);
    return {
      item,
      title,
      expected,
      status: found.length === 0 ? 'not_exercised' : failures.length > 0 ? 'failed' : 'passed',
      instances: found.length,
      failures: failures.length,
      evidence: shown.map(evidenceOf),
    };
  });
  return { serviceCode: service.code, ...verdictOf(inPeriod.length, checklist), calls: inPeriod.length, checklist, personas: personaCoverage(service, inPeriod, personas) };
}

function verdictOf(calls: number, checklist: ChecklistResult[]): { verdict: ServiceVerdict; reason: string } {
  const failed = checklist.filter((item) => item.status === 'failed').map((item) => item.item);
  const untried = checklist.filter((item) => item.status === 'not_exercised').map((item) => item.item);
  if (calls === 0) return { verdict: 'untested', reason: 'No calls of this service in the period.' };
  if (failed.length > 0) return { verdict: 'not_ready', reason: `Failed: ${failed.join(', ')}.` };
  if (untried.length > 0) return { verdict: 'untested', reason: `Nothing failed, but not exercised yet: ${untried.join(', ')}.` };
  return { verdict: 'ready', reason: 'Every checklist item was exercised and passed.' };
}

function gapOf(from: ScenarioCall, to: ScenarioCall): number {
  return to.receivedAt.getTime() - from.receivedAt.getTime();
}

/**
 * Judges what a client did after one fault. No later call of the same request: it gave up, which every rule accepts.
 * Otherwise the first retry must come at least MIN_RETRY_GAP_MS later (`retry_after`: at least the Retry-After
 * given), there must be at most MAX_RETRIES of them in the window, and, for `backoff`, a failed call that was itself
 * a retry must be followed by a wait no shorter than BACKOFF_JITTER_SHARE of the wait before it.
 */
function judgeFault(rule: FaultRule, call: ScenarioCall, next: ScenarioCall[], before: ScenarioCall | undefined): { passed: boolean; finding: string } {
  if (next.length === 0) return { passed: true, finding: `gave up: no retry within ${RETRY_WINDOW_MS / 60_000} min` };
  const gap = gapOf(call, next[0]);
  if (rule === 'retry_after') {
    const wait = (retryAfterSecondsOf(call) ?? 0) * 1000;
    return gap >= wait
      ? { passed: true, finding: `retried ${gap} ms later, after the Retry-After of ${wait / 1000} s` }
      : { passed: false, finding: `retried ${gap} ms later, before the Retry-After of ${wait / 1000} s` };
  }
  if (next.length > MAX_RETRIES) return { passed: false, finding: `flooded: more than ${MAX_RETRIES} retries within ${RETRY_WINDOW_MS / 60_000} min` };
  if (gap < MIN_RETRY_GAP_MS) return { passed: false, finding: `retried ${gap} ms later (at least ${MIN_RETRY_GAP_MS} ms expected)` };
  if (rule === 'backoff' && before) {
    const waitedBefore = gapOf(before, call);
    if (gap < waitedBefore * BACKOFF_JITTER_SHARE) return { passed: false, finding: `no backoff: waited ${gap} ms after waiting ${waitedBefore} ms before` };
    return { passed: true, finding: `backed off: waited ${gap} ms after waiting ${waitedBefore} ms before` };
  }
  return { passed: true, finding: `retried ${gap} ms later, ${next.length} retr${next.length === 1 ? 'y' : 'ies'} in the window` };
}

/**
 * Every call's later calls of the same request within RETRY_WINDOW_MS, in time order. One pass with a sliding
 * window per fingerprint and per request id: linear in the calls, whatever the period.
 */
function followUpsOf(calls: readonly ScenarioCall[]): Map<ScenarioCall, ScenarioCall[]> {
  const byKey = new Map<string, ScenarioCall[]>();
  for (const call of calls) {
    for (const key of [`f:${call.fingerprint}`, `r:${call.requestId}`]) {
      const list = byKey.get(key);
      if (list) list.push(call);
      else byKey.set(key, [call]);
    }
  }
  const result = new Map<ScenarioCall, ScenarioCall[]>();
  for (const list of byKey.values()) {
    for (let i = 0; i < list.length; i += 1) {
      const call = list[i];
      const limit = call.receivedAt.getTime() + RETRY_WINDOW_MS;
      const found = result.get(call) ?? [];
      // Enough to tell a flood (more than MAX_RETRIES) from a few retries: a run of identical calls stays linear.
      for (let j = i + 1, taken = 0; j < list.length && taken <= MAX_RETRIES && list[j].receivedAt.getTime() <= limit; j += 1, taken += 1) {
        if (!found.includes(list[j])) found.push(list[j]);
      }
      result.set(call, found);
    }
  }
  for (const [call, found] of result) {
    found.sort((a, b) => a.receivedAt.getTime() - b.receivedAt.getTime() || a.callId.localeCompare(b.callId));
    // A retry chain ends at the first call that got an answer: the same request sent again after that (the same
    // citizen asked about once more, a page read again) is a new request, not a retry, and no flood.
    const answered = found.findIndex((next) => !faultScenarioOf(next) && !isPermanentError(next));
    if (answered >= 0) result.set(call, found.slice(0, answered + 1));
  }
  return result;
}

/** The failed call that each call retried (the nearest earlier one of the same request that met a fault), if any. */
function previousOf(calls: readonly ScenarioCall[], followUps: Map<ScenarioCall, ScenarioCall[]>): Map<ScenarioCall, ScenarioCall> {
  const result = new Map<ScenarioCall, ScenarioCall>();
  for (const call of calls) {
    if (!faultScenarioOf(call)) continue;
    const next = followUps.get(call)?.[0];
    if (next && !result.has(next)) result.set(next, call);
  }
  return result;
}

function evidenceOf(instance: Instance): Evidence {
  const { call } = instance;
  return {
    callId: call.callId,
    at: call.receivedAt.toISOString(),
    requestId: call.requestId,
    operation: call.operation,
    outcome: call.outcome,
    httpStatus: call.httpStatus,
    problemCode: call.problemCode,
    faultKind: call.faultKind,
    passed: instance.passed,
    finding: instance.finding,
    next: instance.next.slice(0, MAX_FOLLOW_UPS).map((later) => ({
      callId: later.callId,
      at: later.receivedAt.toISOString(),
      gapMs: gapOf(call, later),
      requestId: later.requestId,
      sameRequestId: later.requestId === call.requestId,
      sameFingerprint: later.fingerprint === call.fingerprint,
      outcome: later.outcome,
      httpStatus: later.httpStatus,
    })),
  };
}

function personaCoverage(service: ScenarioService, calls: readonly ScenarioCall[], personas: readonly Pick<Persona, 'key' | 'title' | 'specialFields'>[]): PersonaCoverage {
  const scenarios = personaScenarios(service, personas);
  const met = new Map<string, { calls: number; last: ScenarioCall }>();
  for (const call of calls) {
    if (!call.personaKey) continue;
    const key = `${call.operation}|${call.personaKey}`;
    const seen = met.get(key);
    met.set(key, { calls: (seen?.calls ?? 0) + 1, last: call });
  }
  const exercised: PersonaCoverage['exercised'] = [];
  const notExercised: PersonaCoverage['notExercised'] = [];
  for (const scenario of scenarios) {
    const seen = met.get(`${scenario.operation}|${scenario.personaKey}`);
    if (seen) exercised.push({ operation: scenario.operation, personaKey: scenario.personaKey, title: scenario.title, calls: seen.calls, lastCallId: seen.last.callId, lastAt: seen.last.receivedAt.toISOString() });
    else notExercised.push({ operation: scenario.operation, personaKey: scenario.personaKey, title: scenario.title, observableFields: scenario.observableFields });
  }
  return { total: scenarios.length, exercised, notExercised };
}
