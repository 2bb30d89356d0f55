import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { AddressInfo } from 'node:net';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { loadConfig } from '../../src/config/app-config.js';
import { persona } from '../factories/registry.factory.js';
import { expectProblem } from '../utils/problem.js';
import { sendRawHttp } from '../utils/raw-http.js';
import { ADMIN_AUTH, REGISTRY_HEADERS, createTestApp, seedTestDataset } from '../utils/test-app.js';

const ALLOWED = 'https://integration.example';
const ALSO_ALLOWED = 'http://localhost:5173';
const DISALLOWED = 'https://elsewhere.example';

/** The request headers popgate reads, which a browser page must be allowed to send. */
const REQUEST_HEADERS = [
  'authorization', 'content-type', 'x-service-code', 'x-dossier-id', 'x-officer-id', 'x-request-id', 'idempotency-key', 'x-sandbox-session', 'x-sandbox-fault',
];
/** The answer headers a browser page must be allowed to read. */
const EXPOSED_HEADERS = ['x-request-id', 'x-call-id', 'retry-after', 'x-popgate-data', 'x-sandbox-fault-applied'];

const lowerList = (header: string | undefined): string[] => (header ?? '').split(',').map((item) => item.trim().toLowerCase()).filter(Boolean);

/** Headers every answer carries, and those that keep personal data out of browser and shared caches. */
describe('answer headers and the CORS policy', () => {
  let app: NestFastifyApplication;
  const citizen = persona('married-husband').idNumber;

  beforeAll(async () => {
    app = await createTestApp({ config: { ...loadConfig(), cors: { allowedOrigins: [ALLOWED, ALSO_ALLOWED] } } });
    await seedTestDataset(app);
  });

  afterAll(async () => {
    await app.close();
  });

  const http = () => request(app.getHttpServer());

  it('a registry answer from an allowed origin: no-store, nosniff, the origin allowed and the headers exposed', async () => {
    const response = await http().get(`/registry/v1/citizens/${citizen}?fields=fullName`).set(REGISTRY_HEADERS).set('origin', ALLOWED).expect(200);
    expect(response.headers).toMatchObject({
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      'access-control-allow-origin': ALLOWED,
      'x-popgate-data': 'synthetic',
    });
    expect(lowerList(response.headers['access-control-expose-headers'])).toEqual(expect.arrayContaining(EXPOSED_HEADERS));
    expect(lowerList(response.headers.vary)).toContain('origin');
    expect(response.headers['access-control-allow-credentials']).toBeUndefined();
  });

  it('a registry error: problem+json with no-store, nosniff and the CORS headers, so the page can read why', async () => {
    const response = await http().get('/registry/v1/citizens/000199012345').set(REGISTRY_HEADERS).set('origin', ALSO_ALLOWED);
    expectProblem(response, 400, 'validation_failed');
    expect(response.headers).toMatchObject({ 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', 'access-control-allow-origin': ALSO_ALLOWED });
    expect(lowerList(response.headers['access-control-expose-headers'])).toEqual(expect.arrayContaining(EXPOSED_HEADERS));
  });

  it('every personal-data area answers no-store: households, changes, /access and /sandbox', async () => {
    const paths = [
      [`/registry/v1/households/${persona('large-household-head').householdId}`, REGISTRY_HEADERS],
      ['/registry/v1/changes?since=0&limit=1', REGISTRY_HEADERS],
      ['/access/v1/consumers', ADMIN_AUTH],
      [`/access/v1/citizens/${citizen}/accesses`, ADMIN_AUTH],
      ['/sandbox/personas', ADMIN_AUTH],
      [`/sandbox/consents?idNumber=${citizen}`, ADMIN_AUTH],
    ] as const;
    const answers = [];
    for (const [path, headers] of paths) {
      const response = await http().get(path).set(headers);
      answers.push([path, response.status, response.headers['cache-control']]);
    }
    expect(answers).toEqual(paths.map(([path]) => [path, 200, 'no-store']));
  });

  it('public answers may be cached; every answer, router and parser refusals included, carries nosniff; every problem no-store', async () => {
    const services = await http().get('/portal/v1/services').expect(200);
    expect([services.headers['cache-control'], services.headers['x-content-type-options']]).toEqual([undefined, 'nosniff']);
    const health = await http().get('/health').expect(200);
    expect(health.headers['x-content-type-options']).toBe('nosniff');
    for (const url of ['/no/such/route', '/portal/v1/services/%C0%AF', `/portal/v1/services/${'x'.repeat(5_000)}`]) {
      const refused = await http().get(url);
      expect([url.slice(0, 30), refused.status >= 400, refused.headers['x-content-type-options'], refused.headers['cache-control']]).toEqual([url.slice(0, 30), true, 'nosniff', 'no-store']);
    }
    const server = app.getHttpServer();
    if (!server.address()) await app.listen(0, '127.0.0.1');
    const parserRefusal = await sendRawHttp((server.address() as AddressInfo).port, 'GET /health HTTP/1.1\r\nHost: localhost\r\nX-Note: a\u0001b\r\n\r\n');
    expect([parserRefusal.status, parserRefusal.headers['x-content-type-options'], parserRefusal.headers['cache-control']]).toEqual([400, 'nosniff', 'no-store']);
  });

  it('answers a preflight from an allowed origin with 204, the request headers popgate reads allowed, and a request id', async () => {
    const response = await http()
      .options(`/registry/v1/citizens/${citizen}`)
      .set('origin', ALLOWED)
      .set('access-control-request-method', 'GET')
      .set('access-control-request-headers', 'authorization, x-service-code')
      .expect(204);
    expect(response.headers['access-control-allow-origin']).toBe(ALLOWED);
    expect(lowerList(response.headers['access-control-allow-headers'])).toEqual(expect.arrayContaining(REQUEST_HEADERS));
    expect(lowerList(response.headers['access-control-allow-methods'])).toEqual(expect.arrayContaining(['get', 'post', 'put', 'delete']));
    expect(Number(response.headers['access-control-max-age'])).toBeGreaterThan(0);
    expect(response.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(response.headers['x-content-type-options']).toBe('nosniff');
  });

  it('refuses a preflight from another origin with a 403 origin_not_allowed problem naming the Origin header, and allows it nothing', async () => {
    const response = await http()
      .options('/registry/v1/citizens/verify')
      .set('origin', DISALLOWED)
      .set('access-control-request-method', 'POST')
      .set('access-control-request-headers', 'authorization, content-type');
    expectProblem(response, 403, 'origin_not_allowed');
    expect(response.body.errors).toEqual([expect.objectContaining({ field: 'header.Origin', rule: 'allowed_origin' })]);
    expect(Object.keys(response.headers).filter((name) => name.startsWith('access-control-'))).toEqual([]);
    expect(response.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('serves a call from another origin (CORS is for browsers to enforce) but without allowing the page to read it', async () => {
    const response = await http().get('/portal/v1/services').set('origin', DISALLOWED).expect(200);
    expect(response.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('the default CORS policy (any origin)', () => {
  let app: NestFastifyApplication;

  beforeAll(async () => {
    app = await createTestApp({ config: { ...loadConfig({ ...process.env, CORS_ALLOWED_ORIGINS: undefined }) } });
  });

  afterAll(async () => {
    await app.close();
  });

  it('answers a preflight from any origin with `*`, without credentials (popgate authenticates by header, never by cookie)', async () => {
    const response = await request(app.getHttpServer())
      .options('/sandbox/personas')
      .set('origin', DISALLOWED)
      .set('access-control-request-method', 'GET')
      .set('access-control-request-headers', 'authorization')
      .expect(204);
    expect(response.headers['access-control-allow-origin']).toBe('*');
    expect(response.headers['access-control-allow-credentials']).toBeUndefined();
  });
});
