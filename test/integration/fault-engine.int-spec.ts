import { beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { AccessGate } from '../../src/access/access-gate.service.js';
import { normalizeRequest, receivedNow, type CallRecord, type CallTransport } from '../../src/access/call-record.js';
import { FaultEngine } from '../../src/connectors/fault-engine.service.js';
import { CallJournal } from '../../src/journal/call-journal.service.js';
import { failureHandling } from '../../src/queue/job-failure.js';
import { createTestConsumer, type TestConsumer } from '../factories/access.factory.js';
import { createTestService } from '../factories/faults.factory.js';
import { ADMIN_AUTH, useTestApp } from '../utils/test-app.js';

/**
 * FaultEngine.decide as the in-process entry point calls it: a CallRecord admitted by the gate for a consumer by id,
 * and the plan it gets back (what to journal, what to throw, how long to wait first).
 */
describe('FaultEngine for in-process calls', () => {
  const testApp = useTestApp({ seed: false });
  let serviceCode: string;
  let portal: TestConsumer;

  beforeAll(async () => {
    serviceCode = await createTestService(testApp.app, 'engine');
    portal = await createTestConsumer(testApp.app, { serviceCodes: [serviceCode] });
  });

  async function admitted(transport: CallTransport, attempt: number | null = null): Promise<CallRecord> {
    const gate = testApp.app.get(AccessGate);
    const call = gate.open({
      requestId: `job-1-attempt-${attempt}`,
      consumerId: portal.consumerId,
      serviceCode,
      operation: 'verify',
      citizensAskedAbout: 1,
      transport,
      ...receivedNow(),
      normalizedRequest: normalizeRequest({ body: { idNumber: '001090999917' } }),
      jobId: 'job-1',
      attempt,
    });
    await gate.admit(call);
    return call;
  }
  const putConnector = (body: object) => request(testApp.app.getHttpServer()).put(`/connectors/v1/${serviceCode}`).set(ADMIN_AUTH).send({ state: 'enabled', operations: ['verify', 'look-up'], ...body }).expect(200);

  it("applies the connector's profile to in-process calls, not to HTTP callers unless told to", async () => {
    await putConnector({ faultProfile: { errors: [{ kind: 'timeout', probability: 1, afterMs: 2500 }] } });
    const engine = testApp.app.get(FaultEngine);
    expect(await engine.decide(await admitted('http'))).toBeNull();
    const plan = await engine.decide(await admitted('in_process'));
    expect(plan).toMatchObject({
      kind: 'timeout',
      phase: 'before_registry',
      delayMs: 2500,
      applied: 'timeout; afterMs=2500',
      ending: { outcome: 'timeout', httpStatus: null, problemCode: null },
      failure: { transient: true },
      source: 'connector',
      rule: 'errors',
      fallback: false,
    });
    // The job's failure mapping retries it, as it would a real timeout.
    expect(plan!.failure!.error).toMatchObject({ status: 504, code: 'timeout' });
    expect(failureHandling(plan!.failure!.error)).toBe('retry');
  });

  it('counts attempts by the journal\'s request fingerprint, and describes answered kinds by their delay', async () => {
    await putConnector({ faultProfile: { failFirst: { attempts: 1, kind: 'slow_body', durationMs: 700 }, latency: { distribution: 'fixed', ms: 40 } } });
    const engine = testApp.app.get(FaultEngine);
    const first = await admitted('in_process', 1);
    expect(engine.fingerprint(first)).toBe(testApp.app.get(CallJournal).fingerprint(first));
    expect(await engine.decide(first)).toMatchObject({ kind: 'slow_body', phase: 'after_answer', latencyMs: 40, delayMs: 740, failure: null, ending: null, attempt: 1 });
    expect(await engine.decide(await admitted('in_process', 2))).toMatchObject({ kind: 'latency', fault: null, delayMs: 40, applied: 'latency; ms=40', attempt: 2 });
  });

  it('throws the connector refusals for in-process calls too', async () => {
    await putConnector({ state: 'maintenance' });
    await expect(testApp.app.get(FaultEngine).decide(await admitted('in_process'))).rejects.toMatchObject({ status: 503, code: 'connector_maintenance' });
    await putConnector({ operations: ['look-up'] });
    await expect(testApp.app.get(FaultEngine).decide(await admitted('in_process'))).rejects.toMatchObject({ status: 403, code: 'operation_not_enabled' });
    await putConnector({});
  });
});
