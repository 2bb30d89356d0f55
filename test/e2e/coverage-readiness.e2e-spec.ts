import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { createTestConsumer, type TestConsumer } from '../factories/access.factory.js';
import { persona, unusedIdNumber } from '../factories/registry.factory.js';
import { expectProblem } from '../utils/problem.js';
import { ADMIN_AUTH, uniqueRequestId, useTestApp } from '../utils/test-app.js';

// Managers read any consumer's readiness: this file's app knows a manager key (read when the app is created).
const outerManagerKey = process.env.MANAGER_API_KEY;
process.env.MANAGER_API_KEY = 'test-manager-key-readiness-000000000';
const MANAGER_BEARER = { authorization: `Bearer ${process.env.MANAGER_API_KEY}` };
const MANAGER_BASIC = { authorization: `Basic ${Buffer.from(`manager:${process.env.MANAGER_API_KEY}`).toString('base64')}` };

const SERVICE = 'SANDBOX-ALL';
afterAll(() => {
  if (outerManagerKey === undefined) delete process.env.MANAGER_API_KEY;
  else process.env.MANAGER_API_KEY = outerManagerKey;
});
const SECOND = 1_000;
const MINUTE = 60 * SECOND;

/** One planned call: the fault it meets (X-Sandbox-Fault), its request id, its citizen, and when it is to have happened. */
interface Step {
  fault?: string;
  requestId: string;
  idNumber?: string;
  atMs: number;
}

interface ChecklistItem {
  item: string;
  status: string;
  failures: number;
  evidence: { callId: string; finding: string; next: { callId: string; gapMs: number; sameRequestId: boolean }[] }[];
}

/**
 * GET /coverage/v1/consumers/{id}/scenarios over real journal rows: each test drives a client's calls through the
 * gateway with X-Sandbox-Fault headers, then moves the rows' receipt times with SQL to the gaps the client is
 * meant to have waited (so nothing sleeps), and reads the verdict the way a developer would.
 */
