import { describe, expect, it } from '@jest/globals';
import { ValidationFailedError } from '../common/domain-error.js';
import { parseInput } from '../common/validation.js';
import { decideFault, type DecisionPoint } from './fault-decision.js';
import { parseFaultHeader } from './fault-kinds.js';
import { faultProfileSchema, toFaultProfile, type FaultProfileInput } from './fault-profile.js';

const profileOf = (input: FaultProfileInput) => toFaultProfile(parseInput(faultProfileSchema, input));
const point = (overrides: Partial<DecisionPoint> = {}): DecisionPoint => ({
  scope: 'SANDBOX-ALL',
  sequence: 1,
  attempt: null,
  fallback: false,
  callId: '01938a1e-7c2a-7d4e-9b1f-3c5e8a0f2d41',
  nowMs: Date.parse('2026-12-01T02:00:30Z'),
  ...overrides,
});
const kindsOver = (input: FaultProfileInput, count: number, overrides: Partial<DecisionPoint> = {}) => {
  const profile = profileOf(input);
  return Array.from({ length: count }, (_, i) => decideFault(profile, point({ sequence: i + 1, ...overrides })).fault?.kind ?? null);
};
const errorFaultProblems = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationFailedError);
    return (error as ValidationFailedError).errors;
  }
  throw new Error('expected a ValidationFailedError');
};

describe('decideFault: a pure function of seed, scope, sequence, attempt and wall clock', () => {
  const profile: FaultProfileInput = { seed: 'replay', errors: [{ kind: 'unavailable', probability: 0.3 }, { kind: 'reset', probability: 0.2 }] };

  it('replays: the same seed and sequence numbers give the same decisions; another seed or scope gives others', () => {
    const run = kindsOver(profile, 200);
    expect(kindsOver(profile, 200)).toEqual(run);
    expect(kindsOver({ ...profile, seed: 'other' }, 200)).not.toEqual(run);
    expect(kindsOver(profile, 200, { scope: '1.001456' })).not.toEqual(run);
    // The call id does not matter while the call is counted.
    expect(kindsOver(profile, 200, { callId: 'another-call' })).toEqual(run);
  });

  it('draws each kind with its probability (one draw, the kinds stacked), and never a kind of probability 0', () => {
    const kinds = kindsOver(profile, 20_000);
    const share = (kind: string | null) => kinds.filter((k) => k === kind).length / kinds.length;
    expect(share('unavailable')).toBeCloseTo(0.3, 1);
    expect(share('reset')).toBeCloseTo(0.2, 1);
    expect(share(null)).toBeCloseTo(0.5, 1);
    expect(kindsOver({ errors: [{ kind: 'server_error', probability: 0 }] }, 5_000).filter(Boolean)).toEqual([]);
  });

  it('fails the first N attempts of a request, then answers', () => {
    const failFirst: FaultProfileInput = { failFirst: { attempts: 2, kind: 'rate_limited', retryAfterSeconds: 3 } };
    const decisions = [1, 2, 3, 4].map((attempt) => decideFault(profileOf(failFirst), point({ sequence: null, attempt })));
    expect(decisions.map((d) => d.fault)).toEqual([
      { kind: 'rate_limited', params: { retryAfterSeconds: 3 } },
      { kind: 'rate_limited', params: { retryAfterSeconds: 3 } },
      null,
      null,
    ]);
    expect(decisions[0].rule).toBe('fail_first');
  });

  it('fails every nth call of the scope', () => {
    const kinds = kindsOver({ everyNth: { n: 3, kind: 'server_error' } }, 9);
    expect(kinds).toEqual([null, null, 'server_error', null, null, 'server_error', null, null, 'server_error']);
  });

  it('fails every call inside an outage window, recurring (M seconds in every N minutes, epoch-aligned) or from-to', () => {
    const recurring = profileOf({ outages: [{ everyMinutes: 10, forSeconds: 60, kind: 'timeout', afterMs: 500 }] });
    expect(decideFault(recurring, point({ nowMs: Date.parse('2026-12-01T02:10:59.999Z') })).fault).toEqual({ kind: 'timeout', params: { afterMs: 500 } });
    expect(decideFault(recurring, point({ nowMs: Date.parse('2026-12-01T02:11:00Z') })).fault).toBeNull();
    const window = profileOf({ outages: [{ from: '2026-12-01T09:00:00+07:00', to: '2026-12-01T09:05:00+07:00' }] });
    expect(decideFault(window, point({ nowMs: Date.parse('2026-12-01T02:04:00Z') })).fault?.kind).toBe('unavailable');
    expect(decideFault(window, point({ nowMs: Date.parse('2026-12-01T02:05:00Z') })).fault).toBeNull();
  });

  it('without counters (Redis down) draws by the call id: deterministic per call, the same rates', () => {
    const byCall = (callId: string) => decideFault(profileOf(profile), point({ sequence: null, fallback: true, callId })).fault?.kind ?? null;
    expect(byCall('call-a')).toBe(byCall('call-a'));
    const kinds = Array.from({ length: 10_000 }, (_, i) => byCall(`call-${i}`));
    expect(kinds.filter((k) => k === 'unavailable').length / kinds.length).toBeCloseTo(0.3, 1);
    // failFirst cannot count: it fails N/(N+1) of the calls, what a client retrying until answered would meet.
    const failFirst = Array.from({ length: 10_000 }, (_, i) => decideFault(profileOf({ failFirst: { attempts: 2 } }), point({ sequence: null, fallback: true, callId: `c${i}` })).fault);
    expect(failFirst.filter(Boolean).length / failFirst.length).toBeCloseTo(2 / 3, 1);
    // An in-process caller that knows its attempt number gets the exact rule.
    expect(decideFault(profileOf({ failFirst: { attempts: 2 } }), point({ sequence: null, fallback: true, attempt: 3 })).fault).toBeNull();
  });

  it('draws latency: fixed, uniform between two values, lognormal with the given median and p99', () => {
    expect(decideFault(profileOf({ latency: { distribution: 'fixed', ms: 250 } }), point()).latencyMs).toBe(250);
    const uniform = Array.from({ length: 2_000 }, (_, i) => decideFault(profileOf({ latency: { distribution: 'uniform', minMs: 100, maxMs: 200 } }), point({ sequence: i })).latencyMs);
    expect(Math.min(...uniform)).toBeGreaterThanOrEqual(100);
    expect(Math.max(...uniform)).toBeLessThanOrEqual(200);
    const lognormal = Array.from({ length: 20_000 }, (_, i) => decideFault(profileOf({ latency: { distribution: 'lognormal', medianMs: 80, p99Ms: 900 } }), point({ sequence: i })).latencyMs).sort((a, b) => a - b);
    expect(lognormal[10_000]).toBeGreaterThan(72);
    expect(lognormal[10_000]).toBeLessThan(88);
    expect(lognormal[19_800]).toBeGreaterThan(750);
    expect(lognormal[19_800]).toBeLessThan(1_080);
  });
});

