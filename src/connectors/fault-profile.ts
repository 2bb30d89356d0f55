import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { isoDateTimeSchema, safeText } from '../common/validation.js';
import { defaultedFaultRuleSchema, FAULT_CATALOG, FAULT_KINDS, faultRuleSchema, LATENCY_DESCRIPTION, type FaultKind, type FaultSpec } from './fault-kinds.js';

const PRE_ANSWER_KINDS = FAULT_KINDS.filter((kind) => FAULT_CATALOG[kind].phase === 'before_registry');

const milliseconds = z.number().int().min(0).max(LATENCY_DESCRIPTION.maxMs);

/** Which fields each latency distribution takes. */
const LATENCY_FIELDS = { fixed: ['ms'], uniform: ['minMs', 'maxMs'], lognormal: ['medianMs', 'p99Ms'] } as const;

const latencySchema = z
  .strictObject({
    distribution: z.enum(['fixed', 'uniform', 'lognormal']),
    ms: milliseconds.optional(),
    minMs: milliseconds.optional(),
    maxMs: milliseconds.optional(),
    medianMs: milliseconds.min(1).optional(),
    p99Ms: milliseconds.min(1).optional(),
  })
  .superRefine((latency, context) => {
    const wanted: readonly string[] = LATENCY_FIELDS[latency.distribution];
    for (const field of ['ms', 'minMs', 'maxMs', 'medianMs', 'p99Ms'] as const) {
      const present = latency[field] !== undefined;
      if (wanted.includes(field) && !present) context.addIssue({ code: 'custom', path: [field], message: `is required by the ${latency.distribution} distribution`, params: { rule: 'required' } });
      if (!wanted.includes(field) && present) {
        context.addIssue({ code: 'custom', path: [field], message: `is not a parameter of the ${latency.distribution} distribution (it takes: ${wanted.join(', ')})`, params: { rule: 'unknown_parameter' } });
      }
    }
    if (latency.distribution === 'uniform' && latency.minMs !== undefined && latency.maxMs !== undefined && latency.minMs > latency.maxMs) {
      context.addIssue({ code: 'custom', path: ['maxMs'], message: 'must not be below minMs', params: { rule: 'range' } });
    }
    if (latency.distribution === 'lognormal' && latency.medianMs !== undefined && latency.p99Ms !== undefined && latency.p99Ms < latency.medianMs) {
      context.addIssue({ code: 'custom', path: ['p99Ms'], message: 'must not be below medianMs', params: { rule: 'range' } });
    }
  });
export type LatencySpec = z.output<typeof latencySchema>;

const errorRuleSchema = faultRuleSchema({ probability: z.number().min(0).max(1).describe('Chance that a call meets this fault (0-1)') });
const failFirstSchema = defaultedFaultRuleSchema(
  { attempts: z.number().int().min(1).max(100).describe('Attempts of each distinct request that fail before it is answered') },
  FAULT_KINDS,
  'unavailable',
);
const everyNthSchema = defaultedFaultRuleSchema({ n: z.number().int().min(1).max(1_000_000).describe('Every nth call of the scope (n, 2n, 3n...) fails') }, FAULT_KINDS, 'unavailable');
const outageSchema = defaultedFaultRuleSchema(
  {
    from: isoDateTimeSchema('must be an ISO 8601 date-time with a time zone').optional(),
    to: isoDateTimeSchema('must be an ISO 8601 date-time with a time zone').optional(),
    everyMinutes: z.number().int().min(1).max(24 * 60).optional(),
    forSeconds: z.number().int().min(1).max(24 * 3600).optional(),
  },
  PRE_ANSWER_KINDS,
  'unavailable',
).superRefine((outage, context) => {
  const window = outage.from !== undefined || outage.to !== undefined;
  const recurring = outage.everyMinutes !== undefined || outage.forSeconds !== undefined;
  if (window === recurring) {
    context.addIssue({ code: 'custom', path: [], message: 'is either from and to, or everyMinutes and forSeconds', params: { rule: 'outage_shape' } });
    return;
  }
  if (window) {
    if (outage.from === undefined || outage.to === undefined) context.addIssue({ code: 'custom', path: [outage.from === undefined ? 'from' : 'to'], message: 'is required with the other', params: { rule: 'required' } });
    else if (Date.parse(outage.to) <= Date.parse(outage.from)) context.addIssue({ code: 'custom', path: ['to'], message: 'must be after from', params: { rule: 'range' } });
  } else if (outage.everyMinutes === undefined || outage.forSeconds === undefined) {
    context.addIssue({ code: 'custom', path: [outage.everyMinutes === undefined ? 'everyMinutes' : 'forSeconds'], message: 'is required with the other', params: { rule: 'required' } });
  } else if (outage.forSeconds >= outage.everyMinutes * 60) {
    context.addIssue({ code: 'custom', path: ['forSeconds'], message: 'must be shorter than the period (everyMinutes)', params: { rule: 'range' } });
  }
});

