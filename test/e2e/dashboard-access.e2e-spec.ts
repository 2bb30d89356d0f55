import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Writable } from 'node:stream';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';

// Set before the app starts (its config is read then).
process.env.MANAGER_API_KEY = 'test-manager-key-0000000000000000000';

const { createLogger } = await import('../../src/common/logger.js');
const { ADMIN_AUTH, createTestApp } = await import('../utils/test-app.js');
const { expectProblem } = await import('../utils/problem.js');

const MANAGER_KEY = process.env.MANAGER_API_KEY;
const DEVELOPER_KEY = process.env.SANDBOX_DEVELOPER_KEY!;

class CapturedLog extends Writable {
  readonly lines: string[] = [];
  override _write(chunk: Buffer, _encoding: string, done: () => void): void {
    this.lines.push(...chunk.toString('utf8').split('\n').filter((line) => line !== ''));
    done();
  }
}

/** The session cookie of a Set-Cookie answer, as a Cookie header. */
function cookieOf(response: request.Response): string {
  const setCookie = ([] as string[]).concat(response.headers['set-cookie'] ?? []);
  expect(setCookie).toHaveLength(1);
  return setCookie[0].split(';')[0];
}

/**
 * Signing in to the managers' dashboard (issue 10): a form or Basic gives a sealed, HttpOnly, SameSite=Strict cookie;
 * the page's GETs of /coverage/v1 carry it and are judged as the key it seals; nothing else does; no key is logged.
 */
