import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { generateApiKey } from '../../src/access/api-key.js';
import { QueueName } from '../../src/queue/queue-names.js';
import { createTestConsumer, type TestConsumer } from '../factories/access.factory.js';
import { moveEvent, persona } from '../factories/registry.factory.js';
import { auditRowsAfter, lastAuditId, writableState } from '../utils/database-state.js';
import { expectProblem } from '../utils/problem.js';
import { ADMIN_AUTH, DEVELOPER_AUTH, useTestApp } from '../utils/test-app.js';

type Headers = Record<string, string>;

/**
 * Who may call the sandbox: its writes need the admin key (a consumer key, even the sandbox developer's, gets 403
 * admin_required and changes nothing), its personas catalogue any valid key.
 */
describe('sandbox access control', () => {
  const testApp = useTestApp();
  let db: DataSource;
  let stateConsumer: TestConsumer;
  let bank: TestConsumer;
  /** A live consent, so that a refused revocation has something it could have revoked. */
  let consentId: string;
  const citizen = persona('married-husband');

  beforeAll(async () => {
    db = testApp.app.get(DataSource);
    stateConsumer = await createTestConsumer(testApp.app);
    bank = await createTestConsumer(testApp.app, { kind: 'non_state', serviceCodes: ['2.001159'] });
    const consent = await request(testApp.app.getHttpServer())
      .post('/sandbox/consents')
      .set(ADMIN_AUTH)
      .send(consentBody())
      .expect(201);
    consentId = consent.body.consentId;
  });

  const server = () => testApp.app.getHttpServer();

  function consentBody(): Record<string, unknown> {
    return {
      idNumber: citizen.idNumber,
      consumerId: bank.consumerId,
      serviceCode: '2.001159',
      fields: ['fullName'],
      expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
    };
  }

  /** Jobs of the sandbox queue by state: a refused reset must not have queued one. */
  const sandboxJobCounts = () => testApp.app.get<Queue>(getQueueToken(QueueName.Sandbox)).getJobCounts();

  // Each body is one the admin key would get accepted, so only the key stands between it and a change.
  const ADMIN_ONLY_CALLS: [string, (auth: Headers) => request.Test][] = [
    ['POST /sandbox/reset', (auth) => request(server()).post('/sandbox/reset').set(auth).send({ seed: `refused-${randomUUID().slice(0, 8)}`, citizens: 10 })],
    ['POST /sandbox/registry/events', (auth) => request(server()).post('/sandbox/registry/events').set(auth).send(moveEvent(persona('long-name').idNumber))],
    ['POST /sandbox/consents', (auth) => request(server()).post('/sandbox/consents').set(auth).send(consentBody())],
    ['DELETE /sandbox/consents/{consentId}', (auth) => request(server()).delete(`/sandbox/consents/${consentId}`).set(auth)],
  ];

  const CONSUMER_KEYS: [string, () => Headers][] = [
    ['the sandbox developer key', () => DEVELOPER_AUTH],
    ['a created consumer key', () => stateConsumer.auth],
  ];

  it.each(ADMIN_ONLY_CALLS.flatMap(([name, call]) => CONSUMER_KEYS.map(([keyName, auth]) => [name, keyName, call, auth] as const)))(
    '%s with %s: 403 admin_required, and nothing changes',
    async (_name, _keyName, call, auth) => {
      const [stateBefore, auditIdBefore, jobsBefore] = [await writableState(db), await lastAuditId(db), await sandboxJobCounts()];
      expectProblem(await call(auth()), 403, 'admin_required');
      expect(await writableState(db)).toEqual(stateBefore);
      // A sandbox call is not a registry access, so the audit has nothing to record for it.
      expect(await auditRowsAfter(db, auditIdBefore)).toEqual([]);
      expect(await sandboxJobCounts()).toEqual(jobsBefore);
    },
  );

  describe('GET /sandbox/personas', () => {
    const personas = (auth: Headers) => request(server()).get('/sandbox/personas').set(auth);

    it('needs a key: 401 missing_credentials without one, 401 unknown_credentials with one nobody holds', async () => {
      expectProblem(await personas({}), 401, 'missing_credentials');
      expectProblem(await personas({ authorization: `Bearer ${generateApiKey()}` }), 401, 'unknown_credentials');
    });

    it.each(CONSUMER_KEYS)('serves %s', async (_keyName, auth) => {
      const response = await personas(auth()).expect(200);
      expect(response.body.personas).toEqual(expect.arrayContaining([expect.objectContaining({ key: citizen.key, idNumber: citizen.idNumber })]));
    });
  });
});
