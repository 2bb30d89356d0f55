import { z } from 'zod';
import { FAULT_CATALOG, FAULT_KINDS, LATENCY_DESCRIPTION } from './fault-kinds.js';
import { EXAMPLE_PROFILE, faultProfileSchema } from './fault-profile.js';
import type { FaultProfileEntity } from './fault-profile.entity.js';
import type { SandboxSessionEntity } from './sandbox-session.entity.js';

export const faultProfileViewSchema = z.object({
  consumerId: z.string(),
  sessionId: z.string().nullable().describe('The session the profile belongs to; null: every call of the consumer'),
  serviceCode: z.string().nullable().describe('Null: every service of the consumer'),
  profile: faultProfileSchema.describe('As written, with its seed (generated when it was not given)'),
  updatedAt: z.string(),
});
export type FaultProfileView = z.infer<typeof faultProfileViewSchema>;
export const faultProfileListSchema = z.object({ profiles: z.array(faultProfileViewSchema) });

export function toFaultProfileView(row: FaultProfileEntity): FaultProfileView {
  return { consumerId: row.consumerId, sessionId: row.sessionId, serviceCode: row.serviceCode, profile: row.profile as FaultProfileView['profile'], updatedAt: row.updatedAt.toISOString() };
}

export const sessionViewSchema = z.object({
  sessionId: z.string().describe('Send it as X-Sandbox-Session on the calls of the session'),
  consumerId: z.string(),
  label: z.string().nullable(),
  createdAt: z.string(),
});
export type SessionView = z.infer<typeof sessionViewSchema>;

export function toSessionView(session: SandboxSessionEntity): SessionView {
  return { sessionId: session.sessionId, consumerId: session.consumerId, label: session.label, createdAt: session.createdAt.toISOString() };
}

export const faultKindsSchema = z.object({
  kinds: z.array(
    z.object({
      kind: z.enum(FAULT_KINDS),
      phase: z.enum(['before_registry', 'after_answer']),
      parameters: z.record(z.string(), z.object({ min: z.number(), max: z.number(), default: z.number(), description: z.string() })),
      wire: z.string(),
      journal: z.object({ outcome: z.string(), httpStatus: z.number().int().nullable(), problemCode: z.string().nullable() }),
      inProcess: z.object({ failure: z.enum(['transient', 'permanent', 'none']), delay: z.string(), errorCode: z.string().nullable() }),
    }),
  ),
  latency: z.object({ phase: z.literal('after_answer'), distributions: z.record(z.string(), z.string()), maxMs: z.number(), wire: z.string() }),
  headers: z.record(z.string(), z.string()),
});

/** The answer of GET /sandbox/fault-kinds. */
export const FAULT_KINDS_VIEW = {
  kinds: FAULT_KINDS.map((kind) => FAULT_CATALOG[kind]),
  latency: LATENCY_DESCRIPTION,
  headers: {
    'X-Sandbox-Fault': 'kind[; param=value]...: a fault for this call only, for example `timeout; afterMs=2000`',
    'X-Sandbox-Session': 'the session (POST /sandbox/sessions) whose fault profile applies to this call',
    'X-Sandbox-Fault-Applied': 'on every faulted answer: `kind; param=value`, and `latency; ms=N` when the answer was delayed',
  },
};

const EXAMPLE_CONSUMER = '6b1e2f9a-1d4c-4f0e-8a7b-2c9d3e4f5a6b';
const EXAMPLE_SESSION = '0b7d3f52-94c1-4e8a-b6f0-2a5c9d1e7f43';

/** Worked examples for the OpenAPI document. */
export const SANDBOX_FAULT_EXAMPLES = {
  sessionId: EXAMPLE_SESSION,
  put: { serviceCode: 'SANDBOX-ALL', profile: EXAMPLE_PROFILE },
  view: { consumerId: EXAMPLE_CONSUMER, sessionId: EXAMPLE_SESSION, serviceCode: 'SANDBOX-ALL', profile: EXAMPLE_PROFILE, updatedAt: '2026-12-01T02:15:04.118Z' },
  sessionInput: { label: 'retry tests of the passport module' },
  session: { sessionId: EXAMPLE_SESSION, consumerId: EXAMPLE_CONSUMER, label: 'retry tests of the passport module', createdAt: '2026-12-01T02:10:00.000Z' },
};
