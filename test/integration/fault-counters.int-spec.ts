import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Redis } from 'ioredis';
import request from 'supertest';
import { parseInput } from '../../src/common/validation.js';
import { FaultScopes } from '../../src/connectors/fault-scopes.service.js';
import { SharedCounters } from '../../src/connectors/shared-counters.js';
import { decideFault } from '../../src/connectors/fault-decision.js';
import { faultProfileSchema, toFaultProfile, type FaultProfileInput } from '../../src/connectors/fault-profile.js';
import { createRedisConnection } from '../../src/queue/redis-connection.js';
import { PrivateRedis } from '../utils/private-redis.js';
import { REDIS } from '../../src/queue/redis.module.js';
import { createTestConsumer, type TestConsumer } from '../factories/access.factory.js';
import { putFaults } from '../factories/faults.factory.js';
import { persona, verifyBody } from '../factories/registry.factory.js';
import { ADMIN_AUTH, createTestApp, createTestAppWithEnvironment, expectEventually, seedTestDataset } from '../utils/test-app.js';

const SERVICE = { 'x-service-code': 'SANDBOX-ALL' };
const husband = persona('married-husband');
const wife = persona('married-wife');

const lookupOn = (app: NestFastifyApplication, auth: object, idNumber = husband.idNumber) =>
  request(app.getHttpServer()).get(`/registry/v1/citizens/${idNumber}?fields=fullName`).set({ ...auth, ...SERVICE });
const verifyOn = (app: NestFastifyApplication, auth: object) => request(app.getHttpServer()).post('/registry/v1/citizens/verify').set({ ...auth, ...SERVICE }).send(verifyBody());

/** The fault kind an answer shows (null: served as is). */
const appliedKind = (response: request.Response): string | null => (response.headers['x-sandbox-fault-applied'] as string | undefined)?.split(';')[0] ?? null;

/**
 * The fault counters are shared by every API process through Redis: two gateways in one test, on the same Redis and
 * database, count one sequence and one attempt count per request between them.
 */
describe('fault counters shared by two API processes', () => {
  let first: NestFastifyApplication;
  let second: NestFastifyApplication;
  let client: TestConsumer;

  beforeAll(async () => {
    [first, second] = await Promise.all([createTestApp(), createTestApp()]);
    await seedTestDataset(first);
    client = await createTestConsumer(first, { serviceCodes: ['SANDBOX-ALL'] });
  });
  afterAll(async () => {
    await Promise.all([first?.close(), second?.close()]);
  });

  /** Sets the profile through the first process and makes the second see it now, not within its 2 s refresh. */
  async function profileEverywhere(profile: FaultProfileInput): Promise<void> {
    await putFaults(first, client.auth, profile);
    await second.get(FaultScopes).reload();
  }

  it('fail the first 2: attempts of one request alternate between processes and still fail twice, then answer', async () => {
    await profileEverywhere({ failFirst: { attempts: 2, kind: 'unavailable' } });
    const statuses = [];
    for (const app of [first, second, first]) statuses.push((await lookupOn(app, client.auth)).status);
    expect(statuses).toEqual([503, 503, 200]);
    // A different request starts again at one, whichever process it reaches first.
    const other = [];
    for (const app of [second, first, second, first]) other.push((await lookupOn(app, client.auth, wife.idNumber)).status);
    expect(other).toEqual([503, 503, 200, 200]);
  });

  it('every nth call counts the calls of both processes in one sequence', async () => {
    await profileEverywhere({ everyNth: { n: 2, kind: 'server_error' } });
    const statuses = [];
    for (let i = 0; i < 6; i += 1) statuses.push((await lookupOn(i % 2 === 0 ? first : second, client.auth)).status);
    // With a sequence per process, each process's first call would be its 1st (served) and the pattern 200,200,500,500...
    expect(statuses).toEqual([200, 500, 200, 500, 200, 500]);
  });

  it('costs no Redis command without a profile in scope, and at most one INCRBY per call with a profile at 0 %', async () => {
    const redis = first.get<Redis>(REDIS);
    const commands: string[] = [];
    const send = redis.sendCommand.bind(redis);
    const spy = jest.spyOn(redis, 'sendCommand').mockImplementation((command, ...rest) => {
      if (command.args.some((arg) => String(arg).includes(':sandbox-faults:'))) commands.push(command.name);
      return send(command, ...rest);
    });
    try {
      const quiet = await createTestConsumer(first, { serviceCodes: ['SANDBOX-ALL'] });
      for (let i = 0; i < 20; i += 1) await lookupOn(first, quiet.auth).expect(200);
      expect(commands).toEqual([]);
      await putFaults(first, quiet.auth, { errors: [{ kind: 'unavailable', probability: 0 }] });
      for (let i = 0; i < 20; i += 1) await lookupOn(first, quiet.auth).expect(200);
      expect(commands).toEqual(Array(20).fill('incrby'));
    } finally {
      spy.mockRestore();
    }
  });
});

