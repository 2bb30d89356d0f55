import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { createLogger } from '../../src/common/logger.js';
import { createTestConsumer } from '../factories/access.factory.js';
import { sendRawHttp } from '../utils/raw-http.js';
import { ADMIN_AUTH, createTestApp } from '../utils/test-app.js';

/** Every line a real app logs, at the most verbose level, read back from the logger's destination. */
class CapturedLog extends Writable {
  readonly lines: string[] = [];

  override _write(chunk: Buffer, _encoding: string, done: () => void): void {
    this.lines.push(...chunk.toString('utf8').split('\n').filter((line) => line !== ''));
    done();
  }

  /** The access-log URLs of the requests completed so far. */
  urls(): string[] {
    return this.lines.map((line) => JSON.parse(line)).filter((entry) => entry.req?.url !== undefined).map((entry) => entry.req.url);
  }
}

/** Credentials sent where they do not belong (query string, path, X-Request-Id) must never reach a log line. */
describe('credentials in logs', () => {
  const log = new CapturedLog();
  const adminKey = ADMIN_AUTH.authorization.slice('Bearer '.length);
  let app: NestFastifyApplication;
  let consumerKey: string;

  beforeAll(async () => {
    app = await createTestApp({ logger: createLogger('trace', { destination: log }) });
    consumerKey = (await createTestConsumer(app)).auth.authorization.slice('Bearer '.length);
  });

  afterAll(async () => {
    await app.close();
  });

  const http = () => request(app.getHttpServer());

  it('redacts keys sent in the query string under any credential-like name, whatever its case', async () => {
    const citizen = '/registry/v1/citizens/001090999921';
    const refused = await http().get(`${citizen}?access_token=${consumerKey}`).expect(401);
    // Nor does the answer repeat the key: clients and proxies log answers too.
    expect(refused.body.instance).toBe(`${citizen}?access_token=[REDACTED]`);
    await http().get(`/access/v1/consumers?access_token=${adminKey}`).expect(401);
    await http().get(`${citizen}?fields=fullName&API_KEY=${adminKey}`).expect(401);
    await http().get(`${citizen}?apikey=${consumerKey}&fields=fullName`).expect(401);
    await http().get(`${citizen}?Key=${adminKey}`).expect(401);
    await http().get(`${citizen}?token=${consumerKey}`).expect(401);
    await http().get(`${citizen}?x-api-key=${adminKey}`).expect(401);
    await http().get(`${citizen}?client_secret=${adminKey}`).expect(401);
    // The URL is still logged, with the parameter's name (the ID number masked as always).
    const logged = '/registry/v1/citizens/001*******21';
    expect(log.urls()).toEqual(expect.arrayContaining([
      `${logged}?access_token=[REDACTED]`,
      '/access/v1/consumers?access_token=[REDACTED]',
      `${logged}?fields=fullName&API_KEY=[REDACTED]`,
      `${logged}?apikey=[REDACTED]&fields=fullName`,
    ]));
    expect(log.lines.filter((line) => line.includes(adminKey) || line.includes(consumerKey))).toEqual([]);
  });

  it('redacts a popgate key wherever it sits in a URL, and refuses one as the request id', async () => {
    await http().get(`/registry/v1/citizens/${consumerKey}`).set('authorization', `Bearer ${consumerKey}`).set('x-service-code', 'SANDBOX-ALL');
    await http().get(`/registry/v1/citizens/001090999921?fields=${consumerKey}`).set('authorization', `Bearer ${consumerKey}`);
    await http().get(`/registry/v1/citizens/%C0%AF?access_token=${consumerKey}`).expect(400);
    const asRequestId = await http().get('/health').set('x-request-id', consumerKey).expect(200);
    expect(asRequestId.headers['x-request-id']).not.toBe(consumerKey);
    expect(log.urls()).toEqual(expect.arrayContaining(['/registry/v1/citizens/pgk_[REDACTED]', '/registry/v1/citizens/%C0%AF?access_token=[REDACTED]']));
    expect(log.lines.filter((line) => line.includes(consumerKey))).toEqual([]);
  });

  it('never logs the Authorization header, not even of a request the HTTP parser refused', async () => {
    await http().get('/access/v1/consumers').set(ADMIN_AUTH).expect(200);
    await http().post('/access/v1/consumers').set(ADMIN_AUTH).set('content-type', 'application/json').send('{"name": ').expect(400);
    const server = app.getHttpServer();
    if (!server.address()) await app.listen(0, '127.0.0.1');
    const port = (server.address() as AddressInfo).port;
    const refused = await sendRawHttp(port, `GET /access/v1/consumers HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer ${adminKey}\r\nX-Note: a\u0001b\r\n\r\n`);
    expect(refused.status).toBe(400);
    expect(log.lines.some((line) => line.includes(JSON.parse(refused.body).requestId))).toBe(true);
    expect(log.lines.filter((line) => line.includes(adminKey) || line.includes(consumerKey))).toEqual([]);
  });

  it("never logs the admin key of Bull Board's Basic authentication, nor its base64 form", async () => {
    const basic = Buffer.from(`operator:${adminKey}`).toString('base64');
    await http().get('/ops/board').set('authorization', `Basic ${basic}`).expect(200);
    await http().get('/ops/board/api/queues').set('authorization', `Basic ${basic}`).expect(200);
    const wrong = Buffer.from(`operator:${adminKey}x`).toString('base64');
    await http().get('/ops/board').set('authorization', `Basic ${wrong}`).expect(401);
    expect(log.urls()).toEqual(expect.arrayContaining(['/ops/board', '/ops/board/api/queues']));
    expect(log.lines.filter((line) => line.includes(adminKey) || line.includes(basic) || line.includes(wrong))).toEqual([]);
  });
});
