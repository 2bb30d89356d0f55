import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { SystemConsumers } from '../../src/access/system-consumers.service.js';
import { developerRegistrationSchema } from '../../src/access/developer-registration.dto.js';
import { persona } from '../factories/registry.factory.js';
import { expectProblem } from '../utils/problem.js';
import { requestFrom } from '../utils/raw-http.js';
import { ADMIN_AUTH, createTestAppWithEnvironment, useTestApp } from '../utils/test-app.js';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** A name no other run uses: e2e files share one database and consumers are never deleted. */
const uniqueName = (label: string) => `e2e ${label} ${randomBytes(4).toString('hex')}`;

/** The catalog's codes as config/public-services.json ships them, sorted. */
const CONFIG_CODES: string[] = JSON.parse(readFileSync(new URL('../../config/public-services.json', import.meta.url), 'utf8'))
  .services.map((service: { code: string }) => service.code)
  .sort();

const allCatalogCodes = async (db: DataSource): Promise<string[]> =>
  (await db.query(`SELECT code FROM public_services ORDER BY code`)).map((row: { code: string }) => row.code).sort();

/**
 * A key of one's own: POST /sandbox/developers gives a developer (or a team) a state consumer granted every catalog
 * service, without any key, so that each has its own journal; it is limited per client address and can be switched
 * off.
 */
