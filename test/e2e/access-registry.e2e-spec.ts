import { createHash, randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { generateApiKey } from '../../src/access/api-key.js';
import { ConsumerDirectory } from '../../src/access/consumer-directory.service.js';
import { maskIdNumber } from '../../src/identity/id-number.js';
import { persona, verifyBody } from '../factories/registry.factory.js';
import { ADMIN_AUTH, DEVELOPER_AUTH, uniqueRequestId, useTestApp } from '../utils/test-app.js';
import { createTestConsumer, type TestConsumer, type TestConsumerOptions } from '../factories/access.factory.js';
import { expectProblem } from '../utils/problem.js';

type Headers = Record<string, string>;
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * Purpose-bound registry access, end to end: credentials, purpose headers, field allow-lists, sensitive fields,
 * consent for non-state consumers, rate limit and daily quota. Every refused call must leave exactly one audit record
 * (outcome `refused`, reason = the problem code) and change nothing else.
 */
describe('registry access', () => {
  const testApp = useTestApp();
  let db: DataSource;
  const run = randomUUID().slice(0, 8);
  const citizen = persona('married-husband');
  const hmong = persona('ethnic-minority-religion');

  beforeAll(async () => {
    db = testApp.app.get(DataSource);
  });

  const server = () => testApp.app.getHttpServer();

  const createConsumer = (options: TestConsumerOptions = {}): Promise<TestConsumer> => createTestConsumer(testApp.app, { ...options });

  /** Revokes the key through the operators' API only, so that the test covers the endpoint and not a shortcut. */
  async function revokeKey(consumer: TestConsumer): Promise<void> {
    await request(server()).delete(`/access/v1/consumers/${consumer.consumerId}/key`).set(ADMIN_AUTH).expect(204);
  }

  const lookup = (headers: Headers, query = '', idNumber = citizen.idNumber) =>
    request(server()).get(`/registry/v1/citizens/${idNumber}${query}`).set(headers);
  const verify = (headers: Headers, body: object = verifyBody()) => request(server()).post('/registry/v1/citizens/verify').set(headers).send(body);

  /** Everything a refused call must leave as it was: the registry, consents and consumers, and the audit's size. */
  async function writableState(): Promise<Record<string, string>> {
    const [row] = await db.query(`
      SELECT (SELECT md5(string_agg(c::text, ',' ORDER BY id_number)) FROM citizens c) AS citizens,
             (SELECT md5(coalesce(string_agg(k::text, ',' ORDER BY consent_id), '')) FROM consents k) AS consents,
             (SELECT md5(coalesce(string_agg(u::text, ',' ORDER BY consumer_id), '')) FROM consumers u) AS consumers,
             (SELECT count(*)::text FROM registry_changes) AS changes,
             (SELECT count(*)::text FROM access_audit) AS audit_rows`);
    return row;
  }

  /**
   * Sends a call that must be refused with `status` and `code`, under a request id of its own, then checks that
   * exactly one audit record was appended for it (refused, reason = the code) and that nothing else changed.
   */
  async function expectRefused(send: () => request.Test, status: number, code: string): Promise<request.Response> {
    const requestId = uniqueRequestId('e2e-refused');
    const before = await writableState();
    const response = await send().set('X-Request-Id', requestId);
    expectProblem(response, status, code);
    expect(response.headers['x-request-id']).toBe(requestId);
    const rows = await db.query(`SELECT outcome, reason FROM access_audit WHERE request_id = $1`, [requestId]);
    expect(rows).toEqual([{ outcome: 'refused', reason: code }]);
    expect(await writableState()).toEqual({ ...before, audit_rows: String(Number(before.audit_rows) + 1) });
    return response;
  }

  async function createConsent(consumer: TestConsumer, fields: string[], serviceCode = '2.001159', idNumber = citizen.idNumber): Promise<string> {
    const response = await request(server())
      .post('/sandbox/consents')
      .set(ADMIN_AUTH)
      .send({ idNumber, consumerId: consumer.consumerId, serviceCode, fields, expiresAt: new Date(Date.now() + 3_600_000).toISOString() });
    expect(response.status).toBe(201);
    return response.body.consentId;
  }

  const SERVICE = { 'x-service-code': '2.001159' };

  describe('credentials', () => {
    const calls: [string, (headers: Headers) => request.Test][] = [
      ['GET /registry/v1/citizens/{id}', (headers) => lookup({ ...SERVICE, ...headers })],
      ['POST /registry/v1/citizens/verify', (headers) => verify({ ...SERVICE, ...headers })],
    ];

    it.each(calls)('%s without Authorization: 401 missing_credentials', async (_, call) => {
      await expectRefused(() => call({}), 401, 'missing_credentials');
    });

    it.each(calls)('%s with "Bearer x": 401 malformed_credentials', async (_, call) => {
      await expectRefused(() => call({ authorization: 'Bearer x' }), 401, 'malformed_credentials');
    });

    it.each(calls)('%s with "Basic abc": 401 malformed_credentials', async (_, call) => {
      await expectRefused(() => call({ authorization: 'Basic abc' }), 401, 'malformed_credentials');
    });

    it.each(calls)('%s with a well-formed key nobody holds: 401 unknown_credentials', async (_, call) => {
      await expectRefused(() => call({ authorization: `Bearer ${generateApiKey()}` }), 401, 'unknown_credentials');
    });

    it.each(calls)('%s with a revoked key: 401 unknown_credentials, from the next call on', async (_, call) => {
      const consumer = await createConsumer();
      await call(consumer.auth).expect(200);
      await revokeKey(consumer);
      await expectRefused(() => call(consumer.auth), 401, 'unknown_credentials');
    });

    it('tells apart consumers whose keys share the public prefix, and refuses a third key with that prefix', async () => {
      // Keys are found by their 8-character prefix and then compared by hash: prefixes can collide.
      const prefix = `pgk_${randomUUID().slice(0, 4)}`;
      const keys = [0, 1, 2].map(() => `${prefix}${generateApiKey().slice(8)}`);
      for (const [index, serviceCode] of ['2.001159', '1.004222'].entries()) {
        await db.query(
          `INSERT INTO consumers (name, kind, service_codes, key_hash, key_prefix, key_issued_at) VALUES ($1, 'state', $2, $3, $4, now())`,
          [`e2e shared prefix ${run} ${index}`, [serviceCode], sha256(keys[index]), prefix],
        );
      }
      testApp.app.get(ConsumerDirectory).invalidate();
      await lookup({ authorization: `Bearer ${keys[0]}`, ...SERVICE }, '?fields=fullName').expect(200);
      await expectRefused(() => lookup({ authorization: `Bearer ${keys[1]}`, ...SERVICE }, '?fields=fullName'), 403, 'service_not_granted');
      await lookup({ authorization: `Bearer ${keys[1]}`, 'x-service-code': '1.004222' }, '?fields=fullName').expect(200);
      await expectRefused(() => lookup({ authorization: `Bearer ${keys[2]}`, ...SERVICE }, '?fields=fullName'), 401, 'unknown_credentials');
    });
  });

  describe('purpose headers', () => {
    it('refuses a call without X-Service-Code with 400, naming the header', async () => {
      const response = await expectRefused(() => lookup(DEVELOPER_AUTH), 400, 'validation_failed');
      expect(response.body.errors).toEqual([expect.objectContaining({ field: 'header.X-Service-Code', rule: 'required' })]);
      const verified = await expectRefused(() => verify(DEVELOPER_AUTH), 400, 'validation_failed');
      expect(verified.body.errors).toEqual([expect.objectContaining({ field: 'header.X-Service-Code', rule: 'required' })]);
    });

    it('refuses a service not granted to the consumer, and one not in the catalog, with 403 service_not_granted', async () => {
      const consumer = await createConsumer({ serviceCodes: ['2.001159'] });
      await lookup({ ...consumer.auth, ...SERVICE }, '?fields=fullName').expect(200);
      await expectRefused(() => lookup({ ...consumer.auth, 'x-service-code': '1.004222' }, '?fields=fullName'), 403, 'service_not_granted');
      await expectRefused(() => verify({ ...consumer.auth, 'x-service-code': '1.004222' }), 403, 'service_not_granted');
      await expectRefused(() => lookup({ ...DEVELOPER_AUTH, 'x-service-code': 'NOT-A-SERVICE' }), 403, 'service_not_granted');
    });

    it('records on a refused call the catalog service it asked for and the citizen it named, in the path or a verify body', async () => {
      const consumer = await createConsumer({ serviceCodes: ['2.001159'] });
      const recorded = async (send: () => request.Test) => {
        const requestId = uniqueRequestId('e2e-refused-who');
        await send().set('x-request-id', requestId).expect(403);
        return db.query(`SELECT service_code, citizen_masked FROM access_audit WHERE request_id = $1`, [requestId]);
      };
      const notGranted = { ...consumer.auth, 'x-service-code': '1.004222' };
      expect(await recorded(() => lookup(notGranted, '?fields=fullName'))).toEqual([{ service_code: '1.004222', citizen_masked: maskIdNumber(citizen.idNumber) }]);
      expect(await recorded(() => verify(notGranted))).toEqual([{ service_code: '1.004222', citizen_masked: maskIdNumber(citizen.idNumber) }]);
      // A code outside the catalog is free text from a header: not kept.
      expect(await recorded(() => verify({ ...DEVELOPER_AUTH, 'x-service-code': 'NOT-A-SERVICE' }))).toEqual([{ service_code: null, citizen_masked: maskIdNumber(citizen.idNumber) }]);
    });

    it('refuses a malformed X-Officer-Id or X-Dossier-Id with 400, naming the header', async () => {
      const officer = await expectRefused(() => lookup({ ...DEVELOPER_AUTH, ...SERVICE, 'x-officer-id': '000199012345' }), 400, 'validation_failed');
      expect(officer.body.errors).toEqual([expect.objectContaining({ field: 'header.X-Officer-Id', rule: 'province_code' })]);
      const short = await expectRefused(() => verify({ ...DEVELOPER_AUTH, ...SERVICE, 'x-officer-id': '12345' }), 400, 'validation_failed');
      expect(short.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'header.X-Officer-Id', rule: 'length' })]));
      const dossier = await expectRefused(() => lookup({ ...DEVELOPER_AUTH, ...SERVICE, 'x-dossier-id': 'has spaces in it' }), 400, 'validation_failed');
      expect(dossier.body.errors).toEqual([expect.objectContaining({ field: 'header.X-Dossier-Id', rule: 'format' })]);
    });

    it('records the dossier and the officer (masked) of a served call', async () => {
      const requestId = uniqueRequestId('e2e-dossier');
      const dossierId = `HN-${run}/0001`;
      const officer = persona('married-wife').idNumber;
      await lookup({ ...DEVELOPER_AUTH, ...SERVICE, 'x-dossier-id': dossierId, 'x-officer-id': officer, 'x-request-id': requestId }, '?fields=fullName').expect(200);
      const rows = await db.query(`SELECT dossier_id, officer_masked, officer_hmac, service_code, outcome FROM access_audit WHERE request_id = $1`, [requestId]);
      expect(rows).toEqual([{ dossier_id: dossierId, officer_masked: maskIdNumber(officer), officer_hmac: expect.stringMatching(/^[0-9a-f]{64}$/), service_code: '2.001159', outcome: 'ok' }]);
    });
  });

  describe('field allow-lists', () => {
    it('refuses a field outside the service\'s allow-list with 403 fields_not_allowed, naming it', async () => {
      const response = await expectRefused(() => lookup({ ...DEVELOPER_AUTH, ...SERVICE }, '?fields=fullName,religion'), 403, 'fields_not_allowed');
      expect(response.body.refusedFields).toEqual(['religion']);
      expect(response.body.errors).toEqual([expect.objectContaining({ field: 'fields', rule: 'not_in_allow_list' })]);
    });

    it('serves a field the service allows', async () => {
      const response = await lookup({ ...DEVELOPER_AUTH, ...SERVICE }, '?fields=fullName,permanentAddress').expect(200);
      expect(Object.keys(response.body)).toEqual(['fullName', 'permanentAddress']);
    });

    it('answers no fields with what the service allows, and nothing more', async () => {
      const response = await lookup({ ...DEVELOPER_AUTH, ...SERVICE }).expect(200);
      expect(Object.keys(response.body).sort()).toEqual(['dateOfBirth', 'fullName', 'idNumber', 'nationality', 'permanentAddress', 'sex']);
    });

    it('returns a sensitive field only when it is named and the service allows it', async () => {
      const all = { ...DEVELOPER_AUTH, 'x-service-code': 'SANDBOX-ALL' };
      const unnamed = await lookup(all, '', hmong.idNumber).expect(200);
      expect(unnamed.body).not.toHaveProperty('ethnicity');
      expect(unnamed.body).not.toHaveProperty('religion');
      const named = await lookup(all, '?fields=ethnicity', hmong.idNumber).expect(200);
      expect(Object.keys(named.body)).toEqual(['ethnicity']);
      expect(named.body.ethnicity).toBeTruthy();

      const birth = { ...DEVELOPER_AUTH, 'x-service-code': '1.001193' };
      expect((await lookup(birth, '', hmong.idNumber).expect(200)).body).not.toHaveProperty('ethnicity');
      expect((await lookup(birth, '?fields=fullName,ethnicity', hmong.idNumber).expect(200)).body.ethnicity).toEqual(named.body.ethnicity);

      const refused = await expectRefused(() => lookup({ ...DEVELOPER_AUTH, ...SERVICE }, '?fields=ethnicity', hmong.idNumber), 403, 'fields_not_allowed');
      expect(refused.body.refusedFields).toEqual(['ethnicity']);
    });

    it('refuses to verify under a service whose allow-list lacks dateOfBirth, naming it', async () => {
      const response = await expectRefused(() => verify({ ...DEVELOPER_AUTH, 'x-service-code': 'P06-08' }), 403, 'fields_not_allowed');
      expect(response.body.refusedFields).toEqual(['dateOfBirth']);
    });

    it('refuses to verify sex under a service that does not allow it', async () => {
      const response = await expectRefused(() => verify({ ...DEVELOPER_AUTH, 'x-service-code': 'P06-07' }, verifyBody({ sex: 'male' })), 403, 'fields_not_allowed');
      expect(response.body.refusedFields).toEqual(['sex']);
      await verify({ ...DEVELOPER_AUTH, 'x-service-code': 'P06-07' }).expect(200);
    });
  });

  describe('consent (non-state consumers)', () => {
    it('refuses a look-up and a verify without consent, serves them with it, and refuses the very next call after revocation', async () => {
      const bank = await createConsumer({ kind: 'non_state', serviceCodes: ['2.001159'] });
      const headers = { ...bank.auth, ...SERVICE };
      await expectRefused(() => lookup(headers, '?fields=fullName,dateOfBirth'), 403, 'consent_required');
      await expectRefused(() => verify(headers), 403, 'consent_required');

      const consentId = await createConsent(bank, ['idNumber', 'fullName', 'dateOfBirth']);
      const served = await lookup(headers, '?fields=fullName,dateOfBirth').expect(200);
      expect(served.body).toEqual({ fullName: citizen.fullName, dateOfBirth: citizen.dateOfBirth });
      await verify(headers).expect(200).expect(({ body }) => expect(body.verdict).toBe('match'));

      await request(server()).delete(`/sandbox/consents/${consentId}`).set(ADMIN_AUTH).expect(204);
      await expectRefused(() => lookup(headers, '?fields=fullName,dateOfBirth'), 403, 'consent_required');
      await expectRefused(() => verify(headers), 403, 'consent_required');
    });

    it('refuses fields beyond the consented ones, another citizen and another service', async () => {
      const bank = await createConsumer({ kind: 'non_state', serviceCodes: ['2.001159', '3.000346'] });
      await createConsent(bank, ['fullName']);
      await lookup({ ...bank.auth, ...SERVICE }, '?fields=fullName').expect(200);
      await expectRefused(() => lookup({ ...bank.auth, ...SERVICE }, '?fields=fullName,dateOfBirth'), 403, 'consent_required');
      await expectRefused(() => lookup({ ...bank.auth, ...SERVICE }, '?fields=fullName', persona('married-wife').idNumber), 403, 'consent_required');
      await expectRefused(() => lookup({ ...bank.auth, 'x-service-code': '3.000346' }, '?fields=fullName'), 403, 'consent_required');
      // No `fields`: every non-sensitive field the service allows, which the consent does not cover.
      await expectRefused(() => lookup({ ...bank.auth, ...SERVICE }), 403, 'consent_required');
    });

    it('answers an unknown number exactly like a known one when consent is missing, so consent cannot enumerate', async () => {
      const bank = await createConsumer({ kind: 'non_state', serviceCodes: ['2.001159'] });
      const headers = { ...bank.auth, ...SERVICE };
      const unknown = '001090999999';
      const known = await expectRefused(() => lookup(headers, '?fields=fullName'), 403, 'consent_required');
      const missing = await expectRefused(() => lookup(headers, '?fields=fullName', unknown), 403, 'consent_required');
      expect(Object.keys(missing.body).sort()).toEqual(Object.keys(known.body).sort());
      await expectRefused(() => verify(headers, verifyBody({ idNumber: unknown })), 403, 'consent_required');
    });

    it('checks each batch item against its own fields, so an item asking for sex does not sink the others', async () => {
      const bank = await createConsumer({ kind: 'non_state', serviceCodes: ['2.001159'] });
      await createConsent(bank, ['idNumber', 'fullName', 'dateOfBirth']);
      const response = await request(server())
        .post('/registry/v1/citizens/verify-batch')
        .set({ ...bank.auth, ...SERVICE })
        .send({ items: [verifyBody(), verifyBody({ sex: 'male' })] })
        .expect(200);
      expect(response.body.results[0].verdict).toBe('match');
      expect(response.body.results[1].error.code).toBe('consent_required');
    });

    it('refuses households and the changes feed to a non-state consumer', async () => {
      const bank = await createConsumer({ kind: 'non_state', serviceCodes: ['SANDBOX-ALL'] });
      const headers = { ...bank.auth, 'x-service-code': 'SANDBOX-ALL' };
      await expectRefused(() => request(server()).get('/registry/v1/changes?since=0&limit=5').set(headers), 403, 'state_consumers_only');
      await expectRefused(() => request(server()).get('/registry/v1/households/HP0000000001').set(headers), 403, 'state_consumers_only');
    });
  });

  describe('limits', () => {
    it('refuses the third call within a second of a consumer limited to 2 per second with 429 rate_limited and Retry-After', async () => {
      const consumer = await createConsumer({ rateLimitPerSecond: 2 });
      const headers = { ...consumer.auth, ...SERVICE };
      await lookup(headers, '?fields=fullName').expect(200);
      await lookup(headers, '?fields=fullName').expect(200);
      const response = await expectRefused(() => lookup(headers, '?fields=fullName'), 429, 'rate_limited');
      expect(Number(response.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    });

    it('refuses the fourth call of a consumer with a daily quota of 3 with 429 quota_exhausted and Retry-After', async () => {
      const consumer = await createConsumer({ dailyQuota: 3 });
      const headers = { ...consumer.auth, ...SERVICE };
      for (let call = 0; call < 3; call += 1) await lookup(headers, '?fields=fullName').expect(200);
      const response = await expectRefused(() => verify(headers), 429, 'quota_exhausted');
      const retryAfter = Number(response.headers['retry-after']);
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(86_400);
      await expectRefused(() => lookup(headers, '?fields=fullName'), 429, 'quota_exhausted');
    });

    it('counts every item of a verify-batch against the daily quota, and refuses a batch larger than what is left whole', async () => {
      const consumer = await createConsumer({ dailyQuota: 5 });
      const headers = { ...consumer.auth, ...SERVICE };
      const batch = (size: number) => request(server()).post('/registry/v1/citizens/verify-batch').set(headers).send({ items: Array.from({ length: size }, () => verifyBody()) });
      const first = await batch(3).expect(200);
      expect(first.body.results).toHaveLength(3);
      // 2 left: a batch of 3 is refused as a whole, not answered in part.
      const refused = await expectRefused(() => batch(3), 429, 'quota_exhausted');
      expect(refused.body.detail).toMatch(/down to 2/);
      await batch(2).expect(200);
      await expectRefused(() => verify(headers), 429, 'quota_exhausted');
    });
  });
});