describe('dashboard sign-in and session', () => {
  const log = new CapturedLog();
  let app: NestFastifyApplication;
  const http = () => request(app.getHttpServer());
  const login = (key: string, headers: Record<string, string> = {}) => http().post('/dashboard/login').set(headers).type('form').send({ key, lang: 'en' });

  beforeAll(async () => {
    app = await createTestApp({ logger: createLogger('trace', { destination: log }) });
  });
  afterAll(async () => {
    await app.close();
  });

  it('shows the form without a session, and again with a message after a missing or unknown key, never a 5xx', async () => {
    const form = await http().get('/dashboard?lang=en').expect(200);
    expect(form.headers['content-type']).toMatch(/^text\/html/);
    expect(form.headers['content-security-policy']).toContain("script-src 'self'");
    expect(form.text).toContain('action="/dashboard/login"');
    const unknown = await login('not-a-key-of-anyone-000000000000').expect(401);
    expect(unknown.text).toContain('This key is not known, or has been revoked.');
    expect(unknown.headers['set-cookie']).toBeUndefined();
    expect((await login('').expect(400)).text).toContain('Enter a key.');
    expect((await login('x'.repeat(5000)).expect(401)).text).toContain('id="login-message"');
    expect((await http().post('/dashboard/login').type('form').send('key=%ZZ&lang=vi').expect(401)).text).toContain('lang="vi"');
    expect((await http().get('/dashboard').set('authorization', 'Basic bm9ib2R5Om5vdC1hLWtleQ==').expect(401)).text).toContain('id="login-message"');
  });

  it('signs a manager in with a cookie that is HttpOnly, SameSite=Strict, Secure behind https, and reads coverage with it', async () => {
    const signedIn = await login(MANAGER_KEY).expect(303);
    expect(signedIn.headers.location).toBe('/dashboard?lang=en');
    const setCookie = String(signedIn.headers['set-cookie']);
    expect(setCookie).toMatch(/^popgate_dashboard=[\w-]+; Max-Age=28800; Path=\/; HttpOnly; SameSite=Strict$/);
    expect(setCookie).not.toContain(MANAGER_KEY);
    expect(String((await login(MANAGER_KEY, { 'x-forwarded-proto': 'https' }).expect(303)).headers['set-cookie'])).toMatch(/; Secure$/);
    const cookie = cookieOf(signedIn);

    const page = await http().get('/dashboard').set('cookie', cookie).expect(200);
    expect(page.text).toContain('id="coverage-table"');
    const session = await http().get('/dashboard/session').set('cookie', cookie).expect(200);
    expect(session.body).toEqual({ role: 'manager', expiresAt: expect.any(String) });
    const byCookie = await http().get('/coverage/v1/services').set('cookie', cookie).expect(200);
    const byKey = await http().get('/coverage/v1/services').set('authorization', `Bearer ${MANAGER_KEY}`).expect(200);
    expect(byCookie.body.services.map((s: { serviceCode: string }) => s.serviceCode)).toEqual(byKey.body.services.map((s: { serviceCode: string }) => s.serviceCode));
  });

  it('keeps a session read-only and to the coverage reads, even for the admin key', async () => {
    const cookie = cookieOf(await login(ADMIN_AUTH.authorization.slice('Bearer '.length)).expect(303));
    expect((await http().get('/dashboard/session').set('cookie', cookie).expect(200)).body.role).toBe('admin');
    await http().get('/coverage/v1/services').set('cookie', cookie).expect(200);
    const write = await http().put('/coverage/v1/services/SANDBOX-ALL/stage').set('cookie', cookie).send({ stage: 'live' }).expect(401);
    expectProblem(write, 401, 'missing_credentials');
    await http().get('/ops/queues').set('cookie', cookie).expect(401);
  });

  it("lets a consumer key see its readiness only, and takes no cookie it did not seal for a session", async () => {
    const cookie = cookieOf(await login(DEVELOPER_KEY).expect(303));
    const session = await http().get('/dashboard/session').set('cookie', cookie).expect(200);
    expect(session.body).toMatchObject({ role: 'consumer', consumerId: expect.any(String), consumerName: expect.any(String) });
    expectProblem(await http().get('/coverage/v1/services').set('cookie', cookie).expect(403), 403, 'manager_key_required');
    const lapsed = await http().get('/coverage/v1/services').set('cookie', `${cookie.slice(0, -4)}AAAA`).expect(401);
    expect(lapsed.headers['www-authenticate']).toMatch(/^Basic/);
    expectProblem(await http().get('/dashboard/session').set('cookie', `${cookie.slice(0, -4)}AAAA`).expect(401), 401, 'no_session');
  });

  it('takes a key by HTTP Basic into a session, serves its files from popgate, and signs out', async () => {
    const basic = `Basic ${Buffer.from(`manager:${MANAGER_KEY}`).toString('base64')}`;
    const page = await http().get('/dashboard').set('authorization', basic).expect(200);
    expect(page.text).toContain('/dashboard/assets/chart.umd.min.js');
    const cookie = cookieOf(page);
    await http().get('/dashboard/session').set('cookie', cookie).expect(200);
    const chart = await http().get('/dashboard/assets/chart.umd.min.js').expect(200);
    expect(chart.headers['content-type']).toMatch(/^text\/javascript/);
    expect(chart.text).toContain('Chart.js');
    expect((await http().get('/dashboard/assets/i18n.json').expect(200)).body.vi['page.title']).toBeTruthy();
    expectProblem(await http().get('/dashboard/assets/index.html').expect(404), 404, 'asset_not_found');
    expectProblem(await http().get('/dashboard/assets/..%2Fpackage.json').expect(404), 404, 'asset_not_found');
    const out = await http().post('/dashboard/logout').set('cookie', cookie).expect(303);
    expect(out.headers.location).toBe('/dashboard?signedOut=1');
    expect(String(out.headers['set-cookie'])).toMatch(/^popgate_dashboard=; Max-Age=0;/);
  });

  it('writes no key to any log line', () => {
    const keys = [MANAGER_KEY, DEVELOPER_KEY, ADMIN_AUTH.authorization.slice('Bearer '.length)];
    expect(log.lines.length).toBeGreaterThan(10);
    expect(log.lines.filter((line) => keys.some((key) => line.includes(key)))).toEqual([]);
  });
});