describe('POST /sandbox/developers', () => {
  describe('self-service on (the default)', () => {
    const testApp = useTestApp();
    const http = () => request(testApp.app.getHttpServer());
    const register = (body: unknown) => http().post('/sandbox/developers').send(body as object);
    const citizen = persona('married-husband');

    it('gives a developer a state consumer of their own, granted every catalog service, with its key shown once', async () => {
      const name = uniqueName('Nhóm tích hợp Hải Phòng');
      const response = await register({ name: `  ${name} ` }).expect(201);
      const { consumerId, apiKey } = response.body;
      expect(response.headers['cache-control']).toBe('no-store');
      expect(response.body).toEqual({
        consumerId: expect.stringMatching(/^[0-9a-f-]{36}$/),
        name,
        kind: 'state',
        serviceCodes: await allCatalogCodes(testApp.db),
        apiKey: expect.stringMatching(/^pgk_[\w-]{43}$/),
        howToCall: {
          headers: { Authorization: `Bearer ${apiKey}`, 'X-Service-Code': 'SANDBOX-ALL' },
          tryIt: 'GET /registry/v1/citizens/001090999921?fields=fullName,dateOfBirth',
          services: 'GET /portal/v1/services',
          journal: 'GET /journal/v1/calls',
          note: expect.stringContaining('shown only in this answer'),
        },
      });

      // Operators see it as any consumer, marked self-service, and never its key again.
      const { body: view } = await http().get(`/access/v1/consumers/${consumerId}`).set(ADMIN_AUTH).expect(200);
      expect(view).toMatchObject({ consumerId, name, kind: 'state', keyPrefix: apiKey.slice(0, 8), keyActive: true, isDeveloper: false, selfService: true, rateLimitPerSecond: null, dailyQuota: null });
      expect(JSON.stringify(view)).not.toContain(apiKey);
      const [row] = await testApp.db.query(`SELECT key_hash FROM consumers WHERE consumer_id = $1`, [consumerId]);
      expect(row.key_hash).toBe(sha256(apiKey));
    });

    it('gives a key that calls the registry under any catalog service, with a journal of its own calls only', async () => {
      const { body } = await register({ name: uniqueName('journal team') }).expect(201);
      const auth = { authorization: `Bearer ${body.apiKey}` };
      await http().get(`/registry/v1/citizens/${citizen.idNumber}?fields=fullName`).set({ ...auth, 'x-service-code': 'SANDBOX-ALL' }).expect(200);
      await http().get(`/registry/v1/citizens/${citizen.idNumber}?fields=fullName`).set({ ...auth, 'x-service-code': '1.001193' }).expect(200);

      const { body: journal } = await http().get('/journal/v1/calls').set(auth).expect(200);
      expect(journal.calls.map((call: { consumerId: string; serviceCode: string }) => [call.consumerId, call.serviceCode]).sort()).toEqual([
        [body.consumerId, '1.001193'],
        [body.consumerId, 'SANDBOX-ALL'],
      ]);
    });

    it('follows the catalog: a service added later is granted at once, and every start grants the catalog again', async () => {
      const { body } = await register({ name: uniqueName('catalog team') }).expect(201);
      const code = `T-dev-${randomBytes(4).toString('hex')}`;
      const lookUp = () => http().get(`/registry/v1/citizens/${citizen.idNumber}?fields=fullName`).set({ authorization: `Bearer ${body.apiKey}`, 'x-service-code': code });
      expectProblem(await lookUp(), 403, 'service_not_granted');
      await http()
        .post(`/portal/v1/services/${code}`)
        .set(ADMIN_AUTH)
        .send({ nameVi: 'Cấp thẻ thư viện', nameEn: 'Library card', leadAgency: 'Sở Văn hóa', allowedFields: ['idNumber', 'fullName'] })
        .expect(201);
      await lookUp().expect(200);

      await testApp.db.query(`UPDATE consumers SET service_codes = '{SANDBOX-ALL}' WHERE consumer_id = $1`, [body.consumerId]);
      await testApp.app.get(SystemConsumers).onApplicationBootstrap();
      const [row] = await testApp.db.query(`SELECT service_codes FROM consumers WHERE consumer_id = $1`, [body.consumerId]);
      expect([...row.service_codes].sort()).toEqual(await allCatalogCodes(testApp.db));
    });

    it('refuses a name any consumer holds, case aside, with 409 consumer_exists, without naming that consumer', async () => {
      const name = uniqueName('Retried Team');
      await register({ name }).expect(201);
      const retry = await register({ name: name.toUpperCase() });
      expectProblem(retry, 409, 'consumer_exists');
      expect(retry.body.errors).toEqual([expect.objectContaining({ field: 'name', rule: 'unique' })]);
      expect(retry.body).not.toHaveProperty('consumerId');
      expectProblem(await register({ name: 'Sandbox developer' }), 409, 'consumer_exists');
    });

    it('takes a name and nothing else: 400 naming each broken rule, and nothing created', async () => {
      const [before] = await testApp.db.query(`SELECT count(*)::int AS n FROM consumers`);
      const response = await register({ name: '   ', kind: 'non_state', rateLimitPerSecond: 1_000_000 });
      expectProblem(response, 400, 'validation_failed');
      expect(response.body.errors.map((error: { field: string; rule: string }) => `${error.field}:${error.rule}`).sort()).toEqual([
        'kind:unknown_property',
        'name:min',
        'rateLimitPerSecond:unknown_property',
      ]);
      expectProblem(await register({}), 400, 'validation_failed');
      const [after] = await testApp.db.query(`SELECT count(*)::int AS n FROM consumers`);
      expect(after.n).toBe(before.n);
    });
    it('is documented without a key, with its body, answer and refusals, and a worked example of each', async () => {
      const { body: document } = await http().get('/docs/openapi.json').expect(200);
      const operation = document.paths['/sandbox/developers'].post;
      expect(operation.tags).toEqual(['sandbox']);
      expect(operation.requestBody.content['application/json'].schema).toMatchObject({ required: ['name'], additionalProperties: false, example: { name: expect.any(String) } });
      const created = operation.responses['201'].content['application/json'];
      expect(Object.keys(created.schema.properties).sort()).toEqual(['apiKey', 'consumerId', 'howToCall', 'kind', 'name', 'serviceCodes']);
      expect(developerRegistrationSchema.safeParse(created.example).success).toBe(true);
      // The example lists the catalog as shipped (other test files add services to the database).
      expect(created.example.serviceCodes).toEqual(CONFIG_CODES);
      expect(Object.keys(operation.responses).sort()).toEqual(['201', '400', '403', '409', '413', '415', '429', '500']);
      expect(operation.security).toEqual([]);
    });
  });

  describe('per client address', () => {
    let app: NestFastifyApplication;
    let port: number;

    beforeAll(async () => {
      app = await createTestAppWithEnvironment({ SANDBOX_SELF_SERVICE_PER_HOUR: '2' });
      await app.listen(0, '127.0.0.1');
      port = (app.getHttpServer().address() as AddressInfo).port;
    });

    afterAll(async () => {
      await app?.close();
    });

    const registerFrom = (address: string, body: unknown) =>
      requestFrom(address, port, { method: 'POST', path: '/sandbox/developers', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

    it('counts every attempt, refuses the next within the hour with 429 self_service_rate_limited and Retry-After, and leaves other addresses alone', async () => {
      expect((await registerFrom('127.0.0.2', { name: uniqueName('limited team') })).status).toBe(201);
      expect((await registerFrom('127.0.0.2', { name: '' })).status).toBe(400);

      const name = uniqueName('one too many');
      const refused = await registerFrom('127.0.0.2', { name });
      expect([refused.status, refused.body.code]).toEqual([429, 'self_service_rate_limited']);
      const retryAfter = Number(refused.headers['retry-after']);
      expect(retryAfter).toBeGreaterThan(60);
      expect(retryAfter).toBeLessThanOrEqual(1_800);
      expect(await app.get(DataSource).query(`SELECT 1 FROM consumers WHERE name = $1`, [name])).toEqual([]);

      expect((await registerFrom('127.0.0.3', { name })).status).toBe(201);
    });
  });

  describe('switched off (SANDBOX_SELF_SERVICE=false)', () => {
    let app: NestFastifyApplication;

    beforeAll(async () => {
      app = await createTestAppWithEnvironment({ SANDBOX_SELF_SERVICE: 'false' });
    });

    afterAll(async () => {
      await app?.close();
    });

    it('answers 403 self_service_disabled and creates nothing', async () => {
      const name = uniqueName('too late');
      const response = await request(app.getHttpServer()).post('/sandbox/developers').send({ name });
      expectProblem(response, 403, 'self_service_disabled');
      expect(await app.get(DataSource).query(`SELECT 1 FROM consumers WHERE name = $1`, [name])).toEqual([]);
    });
  });
});
