import { z } from 'zod';
import { ValidationFailedError } from '../common/domain-error.js';
import { fieldErrorsOf } from '../common/validation.js';

/** Every simulated fault. The first five stand for a failure before the registry answers, the last two after it. */
export const FAULT_KINDS = ['unavailable', 'rate_limited', 'server_error', 'timeout', 'reset', 'malformed', 'slow_body'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/**
 * When a kind strikes. `before_registry`: the registry never sees the call, reads no citizen data, and the call
 * leaves one journal row and no audit row. `after_answer`: the registry answers (audited and journaled as served),
 * and the answer is then spoiled or slowed on its way out.
 */
export type FaultPhase = 'before_registry' | 'after_answer';

/** The journal outcome classes a simulated failure can have (a subset of the journal's). */
export type FaultOutcome = 'unavailable' | 'rate_limited' | 'server_error' | 'timeout';

/** A numeric parameter of a kind: its bounds, default and meaning. */
export interface FaultParameter {
  min: number;
  max: number;
  default: number;
  description: string;
}

/** What one kind does, over HTTP and to an in-process caller; GET /sandbox/fault-kinds serves this. */
export interface FaultKindDescription {
  kind: FaultKind;
  phase: FaultPhase;
  parameters: Record<string, FaultParameter>;
  /** Exactly what an HTTP client sees. */
  wire: string;
  /** The call's journal row: outcome, HTTP status (null: nothing was answered), problem code. */
  journal: { outcome: FaultOutcome | 'ok' | 'mismatch' | 'not_found'; httpStatus: number | null; problemCode: string | null };
  /** What an in-process caller (a portal job) meets: a transient failure is worth a retry; and how long it waits first. */
  inProcess: { failure: 'transient' | 'permanent' | 'none'; delay: string; errorCode: string | null };
}

/** The Retry-After every 503 carries (the problem filter's, as for a real outage). */
export const OUTAGE_RETRY_AFTER_SECONDS = 5;

export const FAULT_CATALOG: Record<FaultKind, FaultKindDescription> = {
  unavailable: {
    kind: 'unavailable',
    phase: 'before_registry',
    parameters: {},
    wire: `503 application/problem+json, code service_unavailable, Retry-After: ${OUTAGE_RETRY_AFTER_SECONDS} (the same answer as a real outage), X-Sandbox-Fault-Applied.`,
    journal: { outcome: 'unavailable', httpStatus: 503, problemCode: 'service_unavailable' },
    inProcess: { failure: 'transient', delay: 'none', errorCode: 'service_unavailable' },
  },
  rate_limited: {
    kind: 'rate_limited',
    phase: 'before_registry',
    parameters: { retryAfterSeconds: { min: 1, max: 3600, default: 1, description: 'the Retry-After value, in seconds' } },
    wire: '429 application/problem+json, code rate_limited, Retry-After: retryAfterSeconds, X-Sandbox-Fault-Applied.',
    journal: { outcome: 'rate_limited', httpStatus: 429, problemCode: 'rate_limited' },
    inProcess: { failure: 'transient', delay: 'none (the error carries retryAfterSeconds)', errorCode: 'rate_limited' },
  },
  server_error: {
    kind: 'server_error',
    phase: 'before_registry',
    parameters: {},
    wire: '500 application/problem+json, code internal_error, X-Sandbox-Fault-Applied.',
    journal: { outcome: 'server_error', httpStatus: 500, problemCode: 'internal_error' },
    inProcess: { failure: 'transient', delay: 'none', errorCode: 'internal_error' },
  },
  timeout: {
    kind: 'timeout',
    phase: 'before_registry',
    parameters: { afterMs: { min: 1, max: 120_000, default: 30_000, description: 'how long the connection is held, in milliseconds' } },
    wire: 'No answer at all: not a byte is written; the connection is held for afterMs, then closed (FIN). A client with a shorter timeout gives up first.',
    journal: { outcome: 'timeout', httpStatus: null, problemCode: null },
    inProcess: { failure: 'transient', delay: 'afterMs, then the error', errorCode: 'timeout' },
  },
  reset: {
    kind: 'reset',
    phase: 'before_registry',
    parameters: {},
    wire: 'No answer: the TCP connection is reset (RST, socket.resetAndDestroy()); the client reads ECONNRESET.',
    journal: { outcome: 'unavailable', httpStatus: null, problemCode: null },
    inProcess: { failure: 'transient', delay: 'none', errorCode: 'connection_reset' },
  },
  malformed: {
    kind: 'malformed',
    phase: 'after_answer',
    parameters: {},
    wire: '200 with the served answer cut to its first half (same Content-Type, a matching Content-Length): JSON.parse fails. X-Sandbox-Fault-Applied.',
    journal: { outcome: 'ok', httpStatus: 200, problemCode: null },
    inProcess: { failure: 'transient', delay: 'none (after the registry answered: audited and journaled)', errorCode: 'malformed_answer' },
  },
  slow_body: {
    kind: 'slow_body',
    phase: 'after_answer',
    parameters: { durationMs: { min: 1, max: 60_000, default: 5_000, description: 'how long the body takes to arrive, in milliseconds' } },
    wire: '200 with the headers at once and the body in 10 chunked pieces spread evenly over durationMs (Transfer-Encoding: chunked). X-Sandbox-Fault-Applied.',
    journal: { outcome: 'ok', httpStatus: 200, problemCode: null },
    inProcess: { failure: 'none', delay: 'durationMs, then the answer', errorCode: null },
  },
};

/** Latency is not a kind of failure but is described alongside the kinds. */
export const LATENCY_DESCRIPTION = {
  phase: 'after_answer' as const,
  distributions: {
    fixed: 'ms',
    uniform: 'minMs to maxMs, uniformly',
    lognormal: 'medianMs and p99Ms (sigma = ln(p99Ms / medianMs) / 2.3263)',
  },
  maxMs: 60_000,
  wire: 'The served answer is delayed by the drawn latency after its audit and journal commit (no database connection is held); X-Sandbox-Fault-Applied: latency; ms=<drawn>.',
};

/** Every parameter name of any kind, so that a rule object may carry them. */
const PARAMETER_SCHEMAS = {
  retryAfterSeconds: z.number().int().min(1).max(3600).optional(),
  afterMs: z.number().int().min(1).max(120_000).optional(),
  durationMs: z.number().int().min(1).max(60_000).optional(),
};

/** A fault with its parameters, defaults applied. */
export interface FaultSpec {
  kind: FaultKind;
  params: Readonly<Record<string, number>>;
}

/** The fault spec of a rule object once validated: its parameters, defaults applied. */
function toSpec(value: { kind: FaultKind } & Record<string, unknown>): FaultSpec {
  const params: Record<string, number> = {};
  for (const [name, parameter] of Object.entries(FAULT_CATALOG[value.kind].parameters)) {
    params[name] = typeof value[name] === 'number' ? (value[name] as number) : parameter.default;
  }
  return { kind: value.kind, params };
}

/**
 * A rule object: `kind`, the kind's own parameters, and the rule's fields (`probability`, `attempts`, `n`, `from`...).
 * A parameter of another kind is refused with rule `unknown_parameter`, naming the valid ones; any other key with
 * `unknown_property`.
 */
export function faultRuleSchema<Shape extends z.ZodRawShape>(ruleFields: Shape, kinds: readonly FaultKind[] = FAULT_KINDS) {
  return refinedRule(z.strictObject({ ...ruleFields, kind: z.enum(kinds as [FaultKind, ...FaultKind[]]), ...PARAMETER_SCHEMAS }), Object.keys(ruleFields));
}

/** A rule object whose `kind` may be left out for `defaultKind`. */
export function defaultedFaultRuleSchema<Shape extends z.ZodRawShape>(ruleFields: Shape, kinds: readonly FaultKind[], defaultKind: FaultKind) {
  return refinedRule(z.strictObject({ ...ruleFields, kind: z.enum(kinds as [FaultKind, ...FaultKind[]]).optional(), ...PARAMETER_SCHEMAS }), Object.keys(ruleFields), defaultKind);
}

function refinedRule<Rule extends z.ZodType>(rule: Rule, ruleFields: string[], defaultKind?: FaultKind) {
  return rule
    .superRefine(
      (value, context) => {
        if (value === null || typeof value !== 'object') return;
        const kind = (value as { kind?: unknown }).kind ?? defaultKind;
        if (typeof kind !== 'string' || !(FAULT_KINDS as readonly string[]).includes(kind)) return;
        const valid = ['kind', ...ruleFields, ...Object.keys(FAULT_CATALOG[kind as FaultKind].parameters)];
        for (const key of Object.keys(value)) {
          if (!valid.includes(key) && key in PARAMETER_SCHEMAS) {
            context.addIssue({ code: 'custom', path: [key], message: `is not a parameter of ${kind} (valid: ${valid.join(', ')})`, params: { rule: 'unknown_parameter' } });
          }
        }
      },
      { when: () => true },
    )
    .transform((value) => {
      const rule = value as z.output<Rule> & { kind?: FaultKind };
      return { ...rule, fault: toSpec({ ...rule, kind: (rule.kind ?? defaultKind)! }) } as z.output<Rule> & { fault: FaultSpec };
    });
}

const HEADER_FIELD = 'header.X-Sandbox-Fault';

/**
 * Parses `X-Sandbox-Fault: kind[; param=value]...` (a fault for that one call). An unknown kind or parameter is a
 * ValidationFailedError (400) naming the valid ones.
 */
export function parseFaultHeader(header: string): FaultSpec {
  const [kindText, ...parts] = header.split(';').map((part) => part.trim());
  const kind = kindText.toLowerCase();
  if (!(FAULT_KINDS as readonly string[]).includes(kind)) {
    throw fieldError(HEADER_FIELD, 'enum', `${JSON.stringify(kindText.slice(0, 40))} is not a fault kind; valid kinds: ${FAULT_KINDS.join(', ')}`);
  }
  const parameters = FAULT_CATALOG[kind as FaultKind].parameters;
  const input: Record<string, unknown> = { kind };
  for (const part of parts.filter((p) => p !== '')) {
    const [name, value] = part.split('=').map((text) => text.trim());
    if (!(name in parameters)) {
      const valid = Object.keys(parameters);
      throw fieldError(HEADER_FIELD, 'unknown_parameter', `${JSON.stringify(name.slice(0, 40))} is not a parameter of ${kind}; valid: ${valid.length ? valid.join(', ') : 'none'}`);
    }
    input[name] = value === undefined || value === '' ? Number.NaN : Number(value);
  }
  const result = faultRuleSchema({}).safeParse(input);
  if (!result.success) {
    const errors = fieldErrorsOf(result.error, HEADER_FIELD, input).map((error) => ({ ...error, field: error.field }));
    throw new ValidationFailedError(errors.map((e) => `${e.field}: ${e.message}`).join('; '), errors);
  }
  return result.data.fault;
}

function fieldError(field: string, rule: string, message: string): ValidationFailedError {
  return new ValidationFailedError(`${field}: ${message}`, [{ field, rule, message }]);
}

/** `kind; name=value; ...` as X-Sandbox-Fault-Applied shows a fault (and as X-Sandbox-Fault takes it). */
export function describeFault(kind: string, params: Readonly<Record<string, number>>): string {
  return [kind, ...Object.entries(params).map(([name, value]) => `${name}=${value}`)].join('; ');
}
