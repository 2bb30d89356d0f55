import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { expectProblem } from '../utils/problem.js';
import { PrivateRedis } from '../utils/private-redis.js';
import { ADMIN_AUTH, createTestAppWithEnvironment, expectEventually } from '../utils/test-app.js';

/**
 * The operators' endpoints while Redis (the queues) is down, on a redis-server of this file's own that it stops: the
 * gateway stays ready and says what is down, the queue view answers 503 at once.
 */
describe('operations while Redis is down', () => {
  let redis: PrivateRedis;
  let app: NestFastifyApplication;
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    redis = await PrivateRedis.start();
    // No queue workers: they are not under test, and the API may run without them (WORKERS_IN_API=false).
    app = await createTestAppWithEnvironment({ REDIS_URL: redis.url, WORKERS_IN_API: 'false' });
  }, 60_000);
  afterAll(async () => {
    try {
      await redis?.start().catch(() => undefined);
      await app?.close();
    } finally {
      await redis?.destroy();
    }
  }, 60_000);

  it('is ready with Redis up, and says so', async () => {
    const { body } = await http().get('/health/ready').expect(200);
    expect(body).toMatchObject({ status: 'ok', error: {}, details: { postgres: { status: 'up' }, redis: { status: 'up' } } });
  });

  it('stays ready with Redis stopped, naming what is down; the queue view answers 503', async () => {
    await redis.stop();
    const { body } = await http().get('/health/ready').expect(200);
    expect(body.status).toBe('ok');
    expect(body.info).toMatchObject({ postgres: { status: 'up' }, journal: { status: 'up' } });
    expect(body.info.redis).toBeUndefined();
    expect(body.error).toEqual({ redis: { status: 'down', message: expect.stringMatching(/^the queues are unavailable/) } });
    expect(body.details.redis).toEqual(body.error.redis);
    expectProblem(await http().get('/ops/queues').set(ADMIN_AUTH), 503, 'service_unavailable');
    const { text } = await http().get('/ops/metrics').set(ADMIN_AUTH).expect(200);
    expect(text).toMatch(/^popgate_queue_up 0$/m);
    expect(text).not.toMatch(/^popgate_queue_jobs\{/m);
  });

  it('answers a metrics scrape without waiting long for a Redis that hangs', async () => {
    await redis.start();
    await expectEventually(async () => expect((await http().get('/ops/metrics').set(ADMIN_AUTH).expect(200)).text).toMatch(/^popgate_queue_up 1$/m), 20_000, 250);
    redis.freeze();
    try {
      const started = performance.now();
      const { text } = await http().get('/ops/metrics').set(ADMIN_AUTH).expect(200);
      expect(performance.now() - started).toBeLessThan(2_500);
      expect(text).toMatch(/^popgate_queue_up 0$/m);
    } finally {
      redis.resume();
    }
  });

  it('reports Redis up again once it is back', async () => {
    await redis.start();
    await expectEventually(async () => {
      const { body } = await http().get('/health/ready').expect(200);
      expect(body.details.redis).toEqual({ status: 'up' });
    }, 15_000, 200);
    // The queues' own connections reconnect by themselves, with BullMQ's backoff.
    await expectEventually(async () => {
      await http().get('/ops/queues').set(ADMIN_AUTH).expect(200);
    }, 20_000, 250);
  });
});