/**
 * A fault profile as its owner writes it. Every part is optional; together they are tried in this order for each
 * call: an outage window, the first attempts of each distinct request, every nth call, then the error kinds by
 * probability; latency delays the answers the registry serves.
 */
export const faultProfileSchema = z
  .strictObject({
    seed: safeText(64).min(1).optional().describe('The same seed gives the same decisions for the same sequence numbers (a replay); generated when absent'),
    latency: latencySchema.optional(),
    errors: z.array(errorRuleSchema).max(FAULT_KINDS.length * 2).default([]).describe('Fault kinds with a probability each; their sum must not pass 1'),
    failFirst: failFirstSchema.optional().describe('Fail the first `attempts` attempts of each distinct request (by request fingerprint), then answer'),
    everyNth: everyNthSchema.optional(),
    outages: z.array(outageSchema).max(20).default([]).describe('Wall-clock windows (UTC epoch-aligned) during which every call fails'),
  })
  .superRefine((profile, context) => {
    const sum = profile.errors.reduce((total, rule) => total + rule.probability, 0);
    if (sum > 1 + 1e-9) context.addIssue({ code: 'custom', path: ['errors'], message: `probabilities must not add up to more than 1 (they add up to ${sum})`, params: { rule: 'probability_sum' } });
  });

export type FaultProfileInput = z.input<typeof faultProfileSchema>;
type ParsedProfile = z.output<typeof faultProfileSchema>;

/** A validated profile, normalised for the decision function. */
export interface FaultProfile {
  seed: string;
  latency: LatencySpec | null;
  errors: { probability: number; fault: FaultSpec }[];
  failFirst: { attempts: number; fault: FaultSpec } | null;
  everyNth: { n: number; fault: FaultSpec } | null;
  outages: ({ fromMs: number; toMs: number; fault: FaultSpec } | { periodMs: number; durationMs: number; fault: FaultSpec })[];
}

/** The profile in the form its owner wrote it (and reads it back): what is stored, with the seed filled in. */
export type FaultProfileDocument = Omit<FaultProfileInput, 'seed'> & { seed: string };

/** Fills in a seed when absent, so that the stored profile can always be replayed. */
export function withSeed(input: FaultProfileInput): FaultProfileDocument {
  return { ...input, seed: input.seed ?? randomBytes(6).toString('hex') };
}

/** Normalises a parsed profile (the stored document parses again on load; it was valid when stored). */
export function toFaultProfile(parsed: ParsedProfile): FaultProfile {
  const spec = ({ fault }: { fault: FaultSpec }) => fault;
  return {
    seed: parsed.seed ?? '',
    latency: parsed.latency ?? null,
    errors: parsed.errors.map((rule) => ({ probability: rule.probability, fault: spec(rule) })),
    failFirst: parsed.failFirst ? { attempts: parsed.failFirst.attempts, fault: spec(parsed.failFirst) } : null,
    everyNth: parsed.everyNth ? { n: parsed.everyNth.n, fault: spec(parsed.everyNth) } : null,
    outages: parsed.outages.map((outage) =>
      outage.from !== undefined && outage.to !== undefined
        ? { fromMs: Date.parse(outage.from), toMs: Date.parse(outage.to), fault: spec(outage) }
        : { periodMs: outage.everyMinutes! * 60_000, durationMs: outage.forSeconds! * 1000, fault: spec(outage) },
    ),
  };
}

/**
 * What a profile needs counted per call: a sequence number when any part draws at random or counts calls (error
 * kinds, every nth call, a latency that is not fixed), an attempt number per distinct request for failFirst. A
 * profile that needs neither (fixed latency, outage windows) costs no Redis round trip.
 */
export function countersOf(profile: FaultProfile): { sequence: boolean; attempts: boolean } {
  return {
    sequence: profile.errors.length > 0 || profile.everyNth !== null || (profile.latency !== null && profile.latency.distribution !== 'fixed'),
    attempts: profile.failFirst !== null,
  };
}

/** A worked example for the API documentation. */
export const EXAMPLE_PROFILE: FaultProfileInput = {
  seed: 'run-42',
  latency: { distribution: 'lognormal', medianMs: 80, p99Ms: 900 },
  errors: [
    { kind: 'unavailable', probability: 0.05 },
    { kind: 'timeout', probability: 0.01, afterMs: 10_000 },
    { kind: 'malformed', probability: 0.01 },
  ],
  failFirst: { attempts: 2, kind: 'unavailable' },
  outages: [{ everyMinutes: 10, forSeconds: 30, kind: 'unavailable' }],
};

export type { FaultKind };
