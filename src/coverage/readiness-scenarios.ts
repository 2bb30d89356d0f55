import type { AuditOperation } from '../access/access-audit.entity.js';
import { FAULT_CATALOG, FAULT_KINDS, OUTAGE_RETRY_AFTER_SECONDS, type FaultKind } from '../connectors/fault-kinds.js';
import type { CitizenRecord } from '../registry/citizen.js';
import type { Persona } from '../sandbox/population/personas.js';

/**
 * The go-live scenario catalogue: pure data, derived from the sandbox's own catalogues (its personas, the fault
 * engine's kinds, the catalog's allow-lists and the connectors' operations), so a persona or a fault kind added there
 * shows here without an edit. GET /coverage/v1/consumers/{id}/scenarios judges a consumer's journaled calls against it.
 */

/** How long after a call a later call of the same request (fingerprint or request id) still counts as its retry. */
export const RETRY_WINDOW_MS = 10 * 60_000;
/**
 * The shortest wait before a retry that is not flooding: the sandbox's smallest Retry-After (a 429 fault's default,
 * and what the rate limiter answers at any rate of at least one call per second).
 */
export const MIN_RETRY_GAP_MS = 1_000;
/** Retries of one failed request beyond this many, inside RETRY_WINDOW_MS, are flooding whatever their gaps. */
export const MAX_RETRIES = 5;
/**
 * A backoff may wait a little less than the wait before it (jitter): a gap counts as shrinking below this share of
 * the previous gap.
 */
export const BACKOFF_JITTER_SHARE = 0.8;

/** What a well-built client does after a fault. */
export type FaultRule = 'backoff' | 'retry_after' | 'no_flood';

/** One fault scenario: the fault kind, its rule, and what a client is expected to do. */
export interface FaultScenario {
  kind: FaultKind;
  rule: FaultRule;
  /** The checklist item that judges it. */
  item: ChecklistItemId;
  title: string;
  expected: string;
}

const RULE_OF_KIND: Record<FaultKind, { rule: FaultRule; title: string; expected: string }> = {
  unavailable: {
    rule: 'backoff',
    title: 'After a 503 (the registry unavailable)',
    expected: `Retries with backoff (the first retry at least ${MIN_RETRY_GAP_MS} ms later, each wait no shorter than the one before, at most ${MAX_RETRIES} retries), or gives up.`,
  },
  rate_limited: { rule: 'retry_after', title: 'After a 429 (rate limited)', expected: 'Waits at least the Retry-After it was given before it asks again.' },
  server_error: { rule: 'backoff', title: 'After a 500 (server error)', expected: 'Retries with backoff, or gives up; never at once and never more than a few times.' },
  timeout: { rule: 'no_flood', title: 'After a timeout (no answer)', expected: `Gives up, or retries at most ${MAX_RETRIES} times, each at least ${MIN_RETRY_GAP_MS} ms after the call before.` },
  reset: { rule: 'backoff', title: 'After a connection reset', expected: 'Reads ECONNRESET as a transient failure: retries with backoff, or gives up.' },
  malformed: { rule: 'no_flood', title: 'After a malformed answer (cut in half)', expected: 'Treats an answer that does not parse as a failure: retries without flooding (same request id), or gives up.' },
  slow_body: { rule: 'no_flood', title: 'After a slow answer (body dribbled)', expected: 'Waits for a slow answer or times out; does not send the request again while it is still arriving.' },
};

export const CHECKLIST_ITEM_IDS = [
  ...FAULT_KINDS.map((kind) => `after_${kind}` as const),
  'same_request_id_on_retry',
  'stops_after_permanent_error',
  'fields_within_allow_list',
] as const;
export type ChecklistItemId = (typeof CHECKLIST_ITEM_IDS)[number];

/** Every fault kind of the fault engine with the behaviour expected after it. */
export const FAULT_SCENARIOS: readonly FaultScenario[] = FAULT_KINDS.map((kind) => ({
  kind,
  item: `after_${kind}` as const,
  rule: RULE_OF_KIND[kind].rule,
  title: RULE_OF_KIND[kind].title,
  expected: RULE_OF_KIND[kind].expected,
}));

/** The items that are not about one fault kind. */
export const CROSS_CUTTING_ITEMS: readonly { item: ChecklistItemId; title: string; expected: string }[] = [
  {
    item: 'same_request_id_on_retry',
    title: 'Sends the same X-Request-Id when it retries',
    expected: 'A retry of a failed call (the same fingerprint within the retry window) carries the failed call\'s X-Request-Id.',
  },
  {
    item: 'stops_after_permanent_error',
    title: 'Stops after a permanent error (4xx other than 429)',
    expected: 'Never sends a request again (same fingerprint or same request id) after it was answered 400, 401, 403, 404, 409 or 422.',
  },
  {
    item: 'fields_within_allow_list',
    title: "Never asks for fields outside its service's allow-list",
    expected: "No call names a field outside the service's allow-list (which the gate answers with 403 fields_not_allowed).",
  },
];

/** Every checklist item in the order answers list them, with its title and expectation. */
export const CHECKLIST: readonly { item: ChecklistItemId; title: string; expected: string }[] = [
  ...FAULT_SCENARIOS.map(({ item, title, expected }) => ({ item, title, expected })),
  ...CROSS_CUTTING_ITEMS,
];

