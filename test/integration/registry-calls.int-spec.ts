import { describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { RegistryCalls, type InProcessCaller } from '../../src/registry/registry-calls.service.js';
import { createTestConsumer, type TestConsumer } from '../factories/access.factory.js';
import { createTestService } from '../factories/faults.factory.js';
import { persona, unusedIdNumber, verifyBody } from '../factories/registry.factory.js';
import { ADMIN_AUTH, useTestApp, uniqueRequestId } from '../utils/test-app.js';

/**
 * The registry's in-process entry point, as the portal's jobs will call it: the same gate, grants, limits, audit and
 * journal as an HTTP caller, a typed value or a typed transient/permanent failure, and every call journaled once with
 * its job id and attempt.
 */
describe('in-process registry calls', () => {
  const testApp = useTestApp();
  const calls = () => testApp.app.get(RegistryCalls);
  let consumer: TestConsumer;

  const caller = (overrides: Partial<InProcessCaller> = {}): InProcessCaller => ({
    consumerId: consumer.consumerId,
    serviceCode: 'SANDBOX-ALL',
    dossierId: 'HN-2026-INPROC-1',
    requestId: uniqueRequestId('job'),
    jobId: 'verify:HN-2026-INPROC-1',
    attempt: 1,
    ...overrides,
  });

  const journalRow = async (callId: string) => {
    const [row] = await testApp.db.query(
      `SELECT j.transport, j.outcome, j.http_status, j.problem_code, j.job_id, j.attempt, j.dossier_id, j.consumer_id, j.persona_key,
              (SELECT count(*)::int FROM access_audit a WHERE a.call_id = j.call_id) AS audit_rows
       FROM call_journal j WHERE j.call_id = $1::uuid`,
      [callId],
    );
    return row;
  };

  it('verifies a citizen and journals the call with its job and attempt', async () => {
    consumer = await createTestConsumer(testApp.app, { serviceCodes: ['SANDBOX-ALL'] });
    const outcome = await calls().verify(caller(), verifyBody());
    expect(outcome).toMatchObject({ kind: 'ok', value: { verdict: 'match', checks: { idNumber: 'exact' } } });
    expect(await journalRow(outcome.callId!)).toEqual({
      transport: 'in_process',
      outcome: 'ok',
      http_status: 200,
      problem_code: null,
      job_id: 'verify:HN-2026-INPROC-1',
      attempt: 1,
      dossier_id: 'HN-2026-INPROC-1',
      consumer_id: consumer.consumerId,
      persona_key: 'married-husband',
      audit_rows: 1,
    });
  });

  it('verifies a batch and looks up fields', async () => {
    const batch = await calls().verifyBatch(caller(), [verifyBody(), verifyBody({ idNumber: unusedIdNumber() })]);
    expect(batch.kind).toBe('ok');
    if (batch.kind === 'ok') expect(batch.value.map((entry) => ('verdict' in entry ? entry.verdict : 'error'))).toEqual(['match', 'not_found']);
    const lookup = await calls().lookup(caller(), persona('married-wife').idNumber, ['fullName', 'maritalStatus']);
    expect(lookup).toMatchObject({ kind: 'ok', value: { fullName: persona('married-wife').fullName, maritalStatus: 'married' } });
  });

  it('answers a permanent failure for what retrying cannot change, journaled and audited as a refusal', async () => {
    const notGranted = await calls().verify(caller({ serviceCode: '2.001159' }), verifyBody());
    expect(notGranted).toMatchObject({ kind: 'permanent', code: 'service_not_granted', status: 403 });
    expect(await journalRow(notGranted.callId!)).toMatchObject({ outcome: 'refused', http_status: 403, problem_code: 'service_not_granted', audit_rows: 1 });

    const notFound = await calls().lookup(caller(), unusedIdNumber(), ['fullName']);
    expect(notFound).toMatchObject({ kind: 'permanent', code: 'citizen_not_found', status: 404 });
    const invalid = await calls().verify(caller(), verifyBody({ dateOfBirth: 'yesterday' }));
    expect(invalid).toMatchObject({ kind: 'permanent', code: 'validation_failed', status: 400 });
  });

  it('answers a transient failure with the wait the registry asks for when the consumer is over its rate', async () => {
    const slow = await createTestConsumer(testApp.app, { serviceCodes: ['SANDBOX-ALL'], rateLimitPerSecond: 1 });
    const outcomes = [];
    for (let i = 0; i < 3; i++) outcomes.push(await calls().verify(caller({ consumerId: slow.consumerId }), verifyBody()));
    const limited = outcomes.find((outcome) => outcome.kind === 'transient');
    expect(limited).toMatchObject({ kind: 'transient', code: 'rate_limited', status: 429, retryAfterMs: expect.any(Number) });
    expect(await journalRow(limited!.callId!)).toMatchObject({ outcome: 'rate_limited', http_status: 429 });
  });

  it('refuses request and job ids that would put a personal ID number in the journal, and keeps neither', async () => {
    const requestId = `job-${persona('married-wife').idNumber}`;
    const outcome = await calls().verify(caller({ requestId, jobId: `verify-${persona('married-wife').idNumber}` }), verifyBody());
    expect(outcome).toMatchObject({ kind: 'permanent', code: 'validation_failed', status: 400 });
    const [row] = await testApp.db.query(`SELECT (to_jsonb(j) - 'fingerprint' - 'call_id')::text AS text, request_id, job_id FROM call_journal j WHERE call_id = $1::uuid`, [outcome.callId]);
    // The hex of the fingerprint and of the call id may hold 12 digits in a row by chance; no other column may.
    expect(row.text).not.toMatch(/\d{12}/);
    expect(row.job_id).toBeNull();
    const [audit] = await testApp.db.query(`SELECT count(*)::int AS n FROM access_audit WHERE request_id = $1`, [requestId]);
    expect(audit.n).toBe(0);
  });

  describe('through the connector and the fault engine, as HTTP callers', () => {
    let serviceCode: string;
    const putConnector = (body: object) =>
      request(testApp.app.getHttpServer()).put(`/connectors/v1/${serviceCode}`).set(ADMIN_AUTH).send({ state: 'enabled', operations: ['verify', 'verify-batch', 'look-up'], ...body }).expect(200);

    it("meets the operator's connector profile as a typed transient failure after the fault's delay, journaled with its fault and without an audit row", async () => {
      serviceCode = await createTestService(testApp.app, 'inproc');
      const grantee = await createTestConsumer(testApp.app, { serviceCodes: [serviceCode] });
      await putConnector({ faultProfile: { errors: [{ kind: 'unavailable', probability: 1 }] } });
      const started = performance.now();
      const outcome = await calls().verify(caller({ consumerId: grantee.consumerId, serviceCode }), verifyBody());
      expect(outcome).toMatchObject({ kind: 'transient', status: 503 });
      const [row] = await testApp.db.query(
        `SELECT fault_kind, outcome, http_status, (SELECT count(*)::int FROM access_audit a WHERE a.call_id = j.call_id) AS audit_rows FROM call_journal j WHERE call_id = $1::uuid`,
        [outcome.callId],
      );
      expect(row).toEqual({ fault_kind: 'unavailable', outcome: 'unavailable', http_status: 503, audit_rows: 0 });
      expect(performance.now() - started).toBeLessThan(2_000);

      // After the answer: the value comes after the fault's latency.
      await putConnector({ faultProfile: { latency: { distribution: 'fixed', ms: 300 } } });
      const slowStart = performance.now();
      const slow = await calls().verify(caller({ consumerId: grantee.consumerId, serviceCode }), verifyBody());
      expect(slow.kind).toBe('ok');
      expect(performance.now() - slowStart).toBeGreaterThanOrEqual(290);

      // The connector's state stops in-process calls too.
      await putConnector({ state: 'disabled' });
      expect(await calls().verify(caller({ consumerId: grantee.consumerId, serviceCode }), verifyBody())).toMatchObject({ kind: 'transient', code: 'connector_disabled', status: 503 });
      await putConnector({});
    });

    it('meets a fault named for one call, as X-Sandbox-Fault names it', async () => {
      const outcome = await calls().verify(caller({ sandboxFault: 'rate_limited; retryAfterSeconds=7' }), verifyBody());
      expect(outcome).toMatchObject({ kind: 'transient', status: 429, retryAfterMs: 7_000 });
    });
  });

  it('stops a consumer whose key was revoked, as it stops an HTTP caller', async () => {
    const revoked = await createTestConsumer(testApp.app, { serviceCodes: ['SANDBOX-ALL'] });
    await request(testApp.app.getHttpServer()).delete(`/access/v1/consumers/${revoked.consumerId}/key`).set(ADMIN_AUTH).expect(204);
    const outcome = await calls().verify(caller({ consumerId: revoked.consumerId }), verifyBody());
    expect(outcome).toMatchObject({ kind: 'permanent', code: 'unknown_credentials', status: 401 });
  });
});
