import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomUUID } from 'node:crypto';
import { Queue, Worker, type Processor } from 'bullmq';
import type { Redis } from 'ioredis';
import request from 'supertest';
import { WORKER_OPTIONS } from '../../src/queue/job-options.js';
import { QueueName } from '../../src/queue/queue-names.js';
import { bullConnection } from '../../src/queue/queue.module.js';
import { REDIS } from '../../src/queue/redis.module.js';
import { expectProblem } from '../utils/problem.js';
import { ADMIN_AUTH, createTestAppWithEnvironment, DEVELOPER_AUTH, expectEventually, useTestApp } from '../utils/test-app.js';

type QueueView = { name: string; isPaused: boolean; counts: Record<string, number>; oldestWaitingAgeSeconds: number | null; throughput: { completedPerMinute: number[]; failedPerMinute: number[] }; workers: { pid: number; queues: string[] }[] };

const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);

/**
 * The operators' queue controls, on an app without workers of its own and under a queue prefix of this file's own,
 * so that only the jobs and workers this file makes are seen; the test's workers stand in for worker processes.
 */
describe('/ops/queues', () => {
  const prefix = `popgate-test-ops-${process.pid}-${randomUUID().slice(0, 8)}`;
  const connection = bullConnection(process.env.REDIS_URL!);
  let app: NestFastifyApplication;
  let verification: Queue;
  const workers: Worker[] = [];
  const http = () => request(app.getHttpServer());
  const worker = (processor: Processor) => {
    const started = new Worker(QueueName.Verification, processor, { connection, prefix, ...WORKER_OPTIONS });
    workers.push(started);
    return started;
  };
  const view = async (name: QueueName = QueueName.Verification): Promise<QueueView> => {
    const { body } = await http().get('/ops/queues').set(ADMIN_AUTH).expect(200);
    return (body.queues as QueueView[]).find((queue) => queue.name === name)!;
  };

  beforeAll(async () => {
    app = await createTestAppWithEnvironment({ WORKERS_IN_API: 'false', QUEUE_PREFIX: prefix });
    verification = new Queue(QueueName.Verification, { connection, prefix });
  });
  beforeEach(async () => {
    await Promise.all(workers.splice(0).map((started) => started.close()));
    await verification.obliterate({ force: true });
  });
  afterAll(async () => {
    await Promise.all(workers.map((started) => started.close()));
    await verification.close();
    // Every key under this file's prefix goes: the app schedules its daily maintenance job there too, whose
    // scheduler keys obliterate leaves.
    const redis = app.get<Redis>(REDIS);
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
    await app.close();
  });

  it('refuses a call without a key (401) and with a consumer key (403)', async () => {
    expectProblem(await http().get('/ops/queues'), 401, 'missing_credentials');
    expectProblem(await http().get('/ops/queues').set(DEVELOPER_AUTH), 403, 'admin_required');
    for (const action of ['pause', 'resume', 'retry-failed', 'clean']) {
      expectProblem(await http().post(`/ops/queues/verification/${action}`), 401, 'missing_credentials');
      expectProblem(await http().post(`/ops/queues/verification/${action}`).set(DEVELOPER_AUTH).send({ state: 'completed' }), 403, 'admin_required');
    }
    expect(await verification.isPaused()).toBe(false);
  });

  it('answers 404 for a queue that does not exist', async () => {
    for (const action of ['pause', 'resume', 'retry-failed']) expectProblem(await http().post(`/ops/queues/no-such-queue/${action}`).set(ADMIN_AUTH), 404, 'queue_not_found');
    expectProblem(await http().post('/ops/queues/no-such-queue/clean').set(ADMIN_AUTH).send({ state: 'completed' }), 404, 'queue_not_found');
  });

  it('lists every queue with its jobs by state and the age of the oldest waiting job', async () => {
    const { body } = await http().get('/ops/queues').set(ADMIN_AUTH).expect(200);
    expect(body.queues.map((queue: QueueView) => queue.name)).toEqual(Object.values(QueueName));
    expect((body.queues as QueueView[]).every((queue) => queue.workers.length === 0 && queue.oldestWaitingAgeSeconds === null)).toBe(true);

    await verification.add('verify-dossier', { dossierId: randomUUID() });
    await verification.add('verify-dossier', { dossierId: randomUUID() }, { delay: 60_000 });
    await verification.add('verify-dossier', { dossierId: randomUUID() });
    const queue = await view();
    expect(queue.counts).toEqual({ waiting: 2, active: 0, delayed: 1, prioritized: 0, waitingChildren: 0, completed: 0, failed: 0, paused: 0 });
    expect(queue.oldestWaitingAgeSeconds).toBeGreaterThanOrEqual(0);
    expect(queue.oldestWaitingAgeSeconds).toBeLessThan(60);
    expect(queue.isPaused).toBe(false);
    expect(queue.throughput.completedPerMinute).toHaveLength(15);
  });

  it('pauses a queue so that no worker takes its jobs, and resumes it', async () => {
    const paused = await http().post('/ops/queues/verification/pause').set(ADMIN_AUTH).expect(200);
    expect(paused.body).toMatchObject({ name: 'verification', isPaused: true });
    expect(await verification.isPaused()).toBe(true);

    const job = await verification.add('verify-dossier', { dossierId: randomUUID() });
    const running = worker(async () => 'verified');
    await running.waitUntilReady();
    // Nothing to wait on for a job that must not run: give the worker time to (wrongly) take it.
    await new Promise((resolve) => setTimeout(resolve, 750));
    expect(await job.getState()).toBe('waiting');
    expect((await view()).counts).toMatchObject({ waiting: 1, paused: 1 });

    const resumed = await http().post('/ops/queues/verification/resume').set(ADMIN_AUTH).expect(200);
    expect(resumed.body).toMatchObject({ name: 'verification', isPaused: false, counts: { paused: 0 } });
    await expectEventually(async () => expect(await job.getState()).toBe('completed'), 10_000);
    // The worker counted it in this minute's throughput.
    await expectEventually(async () => expect(sum((await view()).throughput.completedPerMinute)).toBe(1));
  });

  it('moves failed jobs back to waiting, where a worker runs them again', async () => {
    // The sandbox queue: on the verification queue retry-failed re-drives dead letters instead (portal-dossiers e2e).
    const sandbox = new Queue(QueueName.Sandbox, { connection, prefix });
    const sandboxWorker = (processor: Processor) => {
      const started = new Worker(QueueName.Sandbox, processor, { connection, prefix, ...WORKER_OPTIONS });
      workers.push(started);
      return started;
    };
    try {
      const failing = sandboxWorker(async () => {
        throw new Error('registry unreachable');
      });
      const job = await sandbox.add('reset-dataset', {}, { attempts: 1 });
      await expectEventually(async () => expect(await job.getState()).toBe('failed'), 10_000);
      await failing.close();
      const before = await view(QueueName.Sandbox);
      expect(before.counts.failed).toBe(1);
      expect(sum(before.throughput.failedPerMinute)).toBe(1);

      const { body } = await http().post('/ops/queues/sandbox/retry-failed').set(ADMIN_AUTH).expect(200);
      expect(body).toEqual({ queue: 'sandbox', retried: 1 });
      expect(await job.getState()).toBe('waiting');
      expect((await view(QueueName.Sandbox)).counts).toMatchObject({ failed: 0, waiting: 1 });

      sandboxWorker(async () => 'done');
      await expectEventually(async () => expect(await job.getState()).toBe('completed'), 10_000);
      expect((await sandbox.getJob(job.id!))!.attemptsMade).toBe(2);
    } finally {
      await Promise.all(workers.splice(0).map((started) => started.close()));
      await sandbox.obliterate({ force: true });
      await sandbox.close();
    }
  });

  it('removes the jobs of one state, keeping those within the grace period', async () => {
    worker(async () => 'verified');
    const done = await Promise.all([1, 2].map(() => verification.add('verify-dossier', { dossierId: randomUUID() })));
    await expectEventually(async () => expect(await verification.getCompletedCount()).toBe(2), 10_000);
    const delayed = await verification.add('verify-dossier', { dossierId: randomUUID() }, { delay: 60_000 });

    const kept = await http().post('/ops/queues/verification/clean').set(ADMIN_AUTH).send({ state: 'completed', graceMs: 3_600_000 }).expect(200);
    expect(kept.body).toEqual({ queue: 'verification', state: 'completed', removed: 0, removedJobIds: [] });

    const { body } = await http().post('/ops/queues/verification/clean').set(ADMIN_AUTH).send({ state: 'completed' }).expect(200);
    expect(body).toMatchObject({ queue: 'verification', state: 'completed', removed: 2 });
    expect([...body.removedJobIds].sort()).toEqual(done.map((job) => job.id).sort());
    expect(await verification.getJob(done[0].id!)).toBeUndefined();
    expect(await delayed.getState()).toBe('delayed');
  });

  it('finds jobs by state, job name and id, a page at a time', async () => {
    const failing = worker(async () => {
      throw new Error('registry unreachable');
    });
    const failed = [];
    for (let i = 0; i < 5; i += 1) failed.push(await verification.add(i % 2 === 0 ? 'verify-dossier' : 'other-job', { dossierId: randomUUID() }, { attempts: 1 }));
    await expectEventually(async () => expect(await verification.getFailedCount()).toBe(5), 10_000);
    await failing.close();
    const delayed = await verification.add('verify-dossier', { dossierId: randomUUID() }, { delay: 60_000 });
    const search = (query: string) => http().get(`/ops/queues/verification/jobs${query}`).set(ADMIN_AUTH).expect(200);

    const first = await search('?limit=2');
    expect(first.body.jobs).toHaveLength(2);
    expect(first.body.jobs[0]).toEqual({
      jobId: expect.any(String), name: expect.any(String), state: 'failed', attemptsMade: 1, attempts: 1,
      addedAt: expect.any(String), processedAt: expect.any(String), finishedAt: expect.any(String), failedReason: 'registry unreachable',
    });
    const seen = [...first.body.jobs];
    let cursor = first.body.nextCursor;
    while (cursor !== null) {
      const page = await search(`?limit=2&cursor=${cursor}`);
      seen.push(...page.body.jobs);
      cursor = page.body.nextCursor;
    }
    expect(seen.map((job) => job.jobId).sort()).toEqual(failed.map((job) => job.id).sort());

    const byName = await search('?state=failed&name=verify-dossier');
    expect(byName.body.jobs.map((job: { jobId: string }) => job.jobId).sort()).toEqual([failed[0].id, failed[2].id, failed[4].id].sort());
    expect(byName.body.nextCursor).toBeNull();
    expect((await search(`?state=delayed&id=${delayed.id}`)).body.jobs.map((job: { jobId: string }) => job.jobId)).toEqual([delayed.id]);
    expect((await search(`?state=failed&id=${delayed.id}`)).body.jobs).toEqual([]);

    const refused = await http().get('/ops/queues/verification/jobs?state=stuck&limit=0').set(ADMIN_AUTH);
    expectProblem(refused, 400, 'validation_failed');
    expect(refused.body.errors.map((error: { field: string; rule: string }) => [error.field, error.rule])).toEqual([['query.state', 'enum'], ['query.limit', 'min']]);
    expectProblem(await http().get('/ops/queues/no-such-queue/jobs').set(ADMIN_AUTH), 404, 'queue_not_found');
    expectProblem(await http().get('/ops/queues/verification/jobs').set(DEVELOPER_AUTH), 403, 'admin_required');
  });

  it('refuses a clean request that breaks a rule, naming the field and the rule', async () => {
    const refused = async (body: unknown) => {
      const response = await http().post('/ops/queues/verification/clean').set(ADMIN_AUTH).send(body as object);
      expectProblem(response, 400, 'validation_failed');
      return response.body.errors.map((error: { field: string; rule: string }) => [error.field, error.rule]);
    };
    expect(await refused({})).toEqual([['state', 'required']]);
    expect(await refused({ state: 'active' })).toEqual([['state', 'enum']]);
    expect(await refused({ state: 'completed', graceMs: -1 })).toEqual([['graceMs', 'min']]);
    expect(await refused({ state: 'failed', limit: 0, olderThan: 5 })).toEqual([['limit', 'min'], ['olderThan', 'unknown_property']]);
  });
});

