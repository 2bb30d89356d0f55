import { beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { createTestConsumer, type TestConsumer } from '../factories/access.factory.js';
import { createSession, putFaults, rowsOf } from '../factories/faults.factory.js';
import { persona, verifyBody } from '../factories/registry.factory.js';
import { expectProblem } from '../utils/problem.js';
import { ADMIN_AUTH, DEVELOPER_AUTH, uniqueRequestId, useTestApp } from '../utils/test-app.js';

type Headers = Record<string, string>;

/** A supertest parser that keeps the body as it came. */
function asText(response: NodeJS.ReadableStream, callback: (error: Error | null, body: string) => void): void {
  let text = '';
  response.setEncoding('utf8');
  response.on('data', (chunk: string) => (text += chunk));
  response.on('end', () => callback(null, text));
}
const SERVICE = 'SANDBOX-ALL';

/**
 * Simulated faults scoped to their owner: a consumer's profile faults its own calls only; on the shared developer
 * key, only the calls of the session that set it. Each faulted call leaves one journal row with its fault kind, and
 * a fault before the registry answers leaves no audit row.
 */
describe('sandbox faults', () => {
  const testApp = useTestApp();
  const server = () => testApp.app.getHttpServer();
  const husband = persona('married-husband');
  const wife = persona('married-wife');
  let faulty: TestConsumer;
  let healthy: TestConsumer;

  beforeAll(async () => {
    [faulty, healthy] = await Promise.all([createTestConsumer(testApp.app, { serviceCodes: [SERVICE] }), createTestConsumer(testApp.app, { serviceCodes: [SERVICE] })]);
  });

  const lookup = (headers: Headers, idNumber = husband.idNumber) =>
    request(server()).get(`/registry/v1/citizens/${idNumber}?fields=fullName`).set({ 'x-service-code': SERVICE, ...headers });

  /** A look-up under a request id of its own, with the journal and audit rows it left. */
  async function lookupWithRows(headers: Headers, idNumber = husband.idNumber) {
    const requestId = uniqueRequestId('e2e-faults');
    const response = await lookup({ ...headers, 'x-request-id': requestId }, idNumber);
    return { response, ...(await rowsOf(testApp.db, requestId)) };
  }

  it('lists every fault kind with its parameters and wire behaviour, without a key', async () => {
    const { body } = await request(server()).get('/sandbox/fault-kinds').expect(200);
    expect(body.kinds.map((k: { kind: string }) => k.kind)).toEqual(['unavailable', 'rate_limited', 'server_error', 'timeout', 'reset', 'malformed', 'slow_body']);
    expect(body.kinds.find((k: { kind: string }) => k.kind === 'timeout')).toMatchObject({
      phase: 'before_registry',
      parameters: { afterMs: { min: 1, max: 120000, default: 30000 } },
      journal: { outcome: 'timeout', httpStatus: null },
      inProcess: { failure: 'transient' },
    });
    expect(body.latency.distributions).toEqual({ fixed: expect.any(String), uniform: expect.any(String), lognormal: expect.any(String) });
  });

  describe('scoping', () => {
    it("faults one consumer's calls and not another's", async () => {
      await putFaults(testApp.app, faulty.auth, { errors: [{ kind: 'server_error', probability: 1 }] });
      const faulted = await lookupWithRows(faulty.auth);
      expectProblem(faulted.response, 500, 'internal_error');
      expect(faulted.response.headers['x-sandbox-fault-applied']).toBe('server_error');
      expect(faulted.journal).toEqual([expect.objectContaining({ outcome: 'server_error', httpStatus: 500, problemCode: 'internal_error', faultKind: 'server_error' })]);
      expect(faulted.audit).toEqual([]);

      const served = await lookupWithRows(healthy.auth);
      expect(served.response.status).toBe(200);
      expect(served.response.headers['x-sandbox-fault-applied']).toBeUndefined();
      expect(served.journal).toEqual([expect.objectContaining({ outcome: 'ok', faultKind: null })]);
      expect(served.audit).toEqual([{ outcome: 'ok', reason: null }]);
      // The developer key, calling the same service, is not touched either.
      await lookup(DEVELOPER_AUTH).expect(200);
    });

    it('applies a profile for one service to that service only, and the most specific profile wins', async () => {
      const both = await createTestConsumer(testApp.app, { serviceCodes: [SERVICE, '2.001159'] });
      await putFaults(testApp.app, both.auth, { errors: [{ kind: 'unavailable', probability: 1 }] }, { serviceCode: '2.001159' });
      await lookup(both.auth).expect(200);
      const refused = await lookup({ ...both.auth, 'x-service-code': '2.001159' }).expect(503);
      expect(refused.headers['retry-after']).toBe('5');
      expect(refused.body.code).toBe('service_unavailable');
      await putFaults(testApp.app, both.auth, { errors: [{ kind: 'rate_limited', probability: 1, retryAfterSeconds: 7 }] });
      await lookup(both.auth).expect(429).expect('retry-after', '7');
      await lookup({ ...both.auth, 'x-service-code': '2.001159' }).expect(503);
      await request(server()).delete('/sandbox/faults').set(both.auth).expect(204);
      await lookup({ ...both.auth, 'x-service-code': '2.001159' }).expect(200);
    });

    it('on the shared developer key: two sessions, only the one with a profile faulted; no session, never faulted', async () => {
      const [red, blue] = await Promise.all([createSession(testApp.app, DEVELOPER_AUTH, 'red'), createSession(testApp.app, DEVELOPER_AUTH, 'blue')]);
      await putFaults(testApp.app, DEVELOPER_AUTH, { errors: [{ kind: 'unavailable', probability: 1 }] }, { session: red });

      const inRed = await lookupWithRows({ ...DEVELOPER_AUTH, 'x-sandbox-session': red });
      expectProblem(inRed.response, 503, 'service_unavailable');
      expect(inRed.journal).toEqual([expect.objectContaining({ outcome: 'unavailable', httpStatus: 503, faultKind: 'unavailable' })]);
      expect(inRed.audit).toEqual([]);
      await lookup({ ...DEVELOPER_AUTH, 'x-sandbox-session': blue }).expect(200);
      for (let i = 0; i < 20; i += 1) await lookup(DEVELOPER_AUTH).expect(200);

      // A profile on the shared key needs a session, so nobody else's calls can be faulted.
      const refused = await request(server()).put('/sandbox/faults').set(DEVELOPER_AUTH).send({ profile: { errors: [{ kind: 'reset', probability: 1 }] } });
      expectProblem(refused, 400, 'validation_failed');
      expect(refused.body.errors).toEqual([expect.objectContaining({ field: 'header.X-Sandbox-Session', rule: 'required' })]);
      const listed = await request(server()).get('/sandbox/faults').set({ ...DEVELOPER_AUTH, 'x-sandbox-session': red }).expect(200);
      expect(listed.body.profiles).toEqual([expect.objectContaining({ sessionId: red, serviceCode: null, profile: expect.objectContaining({ seed: expect.any(String) }) })]);

      // An ended session's id is refused, so a test run notices it; its profile is gone with it.
      await request(server()).delete(`/sandbox/sessions/${red}`).set(DEVELOPER_AUTH).expect(204);
      const ended = await lookup({ ...DEVELOPER_AUTH, 'x-sandbox-session': red });
      expectProblem(ended, 400, 'validation_failed');
      expect(ended.body.errors).toEqual([expect.objectContaining({ field: 'header.X-Sandbox-Session', rule: 'unknown_session' })]);
      await request(server()).delete(`/sandbox/sessions/${red}`).set(DEVELOPER_AUTH).expect(404);
      await request(server()).delete(`/sandbox/sessions/${blue}`).set(DEVELOPER_AUTH).expect(204);
    });

    it("refuses another consumer's session, and the admin key (connectors are the operator's)", async () => {
      const session = await createSession(testApp.app, healthy.auth);
      const foreign = await lookup({ ...faulty.auth, 'x-sandbox-session': session });
      expect(foreign.body.errors).toEqual([expect.objectContaining({ field: 'header.X-Sandbox-Session', rule: 'unknown_session' })]);
      await request(server()).delete(`/sandbox/sessions/${session}`).set(faulty.auth).expect(404);
      expectProblem(await request(server()).put('/sandbox/faults').set(ADMIN_AUTH).send({ profile: {} }), 403, 'consumer_key_required');
      expectProblem(await request(server()).post('/sandbox/sessions').set(ADMIN_AUTH).send({}), 403, 'consumer_key_required');
    });
  });

  describe('fail the first N attempts of each distinct request, then answer', () => {
    it('answers the third attempt of a request; a different request starts again at one; journaled by fingerprint', async () => {
      const client = await createTestConsumer(testApp.app, { serviceCodes: [SERVICE] });
      await putFaults(testApp.app, client.auth, { failFirst: { attempts: 2, kind: 'unavailable' } });
      const attempts = [];
      for (let i = 0; i < 3; i += 1) attempts.push(await lookupWithRows(client.auth));
      expect(attempts.map((a) => a.response.status)).toEqual([503, 503, 200]);
      expect(attempts.map((a) => a.journal[0].faultKind)).toEqual(['unavailable', 'unavailable', null]);
      expect(new Set(attempts.map((a) => a.journal[0].fingerprint)).size).toBe(1);
      expect(attempts.map((a) => a.audit.length)).toEqual([0, 0, 1]);

      const other = [];
      for (let i = 0; i < 3; i += 1) other.push((await lookup(client.auth, wife.idNumber)).status);
      expect(other).toEqual([503, 503, 200]);
      // Another operation is another request too.
      const verify = () => request(server()).post('/registry/v1/citizens/verify').set({ ...client.auth, 'x-service-code': SERVICE }).send(verifyBody());
      expect([(await verify()).status, (await verify()).status, (await verify()).status]).toEqual([503, 503, 200]);
      // Putting the profile again starts the counts again: a run can be replayed.
      await putFaults(testApp.app, client.auth, { failFirst: { attempts: 2, kind: 'unavailable' } });
      expect((await lookup(client.auth)).status).toBe(503);
    });
  });

  describe('X-Sandbox-Fault: one call only', () => {
    it('faults that call, for any key, and journals it', async () => {
      const timedOut = await lookupWithRows({ ...healthy.auth, 'x-sandbox-fault': 'rate_limited; retryAfterSeconds=9' });
      expectProblem(timedOut.response, 429, 'rate_limited');
      expect(timedOut.response.headers['retry-after']).toBe('9');
      expect(timedOut.response.headers['x-sandbox-fault-applied']).toBe('rate_limited; retryAfterSeconds=9');
      // An injected 429 keeps its fault kind, so injected and real limits stay apart; no audit row.
      expect(timedOut.journal).toEqual([expect.objectContaining({ outcome: 'rate_limited', httpStatus: 429, problemCode: 'rate_limited', faultKind: 'rate_limited' })]);
      expect(timedOut.audit).toEqual([]);
      await lookup(healthy.auth).expect(200);
    });

    it('refuses an unknown kind or parameter with 400 naming the valid ones (audited as the invalid call it is)', async () => {
      const unknownKind = await lookupWithRows({ ...healthy.auth, 'x-sandbox-fault': 'teapot' });
      expectProblem(unknownKind.response, 400, 'validation_failed');
      expect(unknownKind.response.body.errors).toEqual([expect.objectContaining({ field: 'header.X-Sandbox-Fault', rule: 'enum', message: expect.stringContaining('unavailable, rate_limited, server_error, timeout, reset, malformed, slow_body') })]);
      expect(unknownKind.journal).toEqual([expect.objectContaining({ outcome: 'invalid', faultKind: null })]);
      const unknownParameter = await lookup({ ...healthy.auth, 'x-sandbox-fault': 'timeout; delay=5' });
      expect(unknownParameter.body.errors).toEqual([expect.objectContaining({ rule: 'unknown_parameter', message: expect.stringContaining('valid: afterMs') })]);
    });

    it('malformed: 200 with half the body, after the audit and journal commit', async () => {
      const requestId = uniqueRequestId('e2e-malformed');
      // Read as text: supertest's own JSON parser would fail on it, which is the point.
      const response = await lookup({ ...healthy.auth, 'x-sandbox-fault': 'malformed', 'x-request-id': requestId }).buffer(true).parse(asText as unknown as Parameters<request.Test['parse']>[0]);
      expect(response.status).toBe(200);
      expect(response.headers['content-type']).toMatch(/^application\/json/);
      expect(response.headers['x-sandbox-fault-applied']).toBe('malformed');
      const whole = JSON.stringify({ fullName: husband.fullName });
      expect(response.body).toBe(whole.slice(0, Math.floor(whole.length / 2)));
      expect(() => JSON.parse(response.body)).toThrow(SyntaxError);
      expect(await rowsOf(testApp.db, requestId)).toEqual({
        journal: [expect.objectContaining({ outcome: 'ok', httpStatus: 200, faultKind: 'malformed' })],
        audit: [{ outcome: 'ok', reason: null }],
      });
    });
  });

  it('validates profiles: 400 naming each field and rule', async () => {
    const response = await request(server())
      .put('/sandbox/faults')
      .set(healthy.auth)
      .send({ serviceCode: '1.004222', profile: { errors: [{ kind: 'timeout', probability: 1.5, retryAfterSeconds: 2 }], latency: { distribution: 'uniform', minMs: 9 } } });
    expectProblem(response, 400, 'validation_failed');
    expect(response.body.errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ field: 'profile.errors.0.probability', rule: 'max' }),
        expect.objectContaining({ field: 'profile.errors.0.retryAfterSeconds', rule: 'unknown_parameter' }),
        expect.objectContaining({ field: 'profile.latency.maxMs', rule: 'required' }),
      ]),
    );
    // A service the consumer is not granted could never be faulted.
    expectProblem(await request(server()).put('/sandbox/faults').set(healthy.auth).send({ serviceCode: '1.004222', profile: {} }), 403, 'service_not_granted');
  });
});
