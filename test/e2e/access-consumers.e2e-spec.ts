import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { ADMIN_AUTH, DEVELOPER_AUTH, useTestApp } from '../utils/test-app.js';
import { expectProblem } from '../utils/problem.js';

const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** A name no other run uses: e2e files share one database and consumers are never deleted. */
const uniqueName = (label: string) => `e2e ${label} ${randomBytes(4).toString('hex')}`;

/** Operators' consumers API: registration, key issue, rotation and revocation, today's usage, and who may call it. */
describe('/access/v1/consumers', () => {
  const testApp = useTestApp({ seed: false });
  const http = () => request(testApp.app.getHttpServer());

  beforeAll(async () => {

  });

  async function createConsumer(overrides: Record<string, unknown> = {}): Promise<{ consumer: Record<string, any>; apiKey: string }> {
    const { body } = await http()
      .post('/access/v1/consumers')
      .set(ADMIN_AUTH)
      .send({ name: uniqueName('bank'), kind: 'non_state', serviceCodes: ['2.001159'], ...overrides })
      .expect(201);
    return body;
  }

  /** What the admin guard makes of a key: 403 proves the key is a known consumer's, 401 that it is not (any more). */
  async function guardAnswerFor(key: string): Promise<{ status: number; code: string }> {
    const response = await http().get('/access/v1/consumers').set(bearer(key));
    return { status: response.status, code: response.body.code };
  }

  describe('POST /access/v1/consumers', () => {
    it('registers a consumer and issues a working key, stored only as its SHA-256', async () => {
      const name = uniqueName('Ngân hàng Ví Dụ');
      const response = await http()
        .post('/access/v1/consumers')
        .set(ADMIN_AUTH)
        .send({ name: `  ${name} `, kind: 'non_state', serviceCodes: ['2.001159', '1.004222', '2.001159'], rateLimitPerSecond: 5, dailyQuota: 1000 })
        .expect(201);
      const { consumer, apiKey } = response.body;
      expect(apiKey).toMatch(/^pgk_[\w-]{43}$/);
      expect(consumer).toEqual({
        consumerId: expect.stringMatching(/^[0-9a-f-]{36}$/),
        name,
        kind: 'non_state',
        serviceCodes: ['2.001159', '1.004222'],
        keyPrefix: apiKey.slice(0, 8),
        keyIssuedAt: expect.any(String),
        keyRevokedAt: null,
        keyActive: true,
        isDeveloper: false,
        isPortal: false,
        selfService: false,
        rateLimitPerSecond: 5,
        dailyQuota: 1000,
        createdAt: expect.any(String),
        usageToday: { calls: 0, notFound: 0, refused: 0 },
      });

      const [row] = await testApp.app.get(DataSource).query('SELECT * FROM consumers WHERE consumer_id = $1', [consumer.consumerId]);
      expect(row.key_hash).toBe(sha256(apiKey));
      expect(JSON.stringify(row)).not.toContain(apiKey);

      expect(await guardAnswerFor(apiKey)).toEqual({ status: 403, code: 'admin_required' });
    });

    it('applies the defaults: no limits of its own (null), state kind kept as sent', async () => {
      const { consumer } = await createConsumer({ kind: 'state', serviceCodes: ['1.004222'] });
      expect(consumer).toMatchObject({ kind: 'state', serviceCodes: ['1.004222'], rateLimitPerSecond: null, dailyQuota: null });
    });

    it('refuses a second consumer of the same name, case aside (a retried POST), with 409 consumer_exists naming the first', async () => {
      const name = uniqueName('Retried Bank');
      const { consumer } = await createConsumer({ name });
      const retry = await http().post('/access/v1/consumers').set(ADMIN_AUTH).send({ name: name.toUpperCase(), kind: 'non_state', serviceCodes: ['2.001159'] });
      expectProblem(retry, 409, 'consumer_exists');
      expect(retry.body.consumerId).toBe(consumer.consumerId);
      expect(retry.body.errors).toEqual([expect.objectContaining({ field: 'name', rule: 'unique' })]);
      const { body } = await http().get('/access/v1/consumers').set(ADMIN_AUTH).expect(200);
      expect((body.consumers as { name: string }[]).filter((c) => c.name.toLowerCase() === name.toLowerCase())).toHaveLength(1);
    });

    it('refuses a service code that is not in the catalog with rule unknown_service naming the item', async () => {
      const name = uniqueName('unknown-service');
      const response = await http()
        .post('/access/v1/consumers')
        .set(ADMIN_AUTH)
        .send({ name, kind: 'state', serviceCodes: ['2.001159', `NOPE-${randomBytes(3).toString('hex')}`] })
        .expect(400);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.body.errors).toEqual([expect.objectContaining({ field: 'serviceCodes.1', rule: 'unknown_service' })]);
      const { body } = await http().get('/access/v1/consumers').set(ADMIN_AUTH).expect(200);
      expect((body.consumers as { name: string }[]).some((c) => c.name === name)).toBe(false);
    });

    it('lists every broken rule of a bad body', async () => {
      const response = await http()
        .post('/access/v1/consumers')
        .set(ADMIN_AUTH)
        .send({ name: '   ', kind: 'bank', serviceCodes: ['bad code', '2.001159'], rateLimitPerSecond: 0, dailyQuota: 1.5, apiKey: 'pgk_mine' })
        .expect(400);
      expect(response.body.code).toBe('validation_failed');
      expect(response.body.errors).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ field: 'name', rule: 'min' }),
          expect.objectContaining({ field: 'kind', rule: 'enum' }),
          expect.objectContaining({ field: 'serviceCodes.0', rule: 'format' }),
          expect.objectContaining({ field: 'rateLimitPerSecond', rule: 'min' }),
          expect.objectContaining({ field: 'dailyQuota', rule: 'type' }),
          expect.objectContaining({ field: 'apiKey', rule: 'unknown_property' }),
        ]),
      );
      // A malformed code gets its format error only, not unknown_service as well.
      expect(response.body.errors).toHaveLength(6);

      const missing = await http().post('/access/v1/consumers').set(ADMIN_AUTH).send({}).expect(400);
      // `kind` is left without a rule: common/validation.ts reports a missing enum as `enum`, not `required`.
      expect(missing.body.errors).toEqual([
        expect.objectContaining({ field: 'name', rule: 'required' }),
        expect.objectContaining({ field: 'kind' }),
        expect.objectContaining({ field: 'serviceCodes', rule: 'required' }),
      ]);
      const empty = await http().post('/access/v1/consumers').set(ADMIN_AUTH).send({ name: 'x', kind: 'state', serviceCodes: [] }).expect(400);
      expect(empty.body.errors).toEqual([expect.objectContaining({ field: 'serviceCodes', rule: 'min' })]);
      const tooLong = await http().post('/access/v1/consumers').set(ADMIN_AUTH).send({ name: 'x'.repeat(201), kind: 'state', serviceCodes: ['2.001159'] }).expect(400);
      expect(tooLong.body.errors).toEqual([expect.objectContaining({ field: 'name', rule: 'max' })]);
    });
  });

  describe('reading', () => {
    it('lists consumers with today\'s usage from the audit: calls, not-found and refused, today only', async () => {
      const { consumer } = await createConsumer();
      const other = await createConsumer();
      const dataSource = testApp.app.get(DataSource);
      const insert = (consumerId: string, outcome: string, occurredAt = 'now()') =>
        dataSource.query(`INSERT INTO access_audit (request_id, consumer_id, operation, outcome, occurred_at) VALUES ($1, $2, 'verify', $3, ${occurredAt})`, [
          randomUUID(),
          consumerId,
          outcome,
        ]);
      // An enumeration sweep: many verify calls about ID numbers that do not exist.
      for (const outcome of ['not_found', 'not_found', 'not_found', 'not_found', 'refused', 'match', 'ok']) await insert(consumer.consumerId, outcome);
      // Yesterday (UTC) does not count.
      await insert(consumer.consumerId, 'not_found', `date_trunc('day', now(), 'UTC') - interval '1 second'`);
      await insert(other.consumer.consumerId, 'mismatch');

      const { body } = await http().get('/access/v1/consumers').set(ADMIN_AUTH).expect(200);
      const byId = new Map((body.consumers as Record<string, any>[]).map((c) => [c.consumerId, c]));
      expect(byId.get(consumer.consumerId)?.usageToday).toEqual({ calls: 7, notFound: 4, refused: 1 });
      expect(byId.get(other.consumer.consumerId)?.usageToday).toEqual({ calls: 1, notFound: 0, refused: 0 });
      expect([...byId.values()].filter((c) => c.isDeveloper)).toHaveLength(1);
      expect(JSON.stringify(body)).not.toMatch(/keyHash|key_hash/);

      const one = await http().get(`/access/v1/consumers/${consumer.consumerId}`).set(ADMIN_AUTH).expect(200);
      expect(one.body).toEqual({ ...byId.get(consumer.consumerId) });
    });

    it('answers an unknown id with 404 consumer_not_found and a malformed one with 400', async () => {
      const unknown = await http().get(`/access/v1/consumers/${randomUUID()}`).set(ADMIN_AUTH).expect(404);
      expect(unknown.body).toMatchObject({ status: 404, code: 'consumer_not_found' });
      const malformed = await http().get('/access/v1/consumers/not-a-uuid').set(ADMIN_AUTH).expect(400);
      expect(malformed.body.errors).toEqual([expect.objectContaining({ field: 'consumerId', rule: 'format' })]);
    });
  });

  describe('keys', () => {
    it('rotates a key: the old one stops working at once, the new one works', async () => {
      const { consumer, apiKey: oldKey } = await createConsumer();
      expect(await guardAnswerFor(oldKey)).toEqual({ status: 403, code: 'admin_required' });

      const { body } = await http().post(`/access/v1/consumers/${consumer.consumerId}/rotate-key`).set(ADMIN_AUTH).expect(200);
      expect(body.apiKey).not.toBe(oldKey);
      expect(body.consumer).toMatchObject({ consumerId: consumer.consumerId, keyPrefix: body.apiKey.slice(0, 8), keyActive: true, keyRevokedAt: null });
      expect(Date.parse(body.consumer.keyIssuedAt)).toBeGreaterThanOrEqual(Date.parse(consumer.keyIssuedAt));

      expect(await guardAnswerFor(oldKey)).toEqual({ status: 401, code: 'unknown_credentials' });
      expect(await guardAnswerFor(body.apiKey)).toEqual({ status: 403, code: 'admin_required' });
      const [row] = await testApp.app.get(DataSource).query('SELECT key_hash FROM consumers WHERE consumer_id = $1', [consumer.consumerId]);
      expect(row.key_hash).toBe(sha256(body.apiKey));
    });

    it('revokes a key (204, idempotent), and a rotation gives the consumer a working key again', async () => {
      const { consumer, apiKey } = await createConsumer();
      // Used once first, so the revocation has a cached identity to drop.
      expect(await guardAnswerFor(apiKey)).toEqual({ status: 403, code: 'admin_required' });
      await http().delete(`/access/v1/consumers/${consumer.consumerId}/key`).set(ADMIN_AUTH).expect(204);
      expect(await guardAnswerFor(apiKey)).toEqual({ status: 401, code: 'unknown_credentials' });

      const revoked = await http().get(`/access/v1/consumers/${consumer.consumerId}`).set(ADMIN_AUTH).expect(200);
      expect(revoked.body).toMatchObject({ keyActive: false, keyRevokedAt: expect.any(String), keyPrefix: apiKey.slice(0, 8) });
      const [row] = await testApp.app.get(DataSource).query('SELECT key_hash FROM consumers WHERE consumer_id = $1', [consumer.consumerId]);
      expect(row.key_hash).toBeNull();

      await http().delete(`/access/v1/consumers/${consumer.consumerId}/key`).set(ADMIN_AUTH).expect(204);
      const again = await http().get(`/access/v1/consumers/${consumer.consumerId}`).set(ADMIN_AUTH).expect(200);
      expect(again.body.keyRevokedAt).toBe(revoked.body.keyRevokedAt);

      const rotated = await http().post(`/access/v1/consumers/${consumer.consumerId}/rotate-key`).set(ADMIN_AUTH).expect(200);
      expect(rotated.body.consumer).toMatchObject({ keyActive: true, keyRevokedAt: null });
      expect(await guardAnswerFor(rotated.body.apiKey)).toEqual({ status: 403, code: 'admin_required' });
      expect(await guardAnswerFor(apiKey)).toEqual({ status: 401, code: 'unknown_credentials' });
    });

    it('answers rotation and revocation of an unknown consumer with 404, of a malformed id with 400', async () => {
      const id = randomUUID();
      await http().post(`/access/v1/consumers/${id}/rotate-key`).set(ADMIN_AUTH).expect(404).expect(({ body }) => expect(body.code).toBe('consumer_not_found'));
      await http().delete(`/access/v1/consumers/${id}/key`).set(ADMIN_AUTH).expect(404).expect(({ body }) => expect(body.code).toBe('consumer_not_found'));
      await http().delete('/access/v1/consumers/123/key').set(ADMIN_AUTH).expect(400);
    });
  });

  it('lets only the admin key in: no key 401, a bad header 401, a consumer key 403', async () => {
    const { consumer } = await createConsumer();
    const calls = [
      () => http().post('/access/v1/consumers').send({ name: uniqueName('intruder'), kind: 'state', serviceCodes: ['2.001159'] }),
      () => http().get('/access/v1/consumers'),
      () => http().get(`/access/v1/consumers/${consumer.consumerId}`),
      () => http().post(`/access/v1/consumers/${consumer.consumerId}/rotate-key`),
      () => http().delete(`/access/v1/consumers/${consumer.consumerId}/key`),
    ];
    for (const call of calls) {
      const missing = await call().expect(401);
      expect(missing.body.code).toBe('missing_credentials');
      const malformed = await call().set({ authorization: 'Basic dXNlcjpwYXNz' }).expect(401);
      expect(malformed.body.code).toBe('malformed_credentials');
      const developer = await call().set(DEVELOPER_AUTH).expect(403);
      expect(developer.body.code).toBe('admin_required');
    }
    // None of those calls changed the consumer.
    const { body } = await http().get(`/access/v1/consumers/${consumer.consumerId}`).set(ADMIN_AUTH).expect(200);
    expect(body).toMatchObject({ keyActive: true, keyPrefix: consumer.keyPrefix });
  });

  it('documents every operation with a JSON schema and a worked example, behind the bearer key', async () => {
    const { body: document } = await http().get('/docs/openapi.json').expect(200);
    const paths = document.paths as Record<string, Record<string, any>>;
    const operations = Object.entries(paths)
      .filter(([path]) => path.startsWith('/access/v1/consumers'))
      .flatMap(([path, item]) => Object.entries(item).map(([method, operation]) => ({ path, method, operation })));
    expect(operations.map(({ path, method }) => `${method} ${path}`).sort()).toEqual([
      'delete /access/v1/consumers/{consumerId}/key',
      'get /access/v1/consumers',
      'get /access/v1/consumers/{consumerId}',
      'post /access/v1/consumers',
      'post /access/v1/consumers/{consumerId}/rotate-key',
    ]);
    for (const { path, method, operation } of operations) {
      expect([path, method, operation.tags, operation.security]).toEqual([path, method, ['access'], [{ bearer: [] }]]);
      const [status, success] = Object.entries(operation.responses as Record<string, any>).find(([code]) => code.startsWith('2'))!;
      // 204 has no body to describe.
      if (status === '204') continue;
      const json = success.content?.['application/json'];
      expect([path, method, json?.schema !== undefined, json?.example !== undefined]).toEqual([path, method, true, true]);
    }
    const create = paths['/access/v1/consumers'].post;
    expect(create.requestBody.content['application/json'].schema.example).toBeDefined();
  });
});