/** A process that runs workers sends a heartbeat, which every process's /ops/queues shows. */
describe('/ops/queues with the API running workers', () => {
  const testApp = useTestApp({ seed: false });

  it('lists this process as a worker of each queue it serves, with its last heartbeat', async () => {
    let mine: QueueView['workers'] = [];
    let queues: QueueView[] = [];
    await expectEventually(async () => {
      const { body } = await request(testApp.app.getHttpServer()).get('/ops/queues').set(ADMIN_AUTH).expect(200);
      queues = body.queues as QueueView[];
      const sandbox = queues.find((queue) => queue.name === QueueName.Sandbox)!;
      mine = sandbox.workers.filter((worker) => worker.pid === process.pid);
      expect(mine).toHaveLength(1);
    });
    expect(mine[0]).toMatchObject({ queues: expect.arrayContaining([QueueName.Maintenance, QueueName.Sandbox, QueueName.Verification]) });
    // The verification worker is built by its processor, not by @Processor: it is listed all the same.
    const verification = queues.find((queue) => queue.name === QueueName.Verification)!;
    expect(verification.workers.filter((worker) => worker.pid === process.pid)).toHaveLength(1);
    const lastBeatAt = Date.parse((mine[0] as unknown as { lastBeatAt: string }).lastBeatAt);
    expect(Date.now() - lastBeatAt).toBeLessThan(15_000);
  });

  it("counts the jobs the app's own workers fail", async () => {
    const maintenance = new Queue(QueueName.Maintenance, { connection: bullConnection(process.env.REDIS_URL!), prefix: process.env.QUEUE_PREFIX });
    try {
      const failedOf = async () => {
        const { body } = await request(testApp.app.getHttpServer()).get('/ops/queues').set(ADMIN_AUTH).expect(200);
        return sum((body.queues as QueueView[]).find((queue) => queue.name === QueueName.Maintenance)!.throughput.failedPerMinute);
      };
      const before = await failedOf();
      // A job name the maintenance processor does not know is unrecoverable: it fails at once.
      const job = await maintenance.add('no-such-job', {}, { attempts: 1 });
      await expectEventually(async () => expect(await job.getState()).toBe('failed'), 10_000);
      expect(await failedOf()).toBeGreaterThanOrEqual(before + 1);
      await job.remove();
    } finally {
      await maintenance.close();
    }
  });
});