describe('SharedCounters', () => {
  it('gives the calls of one event-loop turn consecutive numbers from one INCRBY, unique across processes', async () => {
    const redis = createRedisConnection(process.env.REDIS_URL!);
    const other = createRedisConnection(process.env.REDIS_URL!);
    await Promise.all([redis.connect(), other.connect()]);
    try {
      const key = `${process.env.QUEUE_PREFIX}:sandbox-faults:test-${process.pid}-${Date.now()}`;
      const send = jest.spyOn(redis, 'sendCommand');
      const [mine, theirs] = [new SharedCounters(redis, 1_000), new SharedCounters(other, 1_000)];
      const numbers = await Promise.all([...Array.from({ length: 50 }, () => mine.next(key)), ...Array.from({ length: 30 }, () => theirs.next(key))]);
      expect(send.mock.calls.map(([command]) => command.name)).toEqual(['incrby']);
      expect([...numbers].sort((a, b) => a - b)).toEqual(Array.from({ length: 80 }, (_, i) => i + 1));
      expect(numbers.slice(0, 50)).toEqual([...numbers.slice(0, 50)].sort((a, b) => a - b));
      await redis.del(key);
    } finally {
      redis.disconnect();
      other.disconnect();
    }
  });
});

/**
 * The issue: when Redis does not answer, look-up and verify keep serving, and the faults are decided from the seed
 * and the call id instead of the shared counters.
 */
describe('fault decisions while Redis is down', () => {
  let redis: PrivateRedis;
  let app: NestFastifyApplication;
  let faulty: TestConsumer;
  let healthy: TestConsumer;
  const profile: FaultProfileInput = { seed: 'redis-down', errors: [{ kind: 'unavailable', probability: 0.5 }] };
  const decided = toFaultProfile(parseInput(faultProfileSchema, profile));

  beforeAll(async () => {
    redis = await PrivateRedis.start();
    // No queue workers: they are not under test.
    app = await createTestAppWithEnvironment({ REDIS_URL: redis.url, WORKERS_IN_API: 'false' });
    await seedTestDataset(app);
    [faulty, healthy] = await Promise.all([createTestConsumer(app, { serviceCodes: ['SANDBOX-ALL'] }), createTestConsumer(app, { serviceCodes: ['SANDBOX-ALL'] })]);
    await putFaults(app, faulty.auth, profile);
  }, 60_000);
  afterAll(async () => {
    try {
      await redis?.start().catch(() => undefined);
      await app?.close();
    } finally {
      await redis?.destroy();
    }
  }, 60_000);

  const fallbacks = async (): Promise<number> => {
    const { text } = await request(app.getHttpServer()).get('/ops/metrics').set(ADMIN_AUTH).expect(200);
    return Number(/^popgate_sandbox_fault_fallbacks_total (\d+)/m.exec(text)?.[1] ?? 0);
  };

  /** The kind the fallback decides for a call, from the seed and the call's id (X-Call-Id). */
  const fallbackKind = (response: request.Response) =>
    decideFault(decided, { scope: '*', sequence: null, attempt: null, fallback: true, callId: response.headers['x-call-id'] as string, nowMs: Date.now() }).fault?.kind ?? null;

  async function expectServedAndDecidedByFallback(): Promise<void> {
    const before = await fallbacks();
    const answers: request.Response[] = [];
    for (let i = 0; i < 30; i += 1) answers.push(await (i % 3 === 0 ? verifyOn(app, faulty.auth) : lookupOn(app, faulty.auth)));
    expect(answers.map((a) => [a.status, appliedKind(a)])).toEqual(answers.map((a) => (fallbackKind(a) === 'unavailable' ? [503, 'unavailable'] : [200, null])));
    // Both outcomes were met, else the comparison proves little.
    expect(new Set(answers.map((a) => a.status))).toEqual(new Set([200, 503]));
    expect((await fallbacks()) - before).toBe(30);
    // A consumer with no profile costs no Redis round trip and is served as ever.
    for (let i = 0; i < 10; i += 1) {
      await lookupOn(app, healthy.auth).expect(200);
      await verifyOn(app, healthy.auth).expect(200);
    }
  }

  it('with Redis up, decides by the shared sequence number', async () => {
    const answers = [];
    for (let i = 0; i < 20; i += 1) answers.push(appliedKind(await lookupOn(app, faulty.auth)));
    const bySequence = Array.from({ length: 20 }, (_, i) => decideFault(decided, { scope: '*', sequence: i + 1, attempt: null, fallback: false, callId: 'unused', nowMs: Date.now() }).fault?.kind ?? null);
    expect(answers).toEqual(bySequence);
  });

  it('with Redis stopped, serves look-ups and verifies, each fault decided from the seed and the call id', async () => {
    await redis.stop();
    await expectServedAndDecidedByFallback();
  });

  it('with Redis frozen (connected, answering nothing), does the same after a bounded wait', async () => {
    await redis.start();
    // Reconnected: a call is counted again, not decided by the fallback.
    await expectEventually(async () => {
      const before = await fallbacks();
      await lookupOn(app, faulty.auth);
      expect(await fallbacks()).toBe(before);
    }, 10_000, 200);
    redis.freeze();
    try {
      const started = performance.now();
      await expectServedAndDecidedByFallback();
      // 30 faulty calls wait at most the 100 ms bound each; the healthy ones do not wait at all.
      expect(performance.now() - started).toBeLessThan(30 * 100 + 5_000);
    } finally {
      redis.resume();
    }
  });
});
