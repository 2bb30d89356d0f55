import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { ValidationFailedError } from '../../src/common/domain-error.js';
import { ConnectorDirectory } from '../../src/connectors/connector-directory.service.js';
import { createTestConsumer, type TestConsumer } from '../factories/access.factory.js';
import { createTestService, rowsOf } from '../factories/faults.factory.js';
import { persona, verifyBody } from '../factories/registry.factory.js';
import { expectProblem } from '../utils/problem.js';
import { ADMIN_AUTH, DEVELOPER_AUTH, uniqueRequestId, useTestApp } from '../utils/test-app.js';

const ALL_OPERATIONS = ['verify', 'verify-batch', 'look-up', 'households', 'changes'];
const CONFIG_SERVICES: { code: string }[] = JSON.parse(readFileSync(new URL('../../config/public-services.json', import.meta.url), 'utf8')).services;

/**
 * Connectors: one per catalog service, with the operations it may use, its state and the operator's fault profile,
 * changed with the admin key. Every caller of a service meets its connector, right after the access gate.
 */
describe('/connectors/v1', () => {
  const testApp = useTestApp();
  const server = () => testApp.app.getHttpServer();
  const husband = persona('married-husband');
  let serviceCode: string;
  let outsider: TestConsumer;

  beforeAll(async () => {
    // A service of this file's own, so that switching its connector off touches no other file's calls.
    serviceCode = await createTestService(testApp.app, 'conn');
    outsider = await createTestConsumer(testApp.app, { serviceCodes: [serviceCode] });
  });

  const putConnector = (body: object, code = serviceCode) => request(server()).put(`/connectors/v1/${code}`).set(ADMIN_AUTH).send(body);
  const lookup = (auth: object, requestId = uniqueRequestId('e2e-conn')) =>
    request(server()).get(`/registry/v1/citizens/${husband.idNumber}?fields=fullName`).set({ ...auth, 'x-service-code': serviceCode, 'x-request-id': requestId });

  it('has a connector for every catalog service, from config/connectors.json (defaults and overrides), and one for a service added later', async () => {
    const { body } = await request(server()).get('/connectors/v1').set(ADMIN_AUTH).expect(200);
    const byCode = new Map<string, { operations: string[]; state: string; source: string }>(body.connectors.map((c: { serviceCode: string }) => [c.serviceCode, c]));
    for (const { code } of CONFIG_SERVICES) expect(byCode.has(code)).toBe(true);
    expect(byCode.get('SANDBOX-ALL')).toMatchObject({ state: 'enabled', operations: ALL_OPERATIONS, source: 'config' });
    expect(byCode.get('P06-10')).toMatchObject({ operations: ['look-up'], source: 'config' });
    // Added through the portal API in this file's beforeAll: the file's defaults, in the same transaction.
    const { body: added } = await request(server()).get(`/connectors/v1/${serviceCode}`).set(ADMIN_AUTH).expect(200);
    expect(added).toMatchObject({ serviceCode, state: 'enabled', operations: ALL_OPERATIONS, faultProfile: null, applyFaultsToAllCallers: false, source: 'config' });
  });

  it('is for operators: a consumer key gets 403 admin_required; an unknown service 404', async () => {
    expectProblem(await request(server()).get('/connectors/v1').set(DEVELOPER_AUTH), 403, 'admin_required');
    expectProblem(await putConnector({ state: 'disabled', operations: [] }).set(DEVELOPER_AUTH), 403, 'admin_required');
    expectProblem(await request(server()).get('/connectors/v1/NOT-A-SERVICE').set(ADMIN_AUTH), 404, 'service_not_found');
    expectProblem(await putConnector({ state: 'enabled', operations: [] }, 'NOT-A-SERVICE'), 404, 'service_not_found');
  });

  it('validates a connector: 400 naming each field and rule, the profile\'s included', async () => {
    const response = await putConnector({ state: 'sleeping', operations: ['lookup'], faultProfile: { everyNth: { n: 2, kind: 'reset', afterMs: 3 } } });
    expectProblem(response, 400, 'validation_failed');
    expect(response.body.errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ field: 'state', rule: 'enum' }),
        expect.objectContaining({ field: 'operations.0', rule: 'enum' }),
        expect.objectContaining({ field: 'faultProfile.everyNth.afterMs', rule: 'unknown_parameter' }),
      ]),
    );
  });

  it('disabled: every caller gets 503 connector_disabled with Retry-After; journaled, not audited (the registry was not reached)', async () => {
    const { body } = await putConnector({ state: 'disabled', operations: ALL_OPERATIONS, note: 'switched off for the test' }).expect(200);
    expect(body).toMatchObject({ state: 'disabled', source: 'api', note: 'switched off for the test' });
    for (const auth of [DEVELOPER_AUTH, outsider.auth]) {
      const requestId = uniqueRequestId('e2e-disabled');
      const response = await lookup(auth, requestId);
      expectProblem(response, 503, 'connector_disabled');
      expect(response.headers['retry-after']).toBe('5');
      expect(await rowsOf(testApp.db, requestId)).toEqual({
        journal: [expect.objectContaining({ outcome: 'unavailable', httpStatus: 503, problemCode: 'connector_disabled', faultKind: null })],
        audit: [],
      });
    }
    await putConnector({ state: 'maintenance', operations: ALL_OPERATIONS }).expect(200);
    const maintenance = await lookup(outsider.auth);
    expectProblem(maintenance, 503, 'connector_maintenance');
    expect(maintenance.headers['retry-after']).toBe('5');
    await putConnector({ state: 'enabled', operations: ALL_OPERATIONS }).expect(200);
    await lookup(outsider.auth).expect(200);
  });

  it('an operation the connector does not enable: 403 operation_not_enabled, audited as the refusal it is', async () => {
    await putConnector({ state: 'enabled', operations: ['look-up'] }).expect(200);
    const requestId = uniqueRequestId('e2e-operation');
    const verify = await request(server())
      .post('/registry/v1/citizens/verify')
      .set({ ...outsider.auth, 'x-service-code': serviceCode, 'x-request-id': requestId })
      .send(verifyBody());
    expectProblem(verify, 403, 'operation_not_enabled');
    expect(verify.body.detail).toContain('it enables: look-up');
    expect(await rowsOf(testApp.db, requestId)).toEqual({
      journal: [expect.objectContaining({ outcome: 'refused', httpStatus: 403, problemCode: 'operation_not_enabled' })],
      audit: [{ outcome: 'refused', reason: 'operation_not_enabled' }],
    });
    await lookup(outsider.auth).expect(200);
    await putConnector({ state: 'enabled', operations: ALL_OPERATIONS }).expect(200);
  });

  it("a connector's fault profile reaches HTTP callers only when the operator applies it to every caller", async () => {
    const faultProfile = { errors: [{ kind: 'unavailable', probability: 1 }] };
    await putConnector({ state: 'enabled', operations: ALL_OPERATIONS, faultProfile }).expect(200);
    // For the portal's own (in-process) jobs only: HTTP callers are served.
    await lookup(outsider.auth).expect(200);
    const { body } = await putConnector({ state: 'enabled', operations: ALL_OPERATIONS, faultProfile, applyFaultsToAllCallers: true }).expect(200);
    expect(body.faultProfile).toEqual({ ...faultProfile, seed: expect.any(String) });
    const requestId = uniqueRequestId('e2e-connector-fault');
    const faulted = await lookup(outsider.auth, requestId);
    expectProblem(faulted, 503, 'service_unavailable');
    expect(faulted.headers['x-sandbox-fault-applied']).toBe('unavailable');
    expect(await rowsOf(testApp.db, requestId)).toEqual({ journal: [expect.objectContaining({ outcome: 'unavailable', faultKind: 'unavailable' })], audit: [] });
    await putConnector({ state: 'enabled', operations: ALL_OPERATIONS }).expect(200);
    await lookup(outsider.auth).expect(200);
  });

  it('refuses a config/connectors.json with problems at start, listing every one', async () => {
    const directory = testApp.app.get(ConnectorDirectory);
    const path = join(mkdtempSync(join(tmpdir(), 'popgate-connectors-')), 'connectors.json');
    writeFileSync(path, JSON.stringify({ defaults: { state: 'on', operations: ['look-up'] }, services: { 'NOT-IN-CATALOG': {}, 'P06-10': { operations: ['delete'], faultProfile: { errors: [{ kind: 'reset', probability: 2 }] } } } }));
    const failure = await directory.applyConfigFile(path).then(() => null, (error: unknown) => error as ValidationFailedError);
    expect(failure).toBeInstanceOf(ValidationFailedError);
    expect(failure!.errors.map((e) => `${e.field} ${e.rule}`).sort()).toEqual([
      'connectors.json.defaults.state enum',
      'connectors.json.services.NOT-IN-CATALOG unknown_service',
      'connectors.json.services.P06-10.faultProfile.errors probability_sum',
      'connectors.json.services.P06-10.faultProfile.errors.0.probability max',
      'connectors.json.services.P06-10.operations.0 enum',
    ]);
  });

  it('an operator\'s change keeps across a start; the file is re-applied to the connectors nobody changed', async () => {
    await putConnector({ state: 'enabled', operations: ['verify'] }).expect(200);
    const directory = testApp.app.get(ConnectorDirectory);
    await directory.applyConfigFile(new URL('../../config/connectors.json', import.meta.url).pathname);
    const { body } = await request(server()).get(`/connectors/v1/${serviceCode}`).set(ADMIN_AUTH).expect(200);
    expect(body).toMatchObject({ operations: ['verify'], source: 'api' });
    await putConnector({ state: 'enabled', operations: ALL_OPERATIONS }).expect(200);
  });
});