describe('fault profiles and X-Sandbox-Fault are validated, each problem naming the field and rule', () => {
  it('refuses a profile listing every broken rule', () => {
    const errors = errorFaultProblems(() =>
      parseInput(faultProfileSchema, {
        errors: [{ kind: 'unavailable', probability: 0.7 }, { kind: 'rate_limited', probability: 0.5, afterMs: 10 }, { kind: 'teapot', probability: 0.1 }],
        latency: { distribution: 'lognormal', medianMs: 100 },
        outages: [{ everyMinutes: 1, forSeconds: 60 }],
        everyNth: { n: 0 },
        extra: true,
      }),
    );
    expect(errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ field: 'errors.1.afterMs', rule: 'unknown_parameter', message: 'is not a parameter of rate_limited (valid: kind, probability, retryAfterSeconds)' }),
        expect.objectContaining({ field: 'errors.2.kind', rule: 'enum' }),
        expect.objectContaining({ field: 'latency.p99Ms', rule: 'required' }),
        expect.objectContaining({ field: 'outages.0.forSeconds', rule: 'range' }),
        expect.objectContaining({ field: 'everyNth.n', rule: 'min' }),
        expect.objectContaining({ field: 'extra', rule: 'unknown_property' }),
      ]),
    );
    expect(errorFaultProblems(() => parseInput(faultProfileSchema, { errors: [{ kind: 'unavailable', probability: 0.7 }, { kind: 'reset', probability: 0.5 }] }))).toEqual([
      expect.objectContaining({ field: 'errors', rule: 'probability_sum' }),
    ]);
  });

  it('parses X-Sandbox-Fault: kind[; param=value], defaults applied', () => {
    expect(parseFaultHeader('timeout; afterMs=2000')).toEqual({ kind: 'timeout', params: { afterMs: 2000 } });
    expect(parseFaultHeader('rate_limited')).toEqual({ kind: 'rate_limited', params: { retryAfterSeconds: 1 } });
    expect(parseFaultHeader(' Reset ')).toEqual({ kind: 'reset', params: {} });
  });

  it('refuses an unknown kind or parameter, naming the valid ones, and a bad value naming its rule', () => {
    expect(errorFaultProblems(() => parseFaultHeader('teapot'))).toEqual([
      { field: 'header.X-Sandbox-Fault', rule: 'enum', message: '"teapot" is not a fault kind; valid kinds: unavailable, rate_limited, server_error, timeout, reset, malformed, slow_body' },
    ]);
    expect(errorFaultProblems(() => parseFaultHeader('timeout; durationMs=5'))).toEqual([
      { field: 'header.X-Sandbox-Fault', rule: 'unknown_parameter', message: '"durationMs" is not a parameter of timeout; valid: afterMs' },
    ]);
    expect(errorFaultProblems(() => parseFaultHeader('reset; afterMs=5'))[0].message).toMatch(/valid: none/);
    expect(errorFaultProblems(() => parseFaultHeader('timeout; afterMs=soon'))).toEqual([expect.objectContaining({ field: 'header.X-Sandbox-Fault.afterMs', rule: 'type' })]);
    expect(errorFaultProblems(() => parseFaultHeader('timeout; afterMs=999999'))).toEqual([expect.objectContaining({ field: 'header.X-Sandbox-Fault.afterMs', rule: 'max' })]);
  });
});
