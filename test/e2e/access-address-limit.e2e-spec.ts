import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DataSource } from 'typeorm';
import { AccessGate } from '../../src/access/access-gate.service.js';
import { generateApiKey } from '../../src/access/api-key.js';
import { receivedNow } from '../../src/access/call-record.js';
import { persona } from '../factories/registry.factory.js';
import { lastAuditId } from '../utils/database-state.js';
import { requestFrom, type SourcedAnswer } from '../utils/raw-http.js';
import { createTestAppWithEnvironment, REGISTRY_HEADERS, seedTestDataset, uniqueRequestId } from '../utils/test-app.js';

/** A burst of five calls per address, then one a second: slow enough that a test's burst cannot refill it. */
const LIMITED = { ACCESS_ADDRESS_LIMIT_PER_SECOND: '1', ACCESS_ADDRESS_BURST: '5' };
const BURST = 5;

/**
 * The per-address limit in front of authentication: an address over its limit is refused with 429
 * `address_rate_limited` before its key is looked up; the refusal is journaled, once, and leaves no audit record, so
 * that no client can grow the append-only audit faster than the limit. Each test calls from a loopback address of its
 * own (the gateway trusts no X-Forwarded-For), so their buckets never meet.
 */
describe('registry calls per client address', () => {
  let app: NestFastifyApplication;
  let db: DataSource;
  let port: number;
  const citizen = persona('married-husband');

  beforeAll(async () => {
    app = await createTestAppWithEnvironment(LIMITED);
    await seedTestDataset(app);
    await app.listen(0, '127.0.0.1');
    db = app.get(DataSource);
    port = (app.getHttpServer().address() as AddressInfo).port;
  });

  afterAll(async () => {
    await app?.close();
  });

  const lookupFrom = (address: string, headers: Record<string, string>, requestId = uniqueRequestId('e2e-address')) =>
    requestFrom(address, port, { path: `/registry/v1/citizens/${citizen.idNumber}?fields=fullName`, headers: { ...headers, 'x-request-id': requestId } });

  /** `count` calls sent at once, as a flood would send them. */
  const burst = (count: number, send: (requestId: string) => Promise<SourcedAnswer>) =>
    Promise.all(Array.from({ length: count }, () => uniqueRequestId('e2e-burst')).map(async (requestId) => ({ requestId, answer: await send(requestId) })));

  const journalRowsOf = (requestIds: string[]): Promise<{ request_id: string; outcome: string; problem_code: string | null; http_status: number; consumer_id: string | null }[]> =>
    db.query(`SELECT request_id, outcome, problem_code, http_status, consumer_id FROM call_journal WHERE request_id = ANY($1) ORDER BY request_id`, [requestIds]);

  const auditedRequestIds = async (afterAuditId: string): Promise<string[]> =>
    (await db.query(`SELECT request_id FROM access_audit WHERE audit_id > $1 ORDER BY request_id`, [afterAuditId])).map((row: { request_id: string }) => row.request_id);

  function expectAddressLimited(answer: SourcedAnswer): void {
    expect({ status: answer.status, code: answer.body.code, type: answer.body.type }).toEqual({ status: 429, code: 'address_rate_limited', type: 'urn:popgate:problem:address_rate_limited' });
    expect(answer.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(Number(answer.headers['retry-after'])).toBeGreaterThanOrEqual(1);
  }

  it('refuses a burst of bad keys over the limit with 429 address_rate_limited and Retry-After, journals every call once, and audits only those under the limit', async () => {
    const auditBefore = await lastAuditId(db);
    const calls = await burst(3 * BURST, (requestId) => lookupFrom('127.0.0.2', { 'x-service-code': '2.001159', authorization: `Bearer ${generateApiKey()}` }, requestId));

    const limited = calls.filter(({ answer }) => answer.status === 429);
    const authenticated = calls.filter(({ answer }) => answer.status !== 429);
    // The bucket starts full (five) and a slow machine may refill one while the burst is in flight.
    expect(authenticated.length).toBeGreaterThanOrEqual(BURST);
    expect(authenticated.length).toBeLessThanOrEqual(BURST + 1);
    for (const { answer } of authenticated) expect([answer.status, answer.body.code]).toEqual([401, 'unknown_credentials']);
    for (const { answer } of limited) {
      expectAddressLimited(answer);
      expect(answer.headers['x-call-id']).toMatch(/^[0-9a-f-]{36}$/);
    }

    const journal = await journalRowsOf(calls.map(({ requestId }) => requestId));
    expect(journal).toHaveLength(calls.length);
    const byRequest = new Map(journal.map((row) => [row.request_id, row]));
    for (const { requestId } of limited) {
      expect(byRequest.get(requestId)).toEqual({ request_id: requestId, outcome: 'rate_limited', problem_code: 'address_rate_limited', http_status: 429, consumer_id: null });
    }
    for (const { requestId } of authenticated) expect(byRequest.get(requestId)).toMatchObject({ outcome: 'refused', problem_code: 'unknown_credentials' });

    // One audit record per call the limit let through to authentication, none for the calls it refused.
    expect(await auditedRequestIds(auditBefore)).toEqual(authenticated.map(({ requestId }) => requestId).sort());
  });

  it('leaves another address unaffected while one is over its limit', async () => {
    const flood = await burst(2 * BURST, (requestId) => lookupFrom('127.0.0.3', {}, requestId));
    expect(flood.filter(({ answer }) => answer.status === 429).length).toBeGreaterThan(0);

    const other = await lookupFrom('127.0.0.4', REGISTRY_HEADERS);
    expect([other.status, other.body]).toEqual([200, { fullName: citizen.fullName }]);
    // The flooding address stays refused, valid key or not: the limit is checked before the key is looked up.
    expectAddressLimited(await lookupFrom('127.0.0.3', REGISTRY_HEADERS));
  });

  it('serves valid calls within the limit, audited as usual', async () => {
    const requestIds: string[] = [];
    for (let call = 0; call < BURST; call += 1) {
      const requestId = uniqueRequestId('e2e-within');
      requestIds.push(requestId);
      const answer = await lookupFrom('127.0.0.5', REGISTRY_HEADERS, requestId);
      expect(answer.status).toBe(200);
    }
    const audit = await db.query(`SELECT outcome FROM access_audit WHERE request_id = ANY($1)`, [requestIds]);
    expect(audit).toEqual(requestIds.map(() => ({ outcome: 'ok' })));
  });

  it('answers bodies refused while parsed from an address over its limit with 429 too: journaled, not audited', async () => {
    const auditBefore = await lastAuditId(db);
    const calls = await burst(3 * BURST, (requestId) =>
      requestFrom('127.0.0.6', port, {
        method: 'POST',
        path: '/registry/v1/citizens/verify',
        headers: { 'content-type': 'application/json', 'x-service-code': '2.001159', 'x-request-id': requestId },
        body: '{"idNumber": ',
      }),
    );
    const limited = calls.filter(({ answer }) => answer.status === 429);
    const parsed = calls.filter(({ answer }) => answer.status !== 429);
    expect(parsed.length).toBeGreaterThanOrEqual(BURST);
    expect(parsed.length).toBeLessThanOrEqual(BURST + 1);
    for (const { answer } of parsed) expect([answer.status, answer.body.code]).toEqual([400, 'malformed_json']);
    for (const { answer } of limited) expectAddressLimited(answer);

    const journal = await journalRowsOf(limited.map(({ requestId }) => requestId));
    expect(journal.map(({ outcome, problem_code, http_status }) => ({ outcome, problem_code, http_status }))).toEqual(
      limited.map(() => ({ outcome: 'rate_limited', problem_code: 'address_rate_limited', http_status: 429 })),
    );
    expect(await auditedRequestIds(auditBefore)).toEqual(parsed.map(({ requestId }) => requestId).sort());
  });

  it('never limits an in-process call, which has no client address', async () => {
    const gate = app.get(AccessGate);
    const [developer] = await db.query(`SELECT consumer_id FROM consumers WHERE is_developer`);
    const admitted = [];
    for (let call = 0; call < 4 * BURST; call += 1) {
      const record = gate.open({
        requestId: uniqueRequestId('e2e-in-process'),
        consumerId: developer.consumer_id,
        serviceCode: 'SANDBOX-ALL',
        operation: 'lookup',
        citizensAskedAbout: 1,
        transport: 'in_process',
        ...receivedNow(),
        normalizedRequest: '{}',
      });
      admitted.push(await gate.admit(record));
    }
    expect(admitted).toHaveLength(4 * BURST);
  });
});