/** A journaled call as the checklist reads it. */
export interface ScenarioCall {
  callId: string;
  receivedAt: Date;
  requestId: string;
  serviceCode: string | null;
  operation: AuditOperation;
  outcome: string;
  httpStatus: number | null;
  problemCode: string | null;
  faultKind: string | null;
  latencyMs: number;
  fieldsRequested: string[];
  personaKey: string | null;
  fingerprint: string;
  /** The Retry-After the call was answered with, as the journal recorded it; null when none or not recorded. */
  retryAfterSeconds: number | null;
}

/**
 * The fault scenario a call met, or null: the simulated kind the journal recorded, else the same failure when it was
 * real (an outage's 503, the rate limiter's 429, a 500, a timeout), which a client must handle alike.
 */
export function faultScenarioOf(call: ScenarioCall): FaultKind | null {
  if (call.faultKind && (FAULT_KINDS as readonly string[]).includes(call.faultKind)) return call.faultKind as FaultKind;
  if (call.httpStatus === 503) return 'unavailable';
  if (call.httpStatus === 429) return 'rate_limited';
  if (call.outcome === 'timeout') return 'timeout';
  if (call.httpStatus === null && call.outcome === 'unavailable') return 'reset';
  if (call.httpStatus !== null && call.httpStatus >= 500) return 'server_error';
  return null;
}

/** A permanent error: a 4xx answer other than 429, which asking again cannot change. */
export function isPermanentError(call: ScenarioCall): boolean {
  return call.httpStatus !== null && call.httpStatus >= 400 && call.httpStatus < 500 && call.httpStatus !== 429;
}

/** Seconds to the next 00:00 UTC, when a daily quota renews (ConsumerLimits answers this as Retry-After). */
function secondsToNextUtcDay(at: Date): number {
  const next = Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate() + 1);
  return Math.max(1, Math.ceil((next - at.getTime()) / 1000));
}

/**
 * The Retry-After a failed call was answered with, in seconds, or null when it carried none: as the journal recorded
 * it (retry_after_s). A call journaled before that column existed has it derived from what sets the header: every
 * 503 carries OUTAGE_RETRY_AFTER_SECONDS (the problem filter); a spent daily quota, the time to 00:00 UTC
 * (ConsumerLimits); a rate limit one second (the limiter's at a rate of one call per second or more, and a
 * rate_limited fault's default): a lower bound, never a wait the client was not told.
 */
export function retryAfterSecondsOf(call: ScenarioCall): number | null {
  if (call.retryAfterSeconds !== null) return call.retryAfterSeconds;
  if (call.httpStatus === 503) return OUTAGE_RETRY_AFTER_SECONDS;
  if (call.httpStatus !== 429) return null;
  if (call.problemCode === 'quota_exhausted') return secondsToNextUtcDay(call.receivedAt);
  return FAULT_CATALOG.rate_limited.parameters.retryAfterSeconds.default;
}

/** A persona scenario: one persona under one operation of one service. */
export interface PersonaScenario {
  serviceCode: string;
  operation: AuditOperation;
  personaKey: string;
  title: string;
  /** The persona's special fields this service may read (what makes the case visible to it); empty for verify. */
  observableFields: string[];
}

/** The operations whose journal rows name the persona asked about (a look-up and a verify name one citizen). */
export const PERSONA_OPERATIONS: readonly AuditOperation[] = ['lookup', 'verify'];

/** The registry field (GET /registry/v1/fields) that shows each CitizenRecord property of a persona's special fields. */
const FIELD_OF_PROPERTY: Partial<Record<keyof CitizenRecord, string>> = {
  surname: 'fullName',
  middleName: 'fullName',
  givenName: 'fullName',
  birthRegistrationProvinceIdCode: 'birthRegistrationPlace',
  ethnicityCode: 'ethnicity',
  religionCode: 'religion',
  fatherIdNumber: 'father',
  fatherName: 'father',
  motherIdNumber: 'mother',
  motherName: 'mother',
  spouseIdNumber: 'spouse',
  spouseName: 'spouse',
  spouseNationality: 'spouse',
  householdId: 'household',
  householdRelationship: 'household',
  status: 'citizenStatus',
};

export function registryFieldsOf(properties: readonly (keyof CitizenRecord)[]): string[] {
  return [...new Set(properties.map((property) => FIELD_OF_PROPERTY[property] ?? property))];
}

/** What the catalogue needs of a service: its allow-list and its connector's operations. */
export interface ScenarioService {
  code: string;
  allowedFields: readonly string[];
  operations: ReadonlySet<AuditOperation>;
}

/**
 * Every persona under each operation the service may use. A verify checks the triple (ID, name, birth date) every
 * persona has, so each persona is a verify scenario; a look-up shows a persona's case only through its special
 * fields, so a persona is a look-up scenario of a service whose allow-list holds at least one of them.
 */
export function personaScenarios(service: ScenarioService, personas: readonly Pick<Persona, 'key' | 'title' | 'specialFields'>[]): PersonaScenario[] {
  const allowed = new Set(service.allowedFields);
  const scenarios: PersonaScenario[] = [];
  for (const operation of PERSONA_OPERATIONS) {
    if (!service.operations.has(operation)) continue;
    for (const persona of personas) {
      const observableFields = operation === 'lookup' ? registryFieldsOf(persona.specialFields).filter((field) => allowed.has(field)) : [];
      if (operation === 'lookup' && observableFields.length === 0) continue;
      scenarios.push({ serviceCode: service.code, operation, personaKey: persona.key, title: persona.title, observableFields });
    }
  }
  return scenarios;
}
