import { randomUUID } from 'node:crypto';
import { afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { CitizenHmac } from '../../src/access/citizen-hmac.js';
import { maskIdNumber } from '../../src/identity/id-number.js';
import { persona, unusedIdNumber } from '../factories/registry.factory.js';
import { ADMIN_AUTH, DEVELOPER_AUTH, expectEventually, useTestApp } from '../utils/test-app.js';
import { createTestConsumer, type TestConsumer, type TestConsumerOptions } from '../factories/access.factory.js';
import { expectProblem } from '../utils/problem.js';

type Headers = Record<string, string>;
type FieldError = { field: string; rule: string; message: string };

/** Consents of citizens to non-state consumers: recording, validation, revocation, and their effect on the registry. */
describe('/sandbox/consents', () => {
  const testApp = useTestApp();
  let db: DataSource;
  const citizen = persona('foreign-spouse');
  let bank: TestConsumer;

  beforeAll(async () => {
    db = testApp.app.get(DataSource);
    bank = await createConsumer({ kind: 'non_state', serviceCodes: ['2.001159', '1.000466'] });
  });

  // One live consent per citizen, consumer and service: each test starts with none for the shared bank.
  afterEach(async () => {
    await db.query(`UPDATE consents SET revoked_at = now() WHERE consumer_id = $1 AND revoked_at IS NULL`, [bank.consumerId]);
  });

  const server = () => testApp.app.getHttpServer();

  const createConsumer = (options: TestConsumerOptions = {}): Promise<TestConsumer> => createTestConsumer(testApp.app, { ...options });

  const inOneHour = () => new Date(Date.now() + 3_600_000).toISOString();
  const consentBody = (overrides: Record<string, unknown> = {}) => ({
    idNumber: citizen.idNumber,
    consumerId: bank.consumerId,
    serviceCode: '2.001159',
    fields: ['fullName', 'dateOfBirth'],
    expiresAt: inOneHour(),
    ...overrides,
  });
  const post = (body: unknown, auth: Headers = ADMIN_AUTH) => request(server()).post('/sandbox/consents').set(auth).send(body as object);
  const revoke = (consentId: string, auth: Headers = ADMIN_AUTH) => request(server()).delete(`/sandbox/consents/${consentId}`).set(auth);
  const lookup = (consumer: TestConsumer, fields: string, serviceCode = '2.001159', idNumber = citizen.idNumber) =>
    request(server()).get(`/registry/v1/citizens/${idNumber}?fields=${fields}`).set({ ...consumer.auth, 'x-service-code': serviceCode });
  const consentRows = async () => (await db.query(`SELECT count(*)::int AS n FROM consents`))[0].n as number;

  /** Posts a body that must be refused, and checks that no consent was recorded. */
  async function expectRefused(body: unknown, status: number, code: string): Promise<FieldError[]> {
    const before = await consentRows();
    const response = await post(body);
    expectProblem(response, status, code);
    expect(await consentRows()).toBe(before);
    return response.body.errors ?? [];
  }

  describe('POST', () => {
    it('records a consent and answers it with the citizen masked', async () => {
      const expiresAt = inOneHour();
      const response = await post(consentBody({ fields: ['fullName', 'dateOfBirth', 'fullName'], expiresAt })).expect(201);
      expect(response.body).toEqual({
        consentId: expect.stringMatching(/^[0-9a-f-]{36}$/),
        citizen: maskIdNumber(citizen.idNumber),
        consumerId: bank.consumerId,
        serviceCode: '2.001159',
        fields: ['fullName', 'dateOfBirth'],
        expiresAt,
        createdAt: expect.any(String),
        revokedAt: null,
      });
      expect(Math.abs(Date.parse(response.body.createdAt) - Date.now())).toBeLessThan(60_000);
    });

    it('stores the citizen as HMAC and mask, never the clear number', async () => {
      const { body } = await post(consentBody()).expect(201);
      const [row] = await db.query(`SELECT k.*, row_to_json(k)::text AS everything FROM consents k WHERE consent_id = $1`, [body.consentId]);
      expect(row.citizen_hmac).toBe(testApp.app.get(CitizenHmac).of(citizen.idNumber));
      expect(row.citizen_masked).toBe(maskIdNumber(citizen.idNumber));
      expect(row.everything).not.toContain(citizen.idNumber);
    });

    it('accepts a time zone offset in expiresAt', async () => {
      const later = new Date(Date.now() + 86_400_000);
      const local = new Date(later.getTime() + 7 * 3_600_000).toISOString().replace('Z', '+07:00');
      const response = await post(consentBody({ expiresAt: local })).expect(201);
      expect(response.body.expiresAt).toBe(later.toISOString());
    });

    it('lists every rule an empty body breaks', async () => {
      const errors = await expectRefused({}, 400, 'validation_failed');
      expect(errors.map((e) => [e.field, e.rule]).sort()).toEqual([
        ['consumerId', 'required'],
        ['expiresAt', 'required'],
        ['fields', 'required'],
        ['idNumber', 'required'],
        ['serviceCode', 'required'],
      ]);
    });

    it.each([
      ['an invalid ID number', { idNumber: '000199012345' }, 'idNumber', 'province_code'],
      ['an ID number of 11 digits', { idNumber: '00109099992' }, 'idNumber', 'length'],
      ['a consumer id that is no UUID', { consumerId: 'bank' }, 'consumerId', 'format'],
      ['a service not in the catalog', { serviceCode: 'NOT-A-SERVICE' }, 'serviceCode', 'unknown_service'],
      ['a malformed service code', { serviceCode: 'a b' }, 'serviceCode', 'format'],
      ['an unknown field', { fields: ['nickname'] }, 'fields.0', 'unknown_field'],
      ['no fields', { fields: [] }, 'fields', 'min'],
      ['fields that are not a list', { fields: 'fullName' }, 'fields', 'type'],
      ['an expiry in the past', { expiresAt: '2020-01-01T00:00:00Z' }, 'expiresAt', 'future'],
      ['an expiry without a time', { expiresAt: '2099-01-01' }, 'expiresAt', 'format'],
      ['an expiry without a time zone', { expiresAt: '2099-01-01T00:00:00' }, 'expiresAt', 'format'],
      ['an unknown property', { purpose: 'eKYC' }, 'purpose', 'unknown_property'],
    ])('refuses %s with 400 naming the field', async (_, overrides, field, rule) => {
      const errors = await expectRefused(consentBody(overrides), 400, 'validation_failed');
      expect(errors).toEqual([expect.objectContaining({ field, rule })]);
    });

    it('refuses each field outside the service\'s allow-list, naming fields.N', async () => {
      const errors = await expectRefused(consentBody({ fields: ['fullName', 'religion', 'dateOfBirth', 'ethnicity'] }), 400, 'validation_failed');
      expect(errors).toEqual([
        expect.objectContaining({ field: 'fields.1', rule: 'not_in_allow_list', message: expect.stringContaining('religion') }),
        expect.objectContaining({ field: 'fields.3', rule: 'not_in_allow_list', message: expect.stringContaining('ethnicity') }),
      ]);
    });

    it('reports field and other errors in one answer', async () => {
      const errors = await expectRefused(consentBody({ idNumber: '12', fields: ['religion'] }), 400, 'validation_failed');
      expect(errors.map((e) => [e.field, e.rule])).toEqual(expect.arrayContaining([['idNumber', 'length'], ['fields.0', 'not_in_allow_list']]));
    });

    it('refuses a citizen the registry does not hold with 404 citizen_not_found', async () => {
      await expectRefused(consentBody({ idNumber: unusedIdNumber() }), 404, 'citizen_not_found');
    });

    it('refuses an unknown consumer with 404 consumer_not_found', async () => {
      await expectRefused(consentBody({ consumerId: randomUUID() }), 404, 'consumer_not_found');
    });

    it('refuses a service the consumer was not granted with 403 service_not_granted', async () => {
      await expectRefused(consentBody({ serviceCode: '3.000346' }), 403, 'service_not_granted');
    });

    it('refuses a consent for a state consumer with 409 consumer_is_state', async () => {
      const ward = await createConsumer({ kind: 'state', serviceCodes: ['2.001159'] });
      const errors = await expectRefused(consentBody({ consumerId: ward.consumerId }), 409, 'consumer_is_state');
      expect(errors).toEqual([expect.objectContaining({ field: 'consumerId' })]);
    });
  });

  describe('one live consent per citizen, consumer and service', () => {
    it('refuses a second one (a retried POST, say) with 409 consent_exists naming the live one, and records nothing', async () => {
      const first = (await post(consentBody()).expect(201)).body;
      const before = await consentRows();
      const again = await post(consentBody());
      expectProblem(again, 409, 'consent_exists');
      expect(again.body.consentId).toBe(first.consentId);
      expect(await consentRows()).toBe(before);
      // So that revoking the one the client knows is enough for the citizen's "no" to hold.
      await revoke(first.consentId).expect(204);
      expectProblem(await lookup(bank, 'fullName'), 403, 'consent_required');
    });

    it('records a new one once the live one is revoked or has expired, and keeps other services apart', async () => {
      const first = (await post(consentBody()).expect(201)).body;
      await post(consentBody({ serviceCode: '1.000466', fields: ['fullName'] })).expect(201);
      await revoke(first.consentId).expect(204);
      const second = (await post(consentBody()).expect(201)).body;
      await db.query(`UPDATE consents SET expires_at = now() - interval '1 second' WHERE consent_id = $1`, [second.consentId]);
      await post(consentBody()).expect(201);
    });

    it('serialises racing creates: one that waited for another sees its consent and gets 409', async () => {
      // This test holds the lock a racing create would hold, and records that create's consent under it.
      const racing = db.createQueryRunner();
      await racing.connect();
      await racing.startTransaction();
      try {
        const hmac = testApp.app.get(CitizenHmac).of(citizen.idNumber);
        await racing.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`consent:${hmac}:${bank.consumerId}:2.001159`]);
        await racing.query(
          `INSERT INTO consents (citizen_hmac, citizen_masked, consumer_id, service_code, fields, expires_at)
           VALUES ($1, $2, $3, '2.001159', '{fullName}', now() + interval '1 hour')`,
          [hmac, maskIdNumber(citizen.idNumber), bank.consumerId],
        );
        const answer = post(consentBody()).then((response) => response);
        // The create must be seen waiting for the lock before the racing one commits: one that did not wait would
        // have found nothing and recorded a second consent (and this wait would time out).
        await expectEventually(async () => {
          const [{ waiting }] = await db.query(`SELECT count(*)::int AS waiting FROM pg_locks WHERE locktype = 'advisory' AND NOT granted`);
          expect(waiting).toBeGreaterThan(0);
        });
        await racing.commitTransaction();
        expectProblem(await answer, 409, 'consent_exists');
      } finally {
        if (racing.isTransactionActive) await racing.rollbackTransaction();
        await racing.release();
      }
    });
  });

  describe('DELETE and GET', () => {
    it('revokes a consent (204), idempotently, keeping the first revocation time', async () => {
      const { body } = await post(consentBody()).expect(201);
      await revoke(body.consentId).expect(204);
      const first = (await request(server()).get(`/sandbox/consents?idNumber=${citizen.idNumber}`).set(ADMIN_AUTH).expect(200)).body.consents;
      const revokedAt = first.find((consent: { consentId: string }) => consent.consentId === body.consentId).revokedAt;
      expect(Date.parse(revokedAt)).not.toBeNaN();
      await revoke(body.consentId).expect(204);
      const second = (await request(server()).get(`/sandbox/consents?idNumber=${citizen.idNumber}`).set(ADMIN_AUTH).expect(200)).body.consents;
      expect(second.find((consent: { consentId: string }) => consent.consentId === body.consentId).revokedAt).toBe(revokedAt);
    });

    it('answers 404 consent_not_found for an unknown consent and 400 for a malformed id', async () => {
      expectProblem(await revoke(randomUUID()), 404, 'consent_not_found');
      const malformed = await revoke('not-a-uuid');
      expectProblem(malformed, 400, 'validation_failed');
      expect(malformed.body.errors).toEqual([expect.objectContaining({ field: 'consentId', rule: 'format' })]);
    });

    it('lists a citizen\'s consents newest first, and no one else\'s', async () => {
      const other = persona('temporary-residence-hanoi');
      const older = (await post(consentBody({ idNumber: other.idNumber, fields: ['fullName'] })).expect(201)).body;
      // To change what a consent covers, the old one is revoked and a new one recorded.
      await revoke(older.consentId).expect(204);
      const newer = (await post(consentBody({ idNumber: other.idNumber, fields: ['dateOfBirth'] })).expect(201)).body;
      const response = await request(server()).get(`/sandbox/consents?idNumber=${other.idNumber}`).set(ADMIN_AUTH).expect(200);
      const ids = response.body.consents.map((consent: { consentId: string }) => consent.consentId);
      expect(ids.indexOf(newer.consentId)).toBeLessThan(ids.indexOf(older.consentId));
      expect(ids).toContain(older.consentId);
      for (const consent of response.body.consents) expect(consent.citizen).toBe(maskIdNumber(other.idNumber));
    });

    it('refuses a listing without a valid idNumber, or with another parameter', async () => {
      const missing = await request(server()).get('/sandbox/consents').set(ADMIN_AUTH);
      expectProblem(missing, 400, 'validation_failed');
      expect(missing.body.errors).toEqual([expect.objectContaining({ field: 'query.idNumber', rule: 'required' })]);
      const extra = await request(server()).get(`/sandbox/consents?idNumber=${citizen.idNumber}&consumerId=x`).set(ADMIN_AUTH);
      expect(extra.body.errors).toEqual([expect.objectContaining({ field: 'query.consumerId', rule: 'unknown_property' })]);
    });
  });

  describe('effect on the registry', () => {
    it('serves a non-state consumer the consented fields only, and refuses the very next call after revocation', async () => {
      const telco = await createConsumer({ kind: 'non_state', serviceCodes: ['2.001159'] });
      const subject = persona('card-expired');
      expectProblem(await lookup(telco, 'fullName', '2.001159', subject.idNumber), 403, 'consent_required');
      const { body } = await post(consentBody({ consumerId: telco.consumerId, idNumber: subject.idNumber, fields: ['fullName', 'sex'] })).expect(201);
      await lookup(telco, 'fullName,sex', '2.001159', subject.idNumber).expect(200);
      await lookup(telco, 'sex', '2.001159', subject.idNumber).expect(200);
      expectProblem(await lookup(telco, 'fullName,dateOfBirth', '2.001159', subject.idNumber), 403, 'consent_required');
      await revoke(body.consentId).expect(204);
      expectProblem(await lookup(telco, 'fullName', '2.001159', subject.idNumber), 403, 'consent_required');
    });

    it('stops serving once a consent has expired', async () => {
      const telco = await createConsumer({ kind: 'non_state', serviceCodes: ['2.001159'] });
      const { body } = await post(consentBody({ consumerId: telco.consumerId })).expect(201);
      await lookup(telco, 'fullName').expect(200);
      // The registry compares expires_at with the database's clock on each call; moving it back stands in for waiting.
      await db.query(`UPDATE consents SET expires_at = now() - interval '1 second' WHERE consent_id = $1`, [body.consentId]);
      expectProblem(await lookup(telco, 'fullName'), 403, 'consent_required');
    });

    it('binds a consent to its service', async () => {
      const telco = await createConsumer({ kind: 'non_state', serviceCodes: ['2.001159', '1.000466'] });
      await post(consentBody({ consumerId: telco.consumerId, serviceCode: '1.000466', fields: ['fullName'] })).expect(201);
      await lookup(telco, 'fullName', '1.000466').expect(200);
      expectProblem(await lookup(telco, 'fullName', '2.001159'), 403, 'consent_required');
    });
  });

  describe('access control', () => {
    it.each([
      ['POST /sandbox/consents', (auth: Headers) => post(consentBody(), auth)],
      ['GET /sandbox/consents', (auth: Headers) => request(server()).get(`/sandbox/consents?idNumber=${citizen.idNumber}`).set(auth)],
      ['DELETE /sandbox/consents/{id}', (auth: Headers) => revoke(randomUUID(), auth)],
    ])('%s needs the admin key', async (_, call) => {
      const before = await consentRows();
      expectProblem(await call(DEVELOPER_AUTH), 403, 'admin_required');
      expectProblem(await call(bank.auth), 403, 'admin_required');
      expectProblem(await call({}), 401, 'missing_credentials');
      expect(await consentRows()).toBe(before);
    });
  });
});
