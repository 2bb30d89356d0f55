import { newTimeOrderedId } from '../common/time-ordered-id.js';
import type { AuditOperation } from './access-audit.entity.js';
import type { AccessContext, KnownCall } from './access-context.js';
import type { AuditEntry } from './audit-rows.js';


/**
 * A registry call as plain values, whoever makes it: RegistryHttpCalls reads them from headers, a job passes
 * them as arguments. Exactly one of `authorization` (the raw `Authorization` header) and `consumerId` (an in-process
 * caller acting as its own consumer) names the caller.
 */
export interface GateCall {
  requestId: string;
  authorization?: string | string[] | undefined;
  consumerId?: string;
  serviceCode: string | undefined;
  dossierId?: string | null;
  /** The officer's own ID number, in clear: the gate keeps only its pseudonym. */
  officerId?: string | null;
  operation: AuditOperation;
  /**
   * The address the call came from: over HTTP the connection's peer (popgate trusts no X-Forwarded-For). In-process
   * calls have none, and are never limited by address.
   */
  clientAddress?: string;
  /** For the daily quota: each item of a verify-batch counts (see ConsumerLimits). */
  citizensAskedAbout: number;
}


/** How the call reached the registry: over HTTP, or in-process from one of popgate's own jobs. */
export type CallTransport = 'http' | 'in_process';

/** Everything the gate is told about a call when it is opened. */
export interface CallValues extends GateCall {
  transport: CallTransport;
  /** When the call was received (Date.now()): its journal row's day and time, not the commit's. */
  receivedAtMs: number;
  /** The same moment on the monotonic clock (performance.now()), from which the call's latency is measured. */
  receivedAtMonotonic: number;
  /** A canonical text of what was asked (operation parameters, sorted), from which the request fingerprint is made. */
  normalizedRequest: string;
  /** For calls made by jobs. */
  jobId?: string | null;
  attempt?: number | null;
}

/**
 * A new call id: a UUIDv7 whose time is the moment the call was received, to the millisecond, so that the id alone
 * tells which journal partition and which millisecond of its primary key hold the call (the journal needs no index
 * on the id: see JournalRepository.callById).
 */
export function newCallId(receivedAtMs: number): string {
  return newTimeOrderedId(receivedAtMs);
}

/** The millisecond a UUIDv7 was made for (its first 48 bits), or undefined for any other text. */
export function timeOfUuidV7(id: string): number | undefined {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i.test(id)) return undefined;
  return Number.parseInt(id.slice(0, 8) + id.slice(9, 13), 16);
}

/**
 * A canonical text of a request's parts: JSON with the keys sorted at every level, so equal requests give equal
 * text (and equal fingerprints, across versions: the text is exactly `JSON.stringify` of the key-sorted value). Written
 * out directly rather than by building the sorted copy first: it runs on every registry call.
 */
export function normalizeRequest(parts: Record<string, unknown>): string {
  return canonicalJson(parts) ?? 'null';
}

/**
 * Keys sorted as text, in the order JavaScript lists such an object's keys, which JSON.stringify follows:
 * array-index keys ("9", "10") first, in numeric order, then the others.
 */
function byPropertyOrder(a: string, b: string): number {
  const [ia, ib] = [isArrayIndex(a), isArrayIndex(b)];
  if (ia && ib) return Number(a) - Number(b);
  if (ia !== ib) return ia ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

function isArrayIndex(key: string): boolean {
  return /^(?:0|[1-9]\d{0,9})$/.test(key) && Number(key) < 4_294_967_295;
}

/** JSON.stringify's text of `value` with object keys sorted; undefined where JSON.stringify gives undefined. */
function canonicalJson(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) {
    let text = '[';
    for (let i = 0; i < value.length; i++) text += (i > 0 ? ',' : '') + (canonicalJson(value[i]) ?? 'null');
    return text + ']';
  }
  const record = value as Record<string, unknown>;
  let text = '{';
  for (const key of Object.keys(record).sort(byPropertyOrder)) {
    const item = canonicalJson(record[key]);
    if (item === undefined) continue;
    text += (text.length > 1 ? ',' : '') + JSON.stringify(key) + ':' + item;
  }
  return text + '}';
}

