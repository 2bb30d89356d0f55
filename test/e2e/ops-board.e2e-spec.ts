import { describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { QueueName } from '../../src/queue/queue-names.js';
import { createTestConsumer } from '../factories/access.factory.js';
import { expectProblem } from '../utils/problem.js';
import { ADMIN_AUTH, useTestApp } from '../utils/test-app.js';

const ADMIN_KEY = ADMIN_AUTH.authorization.slice('Bearer '.length);
const basic = (user: string, password: string) => ({ authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` });

/** Bull Board at /ops/board: every queue, behind the admin key, which a browser sends by HTTP Basic authentication. */
describe('/ops/board', () => {
  const testApp = useTestApp({ seed: false });
  const http = () => request(testApp.app.getHttpServer());

  it('asks a browser to sign in (401 with WWW-Authenticate: Basic) without the admin key', async () => {
    const consumer = await createTestConsumer(testApp.app);
    for (const path of ['/ops/board', '/ops/board/api/queues']) {
      for (const [headers, code] of [
        [{}, 'missing_credentials'],
        [basic('admin', 'not-the-admin-key-00000000000'), 'unknown_credentials'],
        [basic('admin', ''), 'unknown_credentials'],
        [consumer.auth, 'unknown_credentials'],
        [{ authorization: `Basic ${ADMIN_KEY}` }, 'missing_credentials'],
      ] as const) {
        const response = await http().get(path).set(headers);
        expectProblem(response, 401, code);
        expect(response.headers['www-authenticate']).toBe('Basic realm="popgate ops"');
        expect(response.text).not.toContain(ADMIN_KEY);
      }
    }
  });

  it('serves the board to the admin key as a Basic password (any user name) or as a bearer key', async () => {
    for (const headers of [basic('operator', ADMIN_KEY), basic('', ADMIN_KEY), ADMIN_AUTH]) {
      const page = await http().get('/ops/board').set(headers).expect(200);
      expect(page.headers['content-type']).toMatch(/^text\/html/);
      expect(page.text).toContain('<base href="/ops/board/" />');
      expect(page.text).toContain('<title>popgate queues</title>');
    }
    const page = await http().get('/ops/board/').set(basic('operator', ADMIN_KEY)).expect(200);
    const script = /src="(static\/js\/main\.[\w.]+\.js)"/.exec(page.text)![1];
    await http().get(`/ops/board/${script}`).set(basic('operator', ADMIN_KEY)).expect(200).expect('content-type', /javascript/);
    expect((await http().get(`/ops/board/${script}`)).status).toBe(401);
  });

  it("lists every queue in the board's API", async () => {
    const { body } = await http().get('/ops/board/api/queues').set(basic('operator', ADMIN_KEY)).expect(200);
    expect(body.queues.map((queue: { name: string }) => queue.name).sort()).toEqual(Object.values(QueueName).sort());
  });
});
