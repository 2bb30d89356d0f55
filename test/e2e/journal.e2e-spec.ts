import { connect, type AddressInfo } from 'node:net';
import { describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { createTestConsumer, type TestConsumer } from '../factories/access.factory.js';
import { persona, unusedIdNumber, verifyBody } from '../factories/registry.factory.js';
import { expectEventually } from '../utils/expect-eventually.js';
import { ADMIN_AUTH, DEVELOPER_AUTH, REGISTRY_HEADERS, uniqueRequestId, useTestApp } from '../utils/test-app.js';
import { OPERATION_BY_ROUTE } from '../../src/registry/registry-http-calls.js';

/** A journal row as the database holds it, with the audit rows that name its call. */
interface JournalRowSeen {
  call_id: string;
  outcome: string;
  http_status: number | null;
  problem_code: string | null;
  fault_kind: string | null;
  consumer_id: string | null;
  service_code: string | null;
  operation: string;
  fields_requested: string[];
  fields_returned: string[];
  batch_ok: number | null;
  batch_mismatch: number | null;
  batch_not_found: number | null;
  batch_invalid: number | null;
  batch_refused: number | null;
  persona_key: string | null;
  fingerprint: string;
  transport: string;
  audit_rows: number;
  audit_outcomes: string[];
}

/**
 * The call journal: exactly one row per registry call, whatever way it ends, committed with the call's audit rows
 * (which name it), holding no ID number; searchable by its owner only.
 */
describe('call journal', () => {
  const testApp = useTestApp();
  const http = () => request(testApp.app.getHttpServer());

  /** The journal rows of a request id (a test gives each call its own), each with its audit rows. */
  async function journalRowsOf(requestId: string): Promise<JournalRowSeen[]> {
    return testApp.db.query(
      `SELECT j.*, (SELECT count(*)::int FROM access_audit a WHERE a.call_id = j.call_id) AS audit_rows,
              (SELECT coalesce(array_agg(a.outcome ORDER BY a.audit_id), '{}') FROM access_audit a WHERE a.call_id = j.call_id) AS audit_outcomes
       FROM call_journal j WHERE j.request_id = $1`,
      [requestId],
    );
  }

  /** The only journal row of the request id, and the audit rows of its request id that name no other call. */
  async function onlyRowOf(requestId: string): Promise<JournalRowSeen> {
    const rows = await journalRowsOf(requestId);
    expect(rows).toHaveLength(1);
    const [orphans] = await testApp.db.query(`SELECT count(*)::int AS n FROM access_audit WHERE request_id = $1 AND call_id IS DISTINCT FROM $2::uuid`, [requestId, rows[0].call_id]);
    expect(orphans.n).toBe(0);
    return rows[0];
  }

  it('knows every registry route but the field catalogue as a purpose-bound call (journaled by RegistryHttpCalls)', async () => {
    // A new registry route must be in OPERATION_BY_ROUTE (RegistryHttpCalls.run refuses any other), and the cases
    // below call each one and find its journal row: a handler that forgot to run its call through the pipeline
    // would serve unjournaled, and fail there.
    const document = (await http().get('/docs/openapi.json').expect(200)).body as { paths: Record<string, Record<string, unknown>> };
    const registryRoutes = Object.keys(document.paths)
      .filter((path) => path.startsWith('/registry/v1/') && path !== '/registry/v1/fields')
      .map((path) => path.replace(/\{(\w+)\}/g, ':$1'));
    expect(registryRoutes.sort()).toEqual(Object.keys(OPERATION_BY_ROUTE).sort());
  });

  const husband = persona('married-husband');
  const lookupPath = (idNumber: string, fields = 'fullName,dateOfBirth') => `/registry/v1/citizens/${idNumber}?fields=${fields}`;

  describe('exactly one row per call, with its audit rows', () => {
    it.each([
      {
        path: 'a served look-up',
        send: (id: string) => http().get(lookupPath(husband.idNumber)).set(REGISTRY_HEADERS).set('x-request-id', id),
        status: 200,
        row: { outcome: 'ok', http_status: 200, problem_code: null, operation: 'lookup', persona_key: 'married-husband', fields_requested: ['fullName', 'dateOfBirth'], fields_returned: ['fullName', 'dateOfBirth'] },
        audit: ['ok'],
      },
      {
        path: 'a look-up of nobody',
        send: (id: string) => http().get(lookupPath(unusedIdNumber())).set(REGISTRY_HEADERS).set('x-request-id', id),
        status: 404,
        row: { outcome: 'not_found', http_status: 404, problem_code: 'citizen_not_found', persona_key: null, fields_returned: [] },
        audit: ['not_found'],
      },
      {
        path: 'a verify that matches',
        send: (id: string) => http().post('/registry/v1/citizens/verify').set(REGISTRY_HEADERS).set('x-request-id', id).send(verifyBody()),
        status: 200,
        row: { outcome: 'ok', http_status: 200, operation: 'verify', fields_returned: ['idNumber', 'fullName', 'dateOfBirth'] },
        audit: ['match'],
      },
      {
        path: 'a verify that does not match',
        send: (id: string) => http().post('/registry/v1/citizens/verify').set(REGISTRY_HEADERS).set('x-request-id', id).send(verifyBody({ fullName: 'Someone Else' })),
        status: 200,
        row: { outcome: 'mismatch', http_status: 200 },
        audit: ['mismatch'],
      },
      {
        path: 'a verify of an unknown number',
        send: (id: string) => http().post('/registry/v1/citizens/verify').set(REGISTRY_HEADERS).set('x-request-id', id).send(verifyBody({ idNumber: unusedIdNumber() })),
        status: 200,
        row: { outcome: 'not_found', http_status: 200, fields_returned: [] },
        audit: ['not_found'],
      },
      {
        path: 'a verify-batch',
        send: (id: string) =>
          http()
            .post('/registry/v1/citizens/verify-batch')
            .set(REGISTRY_HEADERS)
            .set('x-request-id', id)
            .send({ items: [verifyBody(), verifyBody({ fullName: 'Someone Else' }), verifyBody({ idNumber: unusedIdNumber() }), { idNumber: '12' }] }),
        status: 200,
        row: { outcome: 'ok', operation: 'verify_batch_item', batch_ok: 1, batch_mismatch: 1, batch_not_found: 1, batch_invalid: 1, batch_refused: 0 },
        audit: ['match', 'mismatch', 'not_found', 'refused'],
      },
      {
        path: 'a call without a key',
        send: (id: string) => http().get(lookupPath(husband.idNumber)).set('x-service-code', 'SANDBOX-ALL').set('x-request-id', id),
        status: 401,
        row: { outcome: 'refused', http_status: 401, problem_code: 'missing_credentials', consumer_id: null },
        audit: ['refused'],
      },
      {
        path: 'a field outside the allow-list',
        send: (id: string) => http().get(lookupPath(husband.idNumber, 'religion')).set({ ...DEVELOPER_AUTH, 'x-service-code': '1.001456' }).set('x-request-id', id),
        status: 403,
        row: { outcome: 'refused', http_status: 403, problem_code: 'fields_not_allowed', service_code: '1.001456', fields_requested: ['religion'], fields_returned: [] },
        audit: ['refused'],
      },
      {
        path: 'an invalid ID number',
        send: (id: string) => http().get(lookupPath('00109901234')).set(REGISTRY_HEADERS).set('x-request-id', id),
        status: 400,
        row: { outcome: 'invalid', http_status: 400, problem_code: 'validation_failed' },
        audit: ['refused'],
      },
      {
        path: 'a body that is not JSON (refused while parsed)',
        send: (id: string) => http().post('/registry/v1/citizens/verify').set(REGISTRY_HEADERS).set('x-request-id', id).set('content-type', 'application/json').send('{"idNumber":'),
        status: 400,
        row: { outcome: 'invalid', http_status: 400, problem_code: 'malformed_json', operation: 'verify' },
        audit: ['refused'],
      },
      {
        path: 'a body over 1 MiB (refused while parsed)',
        send: (id: string) =>
          http().post('/registry/v1/citizens/verify-batch').set(REGISTRY_HEADERS).set('x-request-id', id).set('content-type', 'application/json').send(`{"items":["${'x'.repeat(1_100_000)}"]}`),
        status: 413,
        row: { outcome: 'invalid', http_status: 413, problem_code: 'payload_too_large' },
        audit: ['refused'],
      },
      {
        path: 'a body of another type (refused while parsed)',
        send: (id: string) => http().post('/registry/v1/citizens/verify').set(REGISTRY_HEADERS).set('x-request-id', id).set('content-type', 'text/plain').send('hello'),
        status: 415,
        row: { outcome: 'invalid', http_status: 415, problem_code: 'unsupported_media_type' },
        audit: ['refused'],
      },
      {
        path: 'a registry URL the router refuses (malformed percent-encoding), journaled but not audited',
        send: (id: string) => http().get('/registry/v1/citizens/%E0%A4%A').set(REGISTRY_HEADERS).set('x-request-id', id),
        status: 400,
        row: { outcome: 'invalid', http_status: 400, problem_code: 'malformed_url', operation: 'lookup' },
        audit: [],
      },
      {
        path: 'a registry path no route has, journaled but not audited',
        send: (id: string) => http().get(`/registry/v1/citizens/${husband.idNumber}/extra`).set(REGISTRY_HEADERS).set('x-request-id', id),
        status: 404,
        row: { outcome: 'not_found', http_status: 404, problem_code: 'route_not_found', operation: 'lookup' },
        audit: [],
      },
      {
        path: 'a registry route called with another method, journaled but not audited',
        send: (id: string) => http().put('/registry/v1/citizens/verify').set(REGISTRY_HEADERS).set('x-request-id', id).send({}),
        status: 404,
        row: { outcome: 'not_found', http_status: 404, operation: 'verify' },
        audit: [],
      },
      {
        path: 'a household',
        send: (id: string) => http().get('/registry/v1/households/HP0000000001').set(REGISTRY_HEADERS).set('x-request-id', id),
        status: 200,
        row: { outcome: 'ok', operation: 'household' },
        audit: null,
      },
      {
        path: 'a changes page',
        send: (id: string) => http().get('/registry/v1/changes?since=0&limit=5').set(REGISTRY_HEADERS).set('x-request-id', id),
        status: 200,
        row: { outcome: 'ok', operation: 'changes' },
        audit: null,
      },
    ])('$path', async ({ send, status, row, audit }) => {
      const requestId = uniqueRequestId('journal');
      const response = await send(requestId);
      expect(response.status).toBe(status);
      const seen = await onlyRowOf(requestId);
      expect(seen).toMatchObject({ transport: 'http', fault_kind: null, ...row });
      expect(response.headers['x-call-id']).toBe(seen.call_id);
      expect(seen.fingerprint).toMatch(/^[0-9a-f]{64}$/);
      if (audit) expect(seen.audit_outcomes).toEqual(audit);
      else expect(seen.audit_rows).toBeGreaterThan(0);
    });

    it('journals a call refused by the rate limit and one refused by the daily quota', async () => {
      const limited = await createTestConsumer(testApp.app, { serviceCodes: ['SANDBOX-ALL'], rateLimitPerSecond: 1, dailyQuota: 1_000 });
      const ids = [uniqueRequestId('rate'), uniqueRequestId('rate'), uniqueRequestId('rate')];
      const statuses = [];
      for (const id of ids) statuses.push((await http().get(lookupPath(husband.idNumber)).set({ ...limited.auth, 'x-service-code': 'SANDBOX-ALL', 'x-request-id': id })).status);
      expect(statuses).toContain(429);
      const rows = await Promise.all(ids.map(onlyRowOf));
      expect(rows.filter((r) => r.outcome === 'rate_limited').map((r) => [r.http_status, r.problem_code])).toContainEqual([429, 'rate_limited']);

      const quota = await createTestConsumer(testApp.app, { serviceCodes: ['SANDBOX-ALL'], dailyQuota: 1 });
      const [first, second] = [uniqueRequestId('quota'), uniqueRequestId('quota')];
      await http().get(lookupPath(husband.idNumber)).set({ ...quota.auth, 'x-service-code': 'SANDBOX-ALL', 'x-request-id': first }).expect(200);
      await expectEventually(async () => {
        const answer = await http().get(lookupPath(husband.idNumber)).set({ ...quota.auth, 'x-service-code': 'SANDBOX-ALL', 'x-request-id': second });
        expect(answer.status).toBe(429);
      });
      const refused = await testApp.db.query(`SELECT outcome, problem_code FROM call_journal WHERE request_id = $1`, [second]);
      expect(refused.length).toBeGreaterThanOrEqual(1);
      expect(refused.every((r: { outcome: string }) => r.outcome === 'quota_exhausted')).toBe(true);
    });

    it('counts a batch item refused for want of consent as refused, not invalid', async () => {
      const bank = await createTestConsumer(testApp.app, { kind: 'non_state', serviceCodes: ['SANDBOX-ALL'] });
      const requestId = uniqueRequestId('consent');
      await http().post('/registry/v1/citizens/verify-batch').set({ ...bank.auth, 'x-service-code': 'SANDBOX-ALL', 'x-request-id': requestId })
        .send({ items: [verifyBody(), { idNumber: '12' }] }).expect(200);
      expect(await onlyRowOf(requestId)).toMatchObject({ batch_ok: 0, batch_refused: 1, batch_invalid: 1 });
    });

    it('journals a call whose client went away before the answer', async () => {
      const server = testApp.app.getHttpServer();
      if (!server.address()) await testApp.app.listen(0, '127.0.0.1');
      const port = (server.address() as AddressInfo).port;
      const requestId = uniqueRequestId('aborted');
      await new Promise<void>((resolve) => {
        const socket = connect({ host: '127.0.0.1', port }, () => {
          socket.end(
            `GET ${lookupPath(husband.idNumber)} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: ${REGISTRY_HEADERS.authorization}\r\n` +
              `X-Service-Code: SANDBOX-ALL\r\nX-Request-Id: ${requestId}\r\n\r\n`,
          );
          socket.destroy();
          resolve();
        });
      });
      await expectEventually(async () => expect(await journalRowsOf(requestId)).toHaveLength(1));
      expect((await onlyRowOf(requestId)).audit_rows).toBe(1);
    });

    it('journals a call whose client went away in the middle of its body', async () => {
      const server = testApp.app.getHttpServer();
      if (!server.address()) await testApp.app.listen(0, '127.0.0.1');
      const port = (server.address() as AddressInfo).port;
      const requestId = uniqueRequestId('half-body');
      const socket = connect({ host: '127.0.0.1', port });
      await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
      socket.write(
        `POST /registry/v1/citizens/verify HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: ${REGISTRY_HEADERS.authorization}\r\n` +
          `X-Service-Code: SANDBOX-ALL\r\nX-Request-Id: ${requestId}\r\nContent-Type: application/json\r\nContent-Length: 200\r\n\r\n{"idNumber":"0010`,
      );
      await new Promise((resolve) => setTimeout(resolve, 50));
      socket.destroy();
      await expectEventually(async () => expect(await journalRowsOf(requestId)).toHaveLength(1));
      const row = await onlyRowOf(requestId);
      expect(row).toMatchObject({ operation: 'verify', outcome: 'invalid' });
    });

    it('holds no ID number and no citizen pseudonym', async () => {
      const requestId = uniqueRequestId('private');
      await http().get(lookupPath(husband.idNumber, 'fullName,spouse')).set(REGISTRY_HEADERS).set('x-request-id', requestId).expect(200);
      const [row] = await testApp.db.query(`SELECT (to_jsonb(j) - 'fingerprint' - 'call_id')::text AS text FROM call_journal j WHERE request_id = $1`, [requestId]);
      const [audit] = await testApp.db.query(`SELECT citizen_hmac FROM access_audit WHERE request_id = $1 LIMIT 1`, [requestId]);
      // The hex of the fingerprint and of the call id may hold 12 digits in a row by chance; no other column may.
    expect(row.text).not.toMatch(/\d{12}/);
      expect(row.text).not.toContain(audit.citizen_hmac.trim());
    });

    it('gives repeats of one request one fingerprint, and another request another', async () => {
      const [a, b, c] = [uniqueRequestId('fp'), uniqueRequestId('fp'), uniqueRequestId('fp')];
      await http().get(lookupPath(husband.idNumber)).set(REGISTRY_HEADERS).set('x-request-id', a).expect(200);
      await http().get(lookupPath(husband.idNumber)).set(REGISTRY_HEADERS).set('x-request-id', b).expect(200);
      await http().get(lookupPath(husband.idNumber, 'fullName')).set(REGISTRY_HEADERS).set('x-request-id', c).expect(200);
      const [ra, rb, rc] = [await onlyRowOf(a), await onlyRowOf(b), await onlyRowOf(c)];
      expect(ra.fingerprint).toBe(rb.fingerprint);
      expect(rc.fingerprint).not.toBe(ra.fingerprint);
    });
  });

  describe('search', () => {
    let alice: TestConsumer;
    let bob: TestConsumer;
    const aliceIds: string[] = [];
    const bobIds: string[] = [];

    const callAs = async (consumer: TestConsumer, ids: string[], label: string, path = lookupPath(husband.idNumber)) => {
      const id = uniqueRequestId(label);
      ids.push(id);
      await http().get(path).set({ ...consumer.auth, 'x-service-code': 'SANDBOX-ALL', 'x-request-id': id });
    };

    it('shows a consumer its own calls only, each once across pages', async () => {
      alice = await createTestConsumer(testApp.app, { serviceCodes: ['SANDBOX-ALL'] });
      bob = await createTestConsumer(testApp.app, { serviceCodes: ['SANDBOX-ALL'] });
      for (let i = 0; i < 7; i++) await callAs(alice, aliceIds, 'alice', i % 3 === 0 ? lookupPath(unusedIdNumber()) : lookupPath(husband.idNumber));
      for (let i = 0; i < 4; i++) await callAs(bob, bobIds, 'bob');

      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page: request.Response = await http().get(`/journal/v1/calls?limit=3${cursor ? `&cursor=${cursor}` : ''}`).set(alice.auth).expect(200);
        expect(page.body.calls.length).toBeLessThanOrEqual(3);
        seen.push(...page.body.calls.map((call: { requestId: string; consumerId: string }) => {
          expect(call.consumerId).toBe(alice.consumerId);
          return call.requestId;
        }));
        cursor = page.body.nextCursor;
      } while (cursor);
      expect(seen.sort()).toEqual([...aliceIds].sort());

      // Asking for another consumer's calls shows nothing; the admin key sees both.
      const asked = await http().get(`/journal/v1/calls?consumerId=${bob.consumerId}`).set(alice.auth).expect(200);
      expect(asked.body.calls).toEqual([]);
      const admin = await http().get(`/journal/v1/calls?consumerId=${bob.consumerId}&limit=200`).set(ADMIN_AUTH).expect(200);
      expect(admin.body.calls.map((c: { requestId: string }) => c.requestId).sort()).toEqual([...bobIds].sort());
    });

    it('answers another consumer\'s call with 404, not 403', async () => {
      const [bobsCall] = await testApp.db.query(`SELECT call_id FROM call_journal WHERE request_id = $1`, [bobIds[0]]);
      const refused = await http().get(`/journal/v1/calls/${bobsCall.call_id}`).set(alice.auth).expect(404);
      expect(refused.body.code).toBe('call_not_found');
      const own = await http().get(`/journal/v1/calls/${bobsCall.call_id}`).set(bob.auth).expect(200);
      expect(own.body).toMatchObject({ callId: bobsCall.call_id, consumerId: bob.consumerId, requestId: bobIds[0], outcome: 'ok', httpStatus: 200 });
    });

    it('finds a call by its id alone: at the id\'s millisecond, or up to two seconds before it (calls journaled before ids carried it)', async () => {
      const [bobsCall] = await testApp.db.query(`SELECT call_id, received_at FROM call_journal WHERE request_id = $1`, [bobIds[0]]);
      // A call id is made of the millisecond the call was received: the journal finds it by its primary key.
      expect(Number.parseInt(bobsCall.call_id.replace(/-/g, '').slice(0, 12), 16)).toBe(new Date(bobsCall.received_at).getTime());
      // A row written before that, whose id was made 1.5 s after its receipt, and one made 3 s after.
      const receivedAt = Date.now() - 60_000;
      const idAt = (ms: number) => `${ms.toString(16).padStart(12, '0').replace(/^(.{8})(.{4})$/, '$1-$2')}-7abc-8def-${'0123456789ab'}`;
      const [late, tooLate] = [idAt(receivedAt + 1_500), idAt(receivedAt + 3_000)];
      for (const callId of [late, tooLate]) {
        await testApp.db.query(
          `INSERT INTO call_journal (call_id, received_at, request_id, transport, operation, outcome, http_status, problem_code, latency_ms, fingerprint)
           VALUES ($1, $2, $3, 'http', 'lookup', 'refused', 401, 'unknown_credentials', 1, $4)`,
          [callId, new Date(receivedAt).toISOString(), uniqueRequestId('old-id'), 'f'.repeat(64)],
        );
      }
      // Calls of no consumer (an unknown key), so that only the admin key sees them and no consumer's listing changes.
      await http().get(`/journal/v1/calls/${late}`).set(ADMIN_AUTH).expect(200);
      await http().get(`/journal/v1/calls/${tooLate}`).set(ADMIN_AUTH).expect(404);
    });

    it('filters by outcome, operation, request id, persona and time, newest first', async () => {
      const notFound = await http().get('/journal/v1/calls?outcome=not_found&limit=200').set(alice.auth).expect(200);
      expect(notFound.body.calls).toHaveLength(3);
      const byRequest = await http().get(`/journal/v1/calls?requestId=${aliceIds[1]}`).set(alice.auth).expect(200);
      expect(byRequest.body.calls.map((c: { requestId: string }) => c.requestId)).toEqual([aliceIds[1]]);
      const byPersona = await http().get('/journal/v1/calls?personaKey=married-husband&operation=lookup&limit=200').set(alice.auth).expect(200);
      expect(byPersona.body.calls).toHaveLength(4);
      const times = byPersona.body.calls.map((c: { receivedAt: string }) => c.receivedAt);
      expect([...times].sort().reverse()).toEqual(times);
      const future = await http().get(`/journal/v1/calls?from=${encodeURIComponent(new Date(Date.now() + 3_600_000).toISOString())}`).set(alice.auth).expect(200);
      expect(future.body.calls).toEqual([]);
    });

    it('exports the same calls as CSV, every page', async () => {
      const csv = await http().get('/journal/v1/calls').set(alice.auth).set('accept', 'text/csv').expect(200);
      expect(csv.headers['content-type']).toMatch(/^text\/csv/);
      const lines = csv.text.trim().split('\r\n');
      expect(lines[0].split(',')).toEqual(expect.arrayContaining(['callId', 'receivedAt', 'requestId', 'outcome', 'httpStatus', 'fingerprint']));
      expect(lines).toHaveLength(1 + aliceIds.length);
      for (const id of aliceIds) expect(csv.text).toContain(id);
      for (const id of bobIds) expect(csv.text).not.toContain(id);
    });

    it.each([
      ['limit=0', 'query.limit', 'min'],
      ['limit=201', 'query.limit', 'max'],
      ['cursor=not-a-cursor', 'query.cursor', 'format'],
      ['outcome=great', 'query.outcome', 'enum'],
      ['from=yesterday', 'query.from', 'format'],
      ['unknown=1', 'query.unknown', 'unknown_property'],
    ])('refuses %s with a problem naming %s', async (query, field, rule) => {
      const response = await http().get(`/journal/v1/calls?${query}`).set(ADMIN_AUTH).expect(400);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field })]));
      expect(response.body.errors.map((e: { rule: string }) => e.rule).join(',')).toMatch(new RegExp(rule));
    });

    it('needs a key', async () => {
      await http().get('/journal/v1/calls').expect(401);
    });
  });

  it('counts calls by service, operation and outcome as they commit', async () => {
    await http().get(lookupPath(husband.idNumber)).set(REGISTRY_HEADERS).expect(200);
    const metrics = await http().get('/ops/metrics').set(ADMIN_AUTH).expect(200);
    expect(metrics.text).toMatch(/popgate_registry_calls_total\{service="SANDBOX-ALL",operation="lookup",outcome="ok"\} \d+/);
    expect(metrics.text).toMatch(/popgate_registry_call_duration_seconds_bucket\{le="[^"]+",service="SANDBOX-ALL",operation="lookup"\}/);
    expect(metrics.text).toMatch(/popgate_journal_partitions_ahead \d+/);
  });
});
