import { beforeAll, describe, expect, it } from '@jest/globals';
import type { AddressInfo } from 'node:net';
import { Validator } from '@seriousme/openapi-schema-validator';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { auditRowsAfter, lastAuditId, writableState } from '../utils/database-state.js';
import { expectProblem } from '../utils/problem.js';
import { sendRawHttp } from '../utils/raw-http.js';
import { maskIdNumber } from '../../src/identity/id-number.js';
import { REGISTRY_HEADERS, uniqueRequestId, useTestApp } from '../utils/test-app.js';

/** Cross-cutting behaviour of the HTTP gateway: health, OpenAPI, request ids and the problem+json error shape. */
describe('gateway', () => {
  const testApp = useTestApp({ seed: false });

  beforeAll(async () => {

  });

  const http = () => request(testApp.app.getHttpServer());
  /** The operations anyone may call, without a key. */
  const PUBLIC_OPERATIONS = ['GET /health', 'GET /health/ready', 'GET /registry/v1/fields', 'GET /portal/v1/services', 'GET /portal/v1/services/{code}', 'POST /sandbox/developers', 'GET /sandbox/fault-kinds',
    'GET /dashboard', 'POST /dashboard/login', 'POST /dashboard/logout', 'GET /dashboard/session', 'GET /dashboard/assets/{file}'];
  /** An officer's own (valid) ID number and a dossier: a refused call records both, as a served one does. */
  const OFFICER = '001090999921';
  const PURPOSE_DETAILS = { 'x-dossier-id': 'HS-GATEWAY-1', 'x-officer-id': OFFICER };

  /**
   * Runs a registry call that the HTTP layer refuses (its body cannot be parsed) and checks that it wrote nothing but
   * the audit record of the refusal: every writable table as it was, and one refused record naming the consumer, the
   * service and the problem code, although the call never reached the registry.
   */
  async function expectOnlyTheRefusalAudited(send: () => Promise<request.Response>): Promise<request.Response> {
    const db = testApp.app.get(DataSource);
    const [stateBefore, auditIdBefore] = [await writableState(db), await lastAuditId(db)];
    const response = await send();
    expect(await writableState(db)).toEqual(stateBefore);
    const audited = await db.query(
      `SELECT request_id, outcome, reason, consumer_id IS NOT NULL AS has_consumer, service_code, dossier_id, officer_masked
       FROM access_audit WHERE audit_id > $1`,
      [auditIdBefore],
    );
    expect(audited).toEqual([
      {
        request_id: response.headers['x-request-id'],
        outcome: 'refused',
        reason: response.body.code,
        has_consumer: true,
        service_code: 'SANDBOX-ALL',
        dossier_id: 'HS-GATEWAY-1',
        officer_masked: maskIdNumber(OFFICER),
      },
    ]);
    return response;
  }

  it('answers liveness and readiness with both backing services up', async () => {
    await http().get('/health').expect(200).expect(({ body }) => expect(body.status).toBe('ok'));
    const ready = await http().get('/health/ready').expect(200);
    expect(ready.body.details).toEqual({ postgres: { status: 'up' }, redis: { status: 'up' }, journal: { status: 'up', partitionDaysAhead: expect.any(Number) } });
    expect(ready.body.details.journal.partitionDaysAhead).toBeGreaterThanOrEqual(7);
  });

  it('serves a valid OpenAPI 3 document in which every operation has responses, says who may call it, and every body has a schema and an example', async () => {
    const response = await http().get('/docs/openapi.json').expect(200);
    const document = response.body;
    const validation = await new Validator().validate(document);
    expect(validation.errors ?? []).toEqual([]);
    expect(validation.valid).toBe(true);
    expect(document.openapi).toMatch(/^3\./);
    expect(document.servers).toEqual([{ url: 'http://localhost:3000', description: expect.any(String) }]);
    // The keys are opaque `pgk_...` tokens, not JWTs.
    // Basic authentication is Bull Board's alone: a browser sends no bearer key.
    expect(document.components.securitySchemes).toEqual({
      bearer: { type: 'http', scheme: 'bearer', description: expect.stringContaining('pgk_') },
      basic: { type: 'http', scheme: 'basic', description: expect.stringContaining('/ops/board') },
    });
    const operations = Object.entries(document.paths as Record<string, Record<string, any>>).flatMap(([path, item]) =>
      Object.entries(item).map(([method, operation]) => ({ path, method, operation })),
    );
    expect(operations.length).toBeGreaterThanOrEqual(12);
    for (const { path, method, operation } of operations) {
      // Public operations say `security: []`, the others name the bearer key: nothing is left to a generator's default.
      const operationName = `${method.toUpperCase()} ${path}`;
      // Basic (a key as the password) where a browser reads: Bull Board, and the managers' reads of /coverage/v1.
      const managersRead = method === 'get' && path.startsWith('/coverage/v1/');
      const expectedSecurity = PUBLIC_OPERATIONS.includes(operationName)
        ? []
        : operationName === 'GET /ops/board'
          ? [{ basic: [] }, { bearer: [] }]
          : managersRead
            ? [{ bearer: [] }, { basic: [] }]
            : [{ bearer: [] }];
      expect([path, method, operation.security]).toEqual([path, method, expectedSecurity]);
      // A form post's success is a redirect (the dashboard's sign-in and sign-out: 303).
      const success = Object.entries(operation.responses ?? {}).find(([status]) => status.startsWith('2') || status === '303');
      expect([path, method, success !== undefined]).toEqual([path, method, true]);
      const content = (success![1] as { content?: Record<string, { schema?: unknown; example?: unknown }> }).content;
      if (['/registry', '/sandbox', '/portal', '/access'].some((prefix) => path.startsWith(prefix)) && success![0] !== '204') {
        const json = content?.['application/json'];
        expect([path, method, json?.schema !== undefined, json?.example !== undefined]).toEqual([path, method, true, true]);
      }
      if (operation.requestBody) {
        const body = operation.requestBody.content['application/json'] ?? operation.requestBody.content['application/x-www-form-urlencoded'];
        expect([path, method, body.schema !== undefined, body.schema.example !== undefined || body.example !== undefined]).toEqual([path, method, true, true]);
      }
    }
    await http().get('/docs').expect(200).expect('content-type', /html/);
  });

  it('echoes a well-formed X-Request-Id and generates one otherwise', async () => {
    const echoed = await http().get('/health').set('X-Request-Id', 'trace-123.abc').expect(200);
    expect(echoed.headers['x-request-id']).toBe('trace-123.abc');
    const generated = await http().get('/health').expect(200);
    expect(generated.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const refused = await http().get('/health').set('X-Request-Id', 'bad id with spaces').expect(200);
    expect(refused.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers an unknown route with a 404 problem document carrying the request id, and audits nothing (no registry call)', async () => {
    const auditIdBefore = await lastAuditId(testApp.app.get(DataSource));
    const response = await http().get('/no/such/route').set('X-Request-Id', 'req-404').expect(404);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.body).toMatchObject({ status: 404, code: 'route_not_found', type: 'urn:popgate:problem:route_not_found', requestId: 'req-404' });
    expect(response.headers['x-request-id']).toBe('req-404');
    await http().get('/registry/v1/nothing-here').set(REGISTRY_HEADERS).expect(404);
    expect(await auditRowsAfter(testApp.app.get(DataSource), auditIdBefore)).toEqual([]);
  });

  it('puts X-Request-Id on the router\'s refusals too: malformed percent-encoding (400) and an over-long path (414)', async () => {
    const refusals = [
      { url: '/registry/v1/citizens/%C0%AF', status: 400, code: 'malformed_url' },
      { url: `/registry/v1/citizens/${'x'.repeat(5_000)}`, status: 414, code: 'uri_too_long' },
    ];
    for (const { url, status, code } of refusals) {
      const echoed = await http().get(url).set(REGISTRY_HEADERS).set('X-Request-Id', `req-router-${status}`);
      expectProblem(echoed, status, code);
      expect([code, echoed.headers['x-request-id'], echoed.body.requestId]).toEqual([code, `req-router-${status}`, `req-router-${status}`]);
      const generated = await http().get(url).set(REGISTRY_HEADERS);
      expect([code, generated.headers['x-request-id']]).toEqual([code, expect.stringMatching(/^[0-9a-f-]{36}$/)]);
      expect(generated.headers['x-request-id']).toBe(generated.body.requestId);
    }
  });

  /** The port of the app's server, listening on loopback (supertest uses the same server once it listens). */
  async function listeningPort(): Promise<number> {
    const server = testApp.app.getHttpServer();
    if (!server.address()) await testApp.app.listen(0, '127.0.0.1');
    return (server.address() as AddressInfo).port;
  }

  // Node's HTTP parser refuses these before Fastify sees a request: there is no request object, only the socket.
  it.each([
    { what: 'a control character in a header value', wire: 'GET /health HTTP/1.1\r\nHost: localhost\r\nX-Note: a\u0001b\r\n\r\n', status: 400, code: 'malformed_request' },
    { what: 'a request line that is not HTTP', wire: 'HELLO THERE\r\n\r\n', status: 400, code: 'malformed_request' },
    { what: 'headers over the 16 KiB limit', wire: `GET /health HTTP/1.1\r\nHost: localhost\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`, status: 431, code: 'headers_too_large' },
  ])('answers $what, which the HTTP parser refuses, with a $status $code problem document', async ({ wire, status, code }) => {
    const answer = await sendRawHttp(await listeningPort(), wire);
    expect({ status: answer.status, contentType: answer.headers['content-type'], connection: answer.headers.connection }).toEqual({
      status,
      contentType: 'application/problem+json; charset=utf-8',
      connection: 'close',
    });
    const body = JSON.parse(answer.body);
    expect(body).toEqual({
      type: `urn:popgate:problem:${code}`,
      title: expect.any(String),
      status,
      detail: expect.any(String),
      code,
      requestId: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
    expect(answer.headers['x-request-id']).toBe(body.requestId);
    expect(Number(answer.headers['content-length'])).toBe(Buffer.byteLength(answer.body));
  });

  // These calls carry valid registry credentials, so that the body is the only thing wrong with them.
  it('answers malformed JSON with a 400 malformed_json problem, not a 500, and writes only its audit record', async () => {
    const response = await expectOnlyTheRefusalAudited(() =>
      http().post('/registry/v1/citizens/verify').set(REGISTRY_HEADERS).set(PURPOSE_DETAILS).set('content-type', 'application/json').set('X-Request-Id', uniqueRequestId('e2e-json')).send('{"idNumber": "0010'),
    );
    expectProblem(response, 400, 'malformed_json');
  });

  it('refuses a 10 MB body with 413 payload_too_large and a non-JSON body with 415 unsupported_media_type, and writes only their audit records', async () => {
    const huge = JSON.stringify({ items: [], padding: 'x'.repeat(10 * 1024 * 1024) });
    const tooLarge = await expectOnlyTheRefusalAudited(() =>
      http().post('/registry/v1/citizens/verify-batch').set(REGISTRY_HEADERS).set(PURPOSE_DETAILS).set('content-type', 'application/json').set('X-Request-Id', uniqueRequestId('e2e-413')).send(huge),
    );
    expectProblem(tooLarge, 413, 'payload_too_large');
    const wrongType = await expectOnlyTheRefusalAudited(() =>
      http().post('/registry/v1/citizens/verify').set(REGISTRY_HEADERS).set(PURPOSE_DETAILS).set('content-type', 'text/plain').set('X-Request-Id', uniqueRequestId('e2e-415')).send('hello'),
    );
    expectProblem(wrongType, 415, 'unsupported_media_type');
  });

  it('never answers a refusal it could not audit: the audit failure becomes the answer', async () => {
    const db = testApp.app.get(DataSource);
    // A real failure of the audit insert, for this one reason only (NOT VALID: existing rows are not checked).
    await db.query(`ALTER TABLE access_audit ADD CONSTRAINT chk_e2e_refuse_malformed_json CHECK (reason IS DISTINCT FROM 'malformed_json') NOT VALID`);
    try {
      const response = await http()
        .post('/registry/v1/citizens/verify')
        .set(REGISTRY_HEADERS)
        .set('content-type', 'application/json')
        .send('{"idNumber": ');
      expectProblem(response, 500, 'internal_error');
    } finally {
      await db.query(`ALTER TABLE access_audit DROP CONSTRAINT chk_e2e_refuse_malformed_json`);
    }
  });
});