/**
 * Now, on both clocks: the wall clock says which day and time a call was received (the monotonic clock drifts from
 * it over a long uptime or an NTP step, which near midnight would put a row in the wrong day), the monotonic one
 * measures its latency with sub-millisecond precision.
 */
export function receivedNow(): { receivedAtMs: number; receivedAtMonotonic: number } {
  return { receivedAtMs: Date.now(), receivedAtMonotonic: performance.now() };
}

/**
 * The record of one registry call, opened by the AccessGate when the call arrives and committed once when it ends
 * (its journal row and its audit rows in one statement, before the answer leaves). The registry notes here what it
 * served; nothing here is written until the commit, so a call is recorded whole or not at all.
 */
export class CallRecord {
  /** Server-made and time-ordered (UUIDv7 of the moment the call was received), so a day's calls sort by it as by time. */
  readonly callId: string;
  readonly known: KnownCall;
  readonly auditEntries: AuditEntry[] = [];
  /** Set when the gate admits the call. */
  access: AccessContext | undefined;
  fieldsRequested: readonly string[] = [];
  fieldsReturned: readonly string[] = [];
  batch: { ok: number; mismatch: number; notFound: number; invalid: number; refused: number } | null = null;
  /** The outcome a served call's answer carries: `mismatch` and `not_found` for verify verdicts. */
  servedOutcome: 'ok' | 'mismatch' | 'not_found' = 'ok';
  /** The citizen the call was about, kept in memory only (the journal stores the persona key, never the number). */
  subjectIdNumber: string | null = null;
  /** The simulated transport fault the call met, if any. */
  faultKind: string | null = null;
  /** The request fingerprint, once made (CitizenHmac.fingerprintOf). */
  fingerprint: string | undefined;
  /** Whether it has been committed: a call is committed once. */
  committed = false;
  /** What the gate found wrong with the call's own ids when it opened it; admission refuses them. */
  openingProblems: readonly { field: string; rule: string; message: string }[] = [];

  constructor(readonly values: CallValues) {
    this.callId = newCallId(values.receivedAtMs);
    this.known = { requestId: values.requestId };
  }

  get receivedAt(): Date {
    return new Date(this.values.receivedAtMs);
  }

  get operation(): AuditOperation {
    return this.values.operation;
  }

  /** The admitted call's access context; only the registry's handlers, which run after admission, ask for it. */
  get admitted(): AccessContext {
    if (!this.access) throw new Error('CallRecord: the call has not been admitted');
    return this.access;
  }

  /**
   * Drops what the registry noted while serving the call (its audit entries, fields, verdicts), for a call whose
   * answer is not sent: a fault before the answer or a connector's refusal, decided while the work ran.
   */
  forgetServed(): void {
    this.auditEntries.length = 0;
    this.fieldsRequested = [];
    this.fieldsReturned = [];
    this.batch = null;
    this.servedOutcome = 'ok';
    this.subjectIdNumber = null;
  }

  /** Notes audit records to commit with the call. */
  audit(entries: readonly AuditEntry[]): void {
    this.auditEntries.push(...entries);
  }
}

/** Where RegistryHttpCalls leaves the call's record on the Fastify request. */
export const CALL_RECORD = Symbol('popgate.callRecord');

/** When the gateway received the request (receivedNow()), set by its first hook. */
export const RECEIVED_AT = Symbol('popgate.receivedAt');

/** Set by RegistryHttpCalls when it takes a call in hand: from then on, the pipeline audits the call's refusals. */
export const AUDITED_BY_PIPELINE = Symbol('popgate.auditedByPipeline');

/** The HTTP request of a registry call, as the gateway decorates it. */
export type RequestWithAccess = { [CALL_RECORD]?: CallRecord; [AUDITED_BY_PIPELINE]?: true; [RECEIVED_AT]?: ReturnType<typeof receivedNow> };
