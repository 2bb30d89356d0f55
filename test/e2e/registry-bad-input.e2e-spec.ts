import { beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { persona } from '../factories/registry.factory.js';
import { auditRowsAfter, lastAuditId, writableState, type WritableState } from '../utils/database-state.js';
import { ADMIN_AUTH, api, uniqueRequestId, useTestApp } from '../utils/test-app.js';

type HostileKey = 'sql-quote' | 'sql-statement' | 'dot-dot' | 'long' | 'nul' | 'raw-dot-dot' | 'raw-dot-dot-2f' | 'raw-nul' | 'raw-nul-inside-id' | 'raw-overlong-slash';

/**
 * Hostile values, each as it goes on the wire: `encoded` strings are percent-encoded by the test, `raw` ones are
 * sent as written (already percent-encoded, or deliberately not: dot segments, NUL, an overlong UTF-8 slash).
 */
const HOSTILE: readonly { key: HostileKey; label: string; wire: string }[] = [
  ...(
    [
      ['sql-quote', "' OR 1=1 --"],
      ['sql-statement', '1; DROP TABLE citizens'],
      ['dot-dot', '../../etc/passwd'],
      ['long', 'x'.repeat(5_000)],
      ['nul', '\u0000'],
    ] as const
  ).map(([key, value]) => ({
    key,
    label: `encoded ${JSON.stringify(value.slice(0, 24))}${value.length > 24 ? `… (${value.length} chars)` : ''}`,
    wire: encodeURIComponent(value),
  })),
  { key: 'raw-dot-dot', label: 'raw ../../etc/passwd', wire: '../../etc/passwd' },
  { key: 'raw-dot-dot-2f', label: 'raw ..%2F..%2Fetc%2Fpasswd', wire: '..%2F..%2Fetc%2Fpasswd' },
  { key: 'raw-nul', label: 'raw %00', wire: '%00' },
  { key: 'raw-nul-inside-id', label: 'raw 001090%00999921', wire: '001090%00999921' },
  { key: 'raw-overlong-slash', label: 'raw overlong UTF-8 %C0%AF', wire: '%C0%AF' },
];

/** What the gateway must answer: a problem document (naming the parameter when validation fails), or a 200. */
interface Answer {
  status: number;
  code?: string;
  /** The `errors[].field` every field error must name. */
  field?: string;
  /** A rule that must be among `errors[].rule`; left out where the rule is not what the test is about. */
  rule?: string;
}

const invalid = (field: string, rule?: string): Answer => ({ status: 400, code: 'validation_failed', field, rule });
const SERVED: Answer = { status: 200 };
const JOB_NOT_FOUND: Answer = { status: 404, code: 'job_not_found' };

/** The same answer to every hostile value: query parameters, whose values are never routed, only validated. */
function everyValue(answer: Answer): Record<HostileKey, Answer> {
  return Object.fromEntries(HOSTILE.map(({ key }) => [key, answer])) as Record<HostileKey, Answer>;
}

/**
 * A path parameter answers like a query parameter, except for three values the router refuses before any handler,
 * each with a documented code of its own:
 * - 5,000 characters exceed Fastify's maxParamLength (256): 414 uri_too_long.
 * - Raw `../../etc/passwd` is not resolved by the router (nor by supertest); its extra segments match no route, so
 *   404 route_not_found is right: nothing is served from the file system, and no handler sees the value.
 * - %C0%AF (an overlong "/") is not valid UTF-8, so the path cannot be decoded: 400 malformed_url.
 * An encoded `..%2F..%2F` stays inside its segment and reaches validation like any other value.
 */
function pathParameter(answer: Answer): Record<HostileKey, Answer> {
  return {
    ...everyValue(answer),
    long: { status: 414, code: 'uri_too_long' },
    'raw-dot-dot': { status: 404, code: 'route_not_found' },
    'raw-overlong-slash': { status: 400, code: 'malformed_url' },
  };
}

const citizen = persona('married-husband').idNumber;

/** An ID number fails several rules at once; `digits` is the one every hostile value breaks. */
const ID_NUMBER_RULE = 'digits';

/** A year-0 instant: valid ISO 8601 syntax, but no date Postgres or the audit can hold. */
const YEAR_ZERO_INSTANT = { label: 'year 0 (0000-01-01T00:00:00Z)', wire: encodeURIComponent('0000-01-01T00:00:00Z') };

interface Parameter {
  name: string;
  method?: 'get' | 'delete';
  url: (wire: string) => string;
  answers: Record<HostileKey, Answer>;
  /** Hostile values that matter to this parameter only. */
  more?: { label: string; wire: string; answer: Answer }[];
}

/**
 * Every path and query parameter of the registry, sandbox, access and portal read endpoints (and the consent
 * DELETE), as a URL around the hostile value. GET /access/v1/consumers takes no parameter, so only its {consumerId}
 * route is here.
 */
const PARAMETERS: readonly Parameter[] = [
  { name: 'GET citizens/{idNumber}', url: (v) => `/registry/v1/citizens/${v}`, answers: pathParameter(invalid('idNumber', ID_NUMBER_RULE)) },
  { name: 'GET citizens/{idNumber}?fields', url: (v) => `/registry/v1/citizens/${citizen}?fields=${v}`, answers: everyValue(invalid('fields', 'unknown_field')) },
  { name: 'GET households/{householdId}', url: (v) => `/registry/v1/households/${v}`, answers: pathParameter(invalid('householdId', 'format')) },
  { name: 'GET changes?since', url: (v) => `/registry/v1/changes?since=${v}`, answers: everyValue(invalid('query.since', 'format')) },
  { name: 'GET changes?limit', url: (v) => `/registry/v1/changes?limit=${v}`, answers: everyValue(invalid('query.limit', 'type')) },
  // A job id that cannot exist is simply not found: the id is checked against BullMQ's id alphabet before any Redis
  // call, and this endpoint documents no 400.
  { name: 'GET sandbox/jobs/{jobId}', url: (v) => `/sandbox/jobs/${v}`, answers: pathParameter(JOB_NOT_FOUND) },
  { name: 'GET access citizens/{idNumber}/accesses', url: (v) => `/access/v1/citizens/${v}/accesses`, answers: pathParameter(invalid('idNumber', ID_NUMBER_RULE)) },
  { name: 'GET access citizens/{idNumber}/accesses?cursor', url: (v) => `/access/v1/citizens/${citizen}/accesses?cursor=${v}`, answers: everyValue(invalid('query.cursor', 'format')) },
  { name: 'GET access citizens/{idNumber}/accesses?limit', url: (v) => `/access/v1/citizens/${citizen}/accesses?limit=${v}`, answers: everyValue(invalid('query.limit', 'type')) },
  { name: 'GET audit?consumerId', url: (v) => `/access/v1/audit?consumerId=${v}`, answers: everyValue(invalid('query.consumerId', 'format')) },
  { name: 'GET audit?serviceCode', url: (v) => `/access/v1/audit?serviceCode=${v}`, answers: everyValue(invalid('query.serviceCode', 'format')) },
  {
    name: 'GET audit?dossierId',
    url: (v) => `/access/v1/audit?dossierId=${v}`,
    // A dossier id may hold `.` and `/` (the X-Dossier-Id rule), so `../../etc/passwd` is a well-formed dossier id:
    // it is only ever a bind parameter, and no dossier has it, so the answer is an empty page.
    answers: { ...everyValue(invalid('query.dossierId', 'format')), 'dot-dot': SERVED, 'raw-dot-dot': SERVED, 'raw-dot-dot-2f': SERVED },
  },
  { name: 'GET audit?outcome', url: (v) => `/access/v1/audit?outcome=${v}`, answers: everyValue(invalid('query.outcome', 'enum')) },
  { name: 'GET audit?from', url: (v) => `/access/v1/audit?from=${v}`, answers: everyValue(invalid('query.from', 'format')), more: [{ ...YEAR_ZERO_INSTANT, answer: invalid('query.from') }] },
  { name: 'GET audit?to', url: (v) => `/access/v1/audit?to=${v}`, answers: everyValue(invalid('query.to', 'format')), more: [{ ...YEAR_ZERO_INSTANT, answer: invalid('query.to') }] },
  { name: 'GET audit?cursor', url: (v) => `/access/v1/audit?cursor=${v}`, answers: everyValue(invalid('query.cursor', 'format')) },
  { name: 'GET audit?limit', url: (v) => `/access/v1/audit?limit=${v}`, answers: everyValue(invalid('query.limit', 'type')) },
  { name: 'GET consumers/{consumerId}', url: (v) => `/access/v1/consumers/${v}`, answers: pathParameter(invalid('consumerId', 'format')) },
  { name: 'GET sandbox/consents?idNumber', url: (v) => `/sandbox/consents?idNumber=${v}`, answers: everyValue(invalid('query.idNumber', ID_NUMBER_RULE)) },
  { name: 'DELETE sandbox/consents/{consentId}', method: 'delete', url: (v) => `/sandbox/consents/${v}`, answers: pathParameter(invalid('consentId', 'format')) },
  { name: 'GET portal services/{code}', url: (v) => `/portal/v1/services/${v}`, answers: pathParameter(invalid('code', 'format')) },
];

/** The JSON bodies' identifier fields, which reach SQL as bind parameters. */
const BODY_FIELDS: readonly { name: string; path: string; body: (value: string) => Record<string, unknown>; answer: (value: string) => Answer }[] = [
  {
    name: 'POST verify idNumber',
    path: '/registry/v1/citizens/verify',
    body: (v) => ({ idNumber: v, fullName: 'Vũ Đức Thành', dateOfBirth: '1990-01-25' }),
    answer: () => invalid('idNumber', ID_NUMBER_RULE),
  },
  { name: 'POST events idNumber', path: '/sandbox/registry/events', body: (v) => ({ kind: 'new_card', idNumber: v }), answer: () => invalid('idNumber', ID_NUMBER_RULE) },
  {
    name: 'POST events address.communeCode',
    path: '/sandbox/registry/events',
    body: (v) => ({ kind: 'move', idNumber: persona('long-name').idNumber, address: { detail: 'Số 1', communeCode: v } }),
    answer: () => invalid('address.communeCode', 'format'),
  },
  // A seed is at most 64 characters: the 5,000-character one breaks that rule first, the others the alphabet.
  { name: 'POST reset seed', path: '/sandbox/reset', body: (v) => ({ seed: v, citizens: 10 }), answer: (v) => invalid('seed', v.length > 64 ? 'max' : 'format') },
];

/** Hostile strings for JSON bodies, where they arrive decoded. */
const HOSTILE_BODY_VALUES = ["' OR 1=1 --", '1; DROP TABLE citizens', '../../etc/passwd', '..%2F..%2Fetc%2Fpasswd', 'x'.repeat(5_000), '\u0000', '%00', '\u00c0\u00af'];

/**
 * Events dated in year 0: a well-formed YYYY-MM-DD that no registry date can be. The right answer is a 400 naming
 * `date`; which rule names it is left to the validator.
 */
const YEAR_ZERO_EVENTS: readonly { name: string; body: Record<string, unknown> }[] = [
  { name: 'move', body: { kind: 'move', idNumber: persona('long-name').idNumber, address: { detail: 'Số 1', communeCode: '20242' }, date: '0000-01-01' } },
  { name: 'divorce', body: { kind: 'divorce', idNumber: persona('married-husband').idNumber, date: '0000-01-01' } },
];

/** One answer, reduced to what the tables compare. */
interface Outcome {
  input: string;
  status: number;
  code: string | null;
  problemJson: boolean;
  /** The distinct `errors[].field` values. */
  fields: string[];
  rules: string[];
}

function outcomeOf(input: string, response: request.Response): Outcome {
  const errors: { field: string; rule: string }[] = response.body?.errors ?? [];
  return {
    input,
    status: response.status,
    code: response.body?.code ?? null,
    problemJson: /^application\/problem\+json/.test(response.headers['content-type'] ?? ''),
    fields: [...new Set(errors.map((e) => e.field))],
    rules: errors.map((e) => e.rule),
  };
}

/** The outcome `answer` stands for; a validation failure must name only the parameter, and include the rule. */
function expectedOutcome(input: string, answer: Answer): Outcome {
  if (answer.status < 400) return { input, status: answer.status, code: null, problemJson: false, fields: [], rules: [] };
  return {
    input,
    status: answer.status,
    code: answer.code ?? null,
    problemJson: true,
    fields: answer.field ? [answer.field] : [],
    rules: answer.rule ? expect.arrayContaining([answer.rule]) : answer.field ? expect.any(Array) : [],
  } as Outcome;
}

describe('hostile input on every parameter', () => {
  const testApp = useTestApp();
  let db: DataSource;
  let stateBefore: WritableState;
  let auditIdBefore: string;
  /** Every hostile call with the problem code it was answered (null for a 200), to check the audit rows against. */
  const sent: { requestId: string; path: string; code: string | null }[] = [];

  beforeAll(async () => {
    db = testApp.app.get(DataSource);
    stateBefore = await writableState(db);
    auditIdBefore = await lastAuditId(db);
  });

  /** Sends a hostile call with the credentials its area needs (the access API needs the admin key). */
  async function send(method: 'get' | 'post' | 'delete', path: string, body?: object): Promise<request.Response> {
    const requestId = uniqueRequestId('e2e-hostile');
    const test = path.startsWith('/access/') ? request(testApp.app.getHttpServer())[method](path).set(ADMIN_AUTH) : api(testApp.app)[method](path);
    const response = await (body === undefined ? test : test.send(body)).set('X-Request-Id', requestId);
    sent.push({ requestId, path, code: response.body?.code ?? null });
    return response;
  }

  it.each(PARAMETERS.map((p) => [p.name, p] as const))('%s: answers each hostile value with its exact status and problem code', async (_name, parameter) => {
    const actual: Outcome[] = [];
    const expected: Outcome[] = [];
    for (const { key, label, wire } of HOSTILE) {
      actual.push(outcomeOf(label, await send(parameter.method ?? 'get', parameter.url(wire))));
      expected.push(expectedOutcome(label, parameter.answers[key]));
    }
    expect(actual).toEqual(expected);
  });

  // Separate from the table above so that a failure names the value: these fail until the year-0 fix is merged.
  it.each(PARAMETERS.flatMap((p) => (p.more ?? []).map((value) => [p.name, value.label, p, value] as const)))(
    '%s: answers %s with a 400 naming the parameter',
    async (_name, label, parameter, value) => {
      expect(outcomeOf(label, await send(parameter.method ?? 'get', parameter.url(value.wire)))).toEqual(expectedOutcome(label, value.answer));
    },
  );

  it.each(BODY_FIELDS.map((f) => [f.name, f] as const))('%s: answers each hostile value with a 400 naming the field', async (_name, field) => {
    const actual: Outcome[] = [];
    const expected: Outcome[] = [];
    for (const value of HOSTILE_BODY_VALUES) {
      const input = JSON.stringify(value.slice(0, 24));
      actual.push(outcomeOf(input, await send('post', field.path, field.body(value))));
      expected.push(expectedOutcome(input, field.answer(value)));
    }
    expect(actual).toEqual(expected);
  });

  it.each(YEAR_ZERO_EVENTS.map((e) => [e.name, e] as const))('POST events %s dated 0000-01-01: answers a 400 naming date', async (name, event) => {
    expect(outcomeOf(name, await send('post', '/sandbox/registry/events', event.body))).toEqual(expectedOutcome(name, invalid('date')));
  });

  it('POST verify-batch: answers every hostile items[].idNumber with an error entry in its place', async () => {
    const items = HOSTILE_BODY_VALUES.map((idNumber) => ({ idNumber, fullName: 'Vũ Đức Thành', dateOfBirth: '1990-01-25' }));
    const response = await send('post', '/registry/v1/citizens/verify-batch', { items });
    expect(response.status).toBe(200);
    expect(response.body.results.map((r: { index: number; error?: { code: string } }) => [r.index, r.error?.code])).toEqual(
      items.map((_, index) => [index, 'validation_failed']),
    );
  });

  it('writes nothing but the audit records of the refused registry calls', async () => {
    expect(stateBefore.citizens.rows).toBeGreaterThan(2_000);
    expect(await writableState(db)).toEqual(stateBefore);

    // Each appended row is a refusal of one of this file's calls, with the code that call was answered as reason
    // (the batch answers 200, with the code in each item: its rows are checked for the outcome only).
    const appended = await auditRowsAfter(db, auditIdBefore);
    const codeByRequestId = new Map(sent.map((call) => [call.requestId, call.code]));
    expect(appended.filter((row) => row.outcome !== 'refused' || !codeByRequestId.has(row.requestId))).toEqual([]);
    expect(appended.filter((row) => codeByRequestId.get(row.requestId) !== null && row.reason !== codeByRequestId.get(row.requestId))).toEqual([]);
    // And no registry call refused by validation went unrecorded. (The router's 404/414/400 answers come before the
    // registry's access layer, so they are not registry accesses and leave no record.)
    const audited = new Set(appended.map((row) => row.requestId));
    const refusedRegistryCalls = sent.filter((call) => call.path.startsWith('/registry/') && call.code === 'validation_failed');
    expect(refusedRegistryCalls.length).toBeGreaterThan(0);
    expect(refusedRegistryCalls.filter((call) => !audited.has(call.requestId))).toEqual([]);

    await api(testApp.app).get(`/registry/v1/citizens/${citizen}?fields=fullName`).expect(200);
  });
});