describe('go-live readiness per consumer', () => {
  const testApp = useTestApp();
  const server = () => testApp.app.getHttpServer();
  const husband = persona('married-husband');
  const wife = persona('married-wife');

  /** Makes the steps' calls, in order, then sets each row's received_at to `base + atMs` (base: two hours ago). */
  async function play(consumer: TestConsumer, steps: Step[]): Promise<string[]> {
    const callIds: string[] = [];
    for (const step of steps) {
      const headers: Record<string, string> = { ...consumer.auth, 'x-service-code': SERVICE, 'x-request-id': step.requestId };
      if (step.fault) headers['x-sandbox-fault'] = step.fault;
      const before = await lastCallOf(consumer.consumerId);
      // A timeout or a reset answers nothing: the client's own error is what it reads.
      await request(server())
        .get(`/registry/v1/citizens/${step.idNumber ?? husband.idNumber}?fields=fullName,dateOfBirth`)
        .set(headers)
        .timeout(5_000)
        .catch(() => undefined);
      const made = await lastCallOf(consumer.consumerId);
      if (!made || made === before) throw new Error(`no journal row for ${step.requestId}`);
      callIds.push(made);
    }
    const base = Date.now() - 2 * 60 * MINUTE;
    for (const [index, step] of steps.entries()) {
      await testApp.db.query(`UPDATE call_journal SET received_at = $2 WHERE consumer_id = $3 AND call_id = $1`, [callIds[index], new Date(base + step.atMs), consumer.consumerId]);
    }
    return callIds;
  }

  async function lastCallOf(consumerId: string): Promise<string | undefined> {
    const rows: { call_id: string }[] = await testApp.db.query(`SELECT call_id FROM call_journal WHERE consumer_id = $1 ORDER BY received_at DESC, call_id DESC LIMIT 1`, [consumerId]);
    return rows[0]?.call_id;
  }

  async function readiness(consumer: TestConsumer, auth = consumer.auth) {
    const response = await request(server()).get(`/coverage/v1/consumers/${consumer.consumerId}/scenarios`).set(auth).expect(200);
    const service = response.body.services.find((s: { serviceCode: string }) => s.serviceCode === SERVICE);
    const item = (name: string): ChecklistItem => service.checklist.find((entry: ChecklistItem) => entry.item === name);
    return { body: response.body, service, item };
  }

  const fresh = () => createTestConsumer(testApp.app, { serviceCodes: [SERVICE] });

  it('finds a well-built client ready: it backs off, keeps its request id, waits Retry-After, stops after a 404', async () => {
    const client = await fresh();
    // Each scenario 15 minutes after the last, beyond the retry window: no scenario's calls read as another's retries.
    const scenario = (n: number, fault: string, retries: number[], idNumber = husband.idNumber): Step[] => {
      const requestId = uniqueRequestId(`ready-${n}`);
      return [{ fault, requestId, idNumber, atMs: n * 15 * MINUTE }, ...retries.map((gap) => ({ requestId, idNumber, atMs: n * 15 * MINUTE + gap }))];
    };
    const serverError = uniqueRequestId('ready-2');
    const steps = [
      ...scenario(0, 'unavailable', [6 * SECOND]),
      ...scenario(1, 'rate_limited', [2 * SECOND]),
      // Two failures in a row, then waits of 2 s and 4 s: a backoff.
      { fault: 'server_error', requestId: serverError, atMs: 30 * MINUTE },
      { fault: 'server_error', requestId: serverError, atMs: 30 * MINUTE + 2 * SECOND },
      { requestId: serverError, atMs: 30 * MINUTE + 6 * SECOND },
      ...scenario(3, 'timeout; afterMs=20', [3 * SECOND]),
      ...scenario(4, 'reset', [2 * SECOND]),
      ...scenario(5, 'malformed', [2 * SECOND]),
      ...scenario(6, 'slow_body; durationMs=20', []),
      { requestId: uniqueRequestId('ready-7'), idNumber: unusedIdNumber(), atMs: 105 * MINUTE },
    ];
    await play(client, steps);

    const { service, item } = await readiness(client);
    expect(service.checklist.map((entry: ChecklistItem) => [entry.item, entry.status])).toEqual([
      ['after_unavailable', 'passed'],
      ['after_rate_limited', 'passed'],
      ['after_server_error', 'passed'],
      ['after_timeout', 'passed'],
      ['after_reset', 'passed'],
      ['after_malformed', 'passed'],
      ['after_slow_body', 'passed'],
      ['same_request_id_on_retry', 'passed'],
      ['stops_after_permanent_error', 'passed'],
      ['fields_within_allow_list', 'passed'],
    ]);
    expect(service).toMatchObject({ verdict: 'ready', calls: steps.length });
    expect(item('after_server_error').evidence[0].finding).toBe('backed off: waited 4000 ms after waiting 2000 ms before');
    expect(item('after_unavailable').evidence[0].next[0]).toMatchObject({ gapMs: 6000, sameRequestId: true });
    expect(item('stops_after_permanent_error').evidence[0].finding).toBe('stopped after 404 citizen_not_found');
    // The persona asked about shows as a met look-up scenario (fullName and dateOfBirth show its case).
    const [{ served }] = await testApp.db.query(`SELECT count(*)::int AS served FROM call_journal WHERE consumer_id = $1 AND persona_key = 'married-husband'`, [client.consumerId]);
    expect(served).toBeGreaterThan(0);
    expect(service.personas.exercised).toEqual([expect.objectContaining({ operation: 'lookup', personaKey: 'married-husband', calls: served })]);
  });

  describe('a client that misbehaves is not_ready, with the failing item named', () => {
    it('floods after a 503', async () => {
      const client = await fresh();
      const requestId = uniqueRequestId('flood');
      const callIds = await play(client, [{ fault: 'unavailable', requestId, atMs: 0 }, ...[1, 2, 3].map((n) => ({ requestId, atMs: n * 150 }))]);
      const { service, item } = await readiness(client);
      expect(service).toMatchObject({ verdict: 'not_ready', reason: 'Failed: after_unavailable.' });
      expect(item('after_unavailable')).toMatchObject({ status: 'failed', failures: 1 });
      expect(item('after_unavailable').evidence[0]).toMatchObject({ callId: callIds[0], finding: 'retried 150 ms later (at least 1000 ms expected)' });
      // The chain ends at the first answer (the retry 150 ms later): what came after it is not a retry.
      expect(item('after_unavailable').evidence[0].next.map((n) => n.callId)).toEqual(callIds.slice(1, 2));
      // The journal shows the Retry-After the 503 carried (by request id: the rows were moved in time, so an id no
      // longer names its millisecond).
      const journaled = await request(server()).get('/journal/v1/calls').query({ requestId }).set(client.auth).expect(200);
      expect(journaled.body.calls.map((c: { retryAfterSeconds: number | null }) => c.retryAfterSeconds)).toEqual([null, null, null, 5]);
    });

    it('changes its request id when it retries', async () => {
      const client = await fresh();
      const [first, second] = [uniqueRequestId('rid-a'), uniqueRequestId('rid-b')];
      await play(client, [{ fault: 'server_error', requestId: first, atMs: 0 }, { requestId: second, atMs: 3 * SECOND }]);
      const { service, item } = await readiness(client);
      expect(service.verdict).toBe('not_ready');
      expect(item('same_request_id_on_retry')).toMatchObject({ status: 'failed', evidence: [expect.objectContaining({ finding: `retried as ${second}, not ${first}` })] });
      // The backoff itself was fine: only the request id is at fault.
      expect(item('after_server_error').status).toBe('passed');
    });

    it('ignores Retry-After: the one the journal recorded, here 30 s', async () => {
      const client = await fresh();
      const requestId = uniqueRequestId('ra');
      await play(client, [{ fault: 'rate_limited; retryAfterSeconds=30', requestId, idNumber: wife.idNumber, atMs: 0 }, { requestId, idNumber: wife.idNumber, atMs: 5 * SECOND }]);
      const { service, item } = await readiness(client);
      expect(service).toMatchObject({ verdict: 'not_ready', reason: 'Failed: after_rate_limited.' });
      expect(item('after_rate_limited').evidence[0].finding).toBe('retried 5000 ms later, before the Retry-After of 30 s');
    });

    it("ignores the Retry-After of a real rate limit (the consumer's limit of one call per second)", async () => {
      const client = await createTestConsumer(testApp.app, { serviceCodes: [SERVICE], rateLimitPerSecond: 1 });
      const requestId = uniqueRequestId('real-429');
      // The second call within the second meets the limiter's own 429.
      await play(client, [{ requestId: uniqueRequestId('first'), idNumber: wife.idNumber, atMs: 0 }, { requestId, atMs: SECOND }, { requestId, atMs: SECOND + 300 }]);
      const [row] = await testApp.db.query(`SELECT outcome, retry_after_s FROM call_journal WHERE consumer_id = $1 AND request_id = $2 ORDER BY received_at LIMIT 1`, [client.consumerId, requestId]);
      expect(row).toEqual({ outcome: 'rate_limited', retry_after_s: 1 });
      const { item } = await readiness(client);
      // The retry met the limit too, and the client stopped there: that second 429 passes.
      expect(item('after_rate_limited')).toMatchObject({ status: 'failed', instances: 2, failures: 1 });
      expect(item('after_rate_limited').evidence[0]).toMatchObject({ finding: 'retried 300 ms later, before the Retry-After of 1 s', faultKind: null, passed: false });
    });

    it('retries a 404; and the items it never exercised show as such', async () => {
      const client = await fresh();
      const requestId = uniqueRequestId('nf');
      const missing = unusedIdNumber();
      await play(client, [{ requestId, idNumber: missing, atMs: 0 }, { requestId, idNumber: missing, atMs: 5 * SECOND }]);
      const { service, item } = await readiness(client);
      expect(service).toMatchObject({ verdict: 'not_ready', reason: 'Failed: stops_after_permanent_error.' });
      expect(item('stops_after_permanent_error').evidence[0].finding).toBe('sent the request again 1 time(s) after 404 citizen_not_found, first 5000 ms later');
      for (const untried of ['after_unavailable', 'after_rate_limited', 'after_timeout', 'after_reset', 'same_request_id_on_retry']) {
        expect(item(untried)).toMatchObject({ status: 'not_exercised', evidence: [] });
      }
    });
  });

  it('calls a consumer with no calls untested, and exports the report as CSV', async () => {
    const client = await fresh();
    const { service } = await readiness(client);
    expect(service).toMatchObject({ verdict: 'untested', reason: 'No calls of this service in the period.', calls: 0 });
    expect(service.checklist.every((entry: ChecklistItem) => entry.status === 'not_exercised')).toBe(true);

    const csv = await request(server()).get(`/coverage/v1/consumers/${client.consumerId}/scenarios`).set({ ...client.auth, accept: 'text/csv' }).expect(200);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    const lines = csv.text.trimEnd().split('\r\n');
    expect(lines[0]).toBe('serviceCode,verdict,section,item,status,instances,failures,callIds,times,findings');
    expect(lines[1]).toBe(`${SERVICE},untested,checklist,after_unavailable,not_exercised,0,0,,,`);
    expect(lines).toContain(`${SERVICE},untested,persona,verify:married-husband,not_exercised,0,0,,,`);
  });

  it('reads at most 20,000 calls, the newest, by keyset pages, and says it truncated', async () => {
    const client = await fresh();
    // 20,003 calls over the last hour, one per 100 ms, the newest a second ago: the oldest three are left out.
    await testApp.db.query(
      `INSERT INTO call_journal (call_id, received_at, request_id, transport, consumer_id, service_code, operation, outcome, http_status, latency_ms, fingerprint)
       SELECT gen_random_uuid(), now() - interval '1 second' - n * interval '100 milliseconds', 'bulk-' || n, 'http', $1::uuid, $2, 'lookup', 'ok', 200, 1, md5(n::text) || md5(n::text)
       FROM generate_series(0, 20002) AS n`,
      [client.consumerId, SERVICE],
    );
    const [{ oldestRead }] = await testApp.db.query(
      `SELECT received_at AS "oldestRead" FROM call_journal WHERE consumer_id = $1 ORDER BY received_at DESC, call_id DESC OFFSET 19999 LIMIT 1`,
      [client.consumerId],
    );
    const { body, service } = await readiness(client);
    expect(body).toMatchObject({ analysedCalls: 20_000, truncated: true, analysedFrom: (oldestRead as Date).toISOString() });
    expect(service.calls).toBe(20_000);
  });

  describe('access and input', () => {
    let client: TestConsumer;
    let other: TestConsumer;
    beforeAll(async () => {
      [client, other] = await Promise.all([fresh(), fresh()]);
    });

    it("lets a consumer read its own readiness and the admin anyone's, and refuses another consumer's with 403", async () => {
      await readiness(client);
      expect((await readiness(client, ADMIN_AUTH)).body).toMatchObject({ consumerId: client.consumerId, consumerName: client.name });
      const refused = await request(server()).get(`/coverage/v1/consumers/${other.consumerId}/scenarios`).set(client.auth);
      expectProblem(refused, 403, 'not_own_consumer');
      expectProblem(await request(server()).get(`/coverage/v1/consumers/${other.consumerId}/scenarios`), 401, 'missing_credentials');
    });

    it("lets a manager read any consumer's readiness (Bearer or Basic), and the manager's key opens nothing of the operator's", async () => {
      for (const auth of [MANAGER_BEARER, MANAGER_BASIC]) {
        expect((await readiness(other, auth)).body).toMatchObject({ consumerId: other.consumerId, consumerName: other.name });
      }
      expectProblem(await request(server()).get('/ops/queues').set(MANAGER_BEARER), 401, 'unknown_credentials');
      expectProblem(await request(server()).get('/journal/v1/calls').set(MANAGER_BEARER), 401, 'unknown_credentials');
      const wrong = { authorization: `Basic ${Buffer.from('manager:not-the-manager-key-0000000000000').toString('base64')}` };
      expectProblem(await request(server()).get(`/coverage/v1/consumers/${other.consumerId}/scenarios`).set(wrong), 401, 'unknown_credentials');
    });

    it('answers 404 for an unknown consumer and 400 naming the field for a bad id or period', async () => {
      expectProblem(await request(server()).get('/coverage/v1/consumers/00000000-0000-4000-8000-000000000000/scenarios').set(ADMIN_AUTH), 404, 'consumer_not_found');
      const badId = await request(server()).get('/coverage/v1/consumers/nobody/scenarios').set(ADMIN_AUTH);
      expectProblem(badId, 400, 'validation_failed');
      expect(badId.body.errors).toEqual([expect.objectContaining({ field: 'consumerId' })]);
      const path = `/coverage/v1/consumers/${client.consumerId}/scenarios`;
      const backwards = await request(server()).get(`${path}?from=2026-12-01T00:00:00Z&to=2026-11-30T00:00:00Z`).set(client.auth);
      expectProblem(backwards, 400, 'validation_failed');
      expect(backwards.body.errors).toEqual([expect.objectContaining({ field: 'query.to', rule: 'range' })]);
      const tooLong = await request(server()).get(`${path}?from=2026-10-01T00:00:00Z&to=2026-11-30T00:00:00Z`).set(client.auth);
      expect(tooLong.body.errors).toEqual([expect.objectContaining({ field: 'query.from', rule: 'max_period' })]);
      const notADate = await request(server()).get(`${path}?from=yesterday`).set(client.auth);
      expect(notADate.body.errors).toEqual([expect.objectContaining({ field: 'query.from' })]);
    });

    it('reads only the period asked for', async () => {
      const requestId = uniqueRequestId('period');
      await play(client, [{ fault: 'unavailable', requestId, atMs: 0 }, { requestId, atMs: 100 }]);
      const inside = await readiness(client);
      expect(inside.service).toMatchObject({ verdict: 'not_ready', calls: 2 });
      const later = await request(server())
        .get(`/coverage/v1/consumers/${client.consumerId}/scenarios?from=${encodeURIComponent(new Date(Date.now() - 60 * MINUTE).toISOString())}`)
        .set(client.auth)
        .expect(200);
      expect(later.body.services[0]).toMatchObject({ serviceCode: SERVICE, verdict: 'untested', calls: 0 });
      expect(later.body.analysedCalls).toBe(0);
    });
  });
});
