import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { getQueueToken } from '@nestjs/bullmq';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Queue } from 'bullmq';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { QueueName } from '../../src/queue/queue-names.js';
import { DossierRepository } from '../../src/portal/dossier.repository.js';
import { newDossierId, toNewDossier } from '../../src/portal/dossiers.service.js';
import { ADMIN_AUTH, PORTAL_AUTH, createTestAppWithEnvironment, expectEventually, seedTestDataset } from '../utils/test-app.js';
import { PrivateRedis } from '../utils/private-redis.js';
import { WorkerProcess, buildForProcesses } from '../utils/worker-process.js';

interface Applicant {
  idNumber: string;
  fullName: string;
  dateOfBirth: string;
  sex: 'male' | 'female';
}

/** Services this file made, so that their profiles are taken off after it (other files' generated dossiers may use them). */
const made: string[] = [];

async function clearProfiles(app: NestFastifyApplication): Promise<void> {
  for (const code of made.splice(0)) {
    await request(app.getHttpServer())
      .put(`/connectors/v1/${code}`)
      .set(ADMIN_AUTH)
      .send({ state: 'enabled', operations: ['verify', 'look-up'], faultProfile: null, applyFaultsToAllCallers: false, note: null })
      .expect(200);
  }
}

/** A catalog service of the test's own, whose connector (verify only) an operator has given a fault profile. */
async function serviceWithProfile(app: NestFastifyApplication, faultProfile: object | null): Promise<string> {
  const code = `T-VER-${randomBytes(4).toString('hex')}`;
  made.push(code);
  const server = app.getHttpServer();
  await request(server)
    .post(`/portal/v1/services/${code}`)
    .set(ADMIN_AUTH)
    .send({ nameVi: 'Thủ tục thử', nameEn: 'Test procedure', leadAgency: 'Test', allowedFields: ['idNumber', 'fullName', 'dateOfBirth', 'sex'] })
    .expect(201);
  await request(server)
    .put(`/connectors/v1/${code}`)
    .set(ADMIN_AUTH)
    .send({ state: 'enabled', operations: ['verify', 'look-up'], faultProfile, applyFaultsToAllCallers: false, note: null })
    .expect(200);
  return code;
}

async function applicants(db: DataSource, count: number): Promise<Applicant[]> {
  return db.query(
    `SELECT id_number AS "idNumber", full_name AS "fullName", date_of_birth AS "dateOfBirth", sex FROM citizens
     WHERE status = 'alive' AND length(date_of_birth) = 10 ORDER BY md5(id_number) LIMIT $1`,
    [count],
  );
}

/** Files one dossier per applicant through the API, ten at a time; returns their ids. */
async function fileAll(app: NestFastifyApplication, serviceCode: string, people: readonly Applicant[]): Promise<string[]> {
  const ids: string[] = [];
  for (let start = 0; start < people.length; start += 10) {
    const replies = await Promise.all(
      people.slice(start, start + 10).map((applicant) => request(app.getHttpServer()).post('/portal/v1/dossiers').set(PORTAL_AUTH).send({ serviceCode, applicant }).expect(202)),
    );
    ids.push(...replies.map((reply) => reply.body.dossierId as string));
  }
  return ids;
}

interface DecisionCounts {
  decided: number;
  terminalEvents: number;
  outbox: number;
}

async function decisions(db: DataSource, ids: readonly string[]): Promise<DecisionCounts> {
  const [row] = await db.query(
    `SELECT (SELECT count(*)::int FROM portal_dossiers WHERE dossier_id = ANY ($1::uuid[]) AND decided_at IS NOT NULL) AS decided,
            (SELECT count(*)::int FROM portal_dossier_events WHERE dossier_id = ANY ($1::uuid[]) AND status IN ('verified', 'needs_review', 'rejected')) AS "terminalEvents",
            (SELECT count(*)::int FROM portal_outbox WHERE dossier_id = ANY ($1::uuid[])) AS outbox`,
    [ids],
  );
  return row;
}

/** Every dossier decided, exactly once (one terminal event each), and none left in the outbox. */
async function expectAllDecidedOnce(db: DataSource, ids: readonly string[], timeoutMs: number): Promise<void> {
  await expectEventually(async () => expect((await decisions(db, ids)).decided).toBe(ids.length), timeoutMs, 200);
  expect(await decisions(db, ids)).toEqual({ decided: ids.length, terminalEvents: ids.length, outbox: 0 });
}

/**
 * What the verification queue promises when things break: a killed worker, a worker stopped with SIGTERM, a dropped
 * PostgreSQL connection, a poison job, an unreliable registry, a Redis restarted empty. Real processes, real
 * PostgreSQL and Redis.
 */
describe('verification queue reliability', () => {
  describe('with workers in processes of their own', () => {
    let app: NestFastifyApplication;
    let db: DataSource;
    const workers: WorkerProcess[] = [];
    const startWorker = async (environment: Record<string, string> = {}) => {
      const worker = await WorkerProcess.start({ WORKER_STALLED_MS: '2000', VERIFICATION_CONCURRENCY: '8', ...environment });
      workers.push(worker);
      return worker;
    };

    beforeAll(async () => {
      buildForProcesses();
      app = await createTestAppWithEnvironment({ WORKERS_IN_API: 'false' });
      db = app.get(DataSource);
      await seedTestDataset(app);
    }, 120_000);

    // Each test has workers of its own, started after its connector is set (another process sees a connector change
    // within ConnectorDirectory.REFRESH_MS, not at once).
    afterEach(async () => {
      await Promise.all(workers.splice(0).map((worker) => worker.stop()));
    });

    afterAll(async () => {
      if (app) await clearProfiles(app);
      await app?.close();
    });

    it('decides every dossier exactly once when a worker is killed (SIGKILL) while it verifies 200, and another takes over', async () => {
      const serviceCode = await serviceWithProfile(app, { latency: { distribution: 'fixed', ms: 150 } });
      const first = await startWorker();
      const ids = await fileAll(app, serviceCode, await applicants(db, 200));
      await expectEventually(async () => expect((await decisions(db, ids)).decided).toBeGreaterThanOrEqual(20), 30_000, 100);
      first.kill('SIGKILL');
      expect((await first.exited).signal).toBe('SIGKILL');
      expect((await decisions(db, ids)).decided).toBeLessThan(200);

      await startWorker();
      await expectAllDecidedOnce(db, ids, 90_000);
      // Every decided dossier's attempts are in the journal, made by its job.
      const [journal] = await db.query(
        `SELECT count(DISTINCT dossier_id)::int AS dossiers, count(*) FILTER (WHERE job_id IS NULL)::int AS "withoutJob"
         FROM call_journal WHERE dossier_id = ANY ($1::text[]) AND transport = 'in_process'`,
        [ids],
      );
      expect(journal).toEqual({ dossiers: 200, withoutJob: 0 });
    }, 180_000);

    it('on SIGTERM stops taking jobs, exits 0 once the grace runs out, and leaves the running job to another worker', async () => {
      const serviceCode = await serviceWithProfile(app, { latency: { distribution: 'fixed', ms: 4_000 } });
      const stopping = await startWorker({ WORKER_GRACE_MS: '500', VERIFICATION_CONCURRENCY: '2' });
      const ids = await fileAll(app, serviceCode, await applicants(db, 3));
      const queue = app.get<Queue>(getQueueToken(QueueName.Verification));
      await expectEventually(async () => expect(await queue.getActiveCount()).toBeGreaterThan(0), 10_000, 50);
      const signalled = Date.now();
      stopping.kill('SIGTERM');
      expect((await stopping.exited).code).toBe(0);
      expect(Date.now() - signalled).toBeLessThan(3_500);
      expect((await decisions(db, ids)).decided).toBe(0);

      await startWorker({ VERIFICATION_CONCURRENCY: '4' });
      await expectAllDecidedOnce(db, ids, 60_000);
    }, 120_000);

    it('retries a job whose PostgreSQL connection is killed inside its decision, and keeps no half-written result', async () => {
      // A latency after the registry's answer gives the test time to lock the dossier's row between the job's claim and
      // its decision, so that the decision's statement waits for the lock inside its transaction…
      const serviceCode = await serviceWithProfile(app, { latency: { distribution: 'fixed', ms: 1_500 } });
      const [person] = await applicants(db, 1);
      await startWorker();
      const [dossierId] = await fileAll(app, serviceCode, [person]);
      await expectEventually(async () => expect((await db.query(`SELECT status FROM portal_dossiers WHERE dossier_id = $1`, [dossierId]))[0].status).toBe('verifying'), 20_000, 20);
      const locker = app.get(DataSource).createQueryRunner();
      await locker.connect();
      try {
        await locker.startTransaction();
        await locker.query(`SELECT 1 FROM portal_dossiers WHERE dossier_id = $1 FOR UPDATE`, [dossierId]);
        const blockedDecisions = async () =>
          (
            await db.query(
              `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE 'WITH input AS%json_to_recordset%'`,
            )
          ).map((row: { pid: number }) => row.pid);
        let pids: number[] = [];
        // (pg_stat_activity keeps the first 1 KiB of a statement: the decision's begins with its json_to_recordset.)
        await expectEventually(async () => expect((pids = await blockedDecisions())).toHaveLength(1), 20_000, 20);
        // …and is killed there.
        await db.query(`SELECT pg_terminate_backend($1)`, [pids[0]]);
        await locker.rollbackTransaction();
      } finally {
        if (locker.isTransactionActive) await locker.rollbackTransaction();
        await locker.release();
      }
      await expectAllDecidedOnce(db, [dossierId], 30_000);
      const [dossier] = await db.query(`SELECT status, reason, attempts FROM portal_dossiers WHERE dossier_id = $1`, [dossierId]);
      expect(dossier).toEqual({ status: 'verified', reason: null, attempts: 2 });
      // Nothing of the killed decision remains: one decided attempt (the second), one verifying event, one decision.
      expect(await db.query(`SELECT attempt, outcome FROM portal_verification_attempts WHERE dossier_id = $1`, [dossierId])).toEqual([{ attempt: 2, outcome: 'decided' }]);
      const events = await db.query(`SELECT status FROM portal_dossier_events WHERE dossier_id = $1 ORDER BY seq`, [dossierId]);
      expect(events.map((event: { status: string }) => event.status)).toEqual(['received', 'verifying', 'verified']);
    }, 90_000);

    it('makes a poison job a dead letter at once, without retries, while the other dossiers finish', async () => {
      const serviceCode = await serviceWithProfile(app, null);
      await startWorker();
      const people = await applicants(db, 4);
      const poisonId = newDossierId();
      const repository = app.get(DossierRepository);
      await repository.fileMany([toNewDossier({ serviceCode, applicant: people[0] }, 'admin', null, 'x'.repeat(64), null, poisonId)]);
      const queue = app.get<Queue>(getQueueToken(QueueName.Verification));
      await queue.add('verify-dossier', { dossierId: 'not-a-uuid', idNumber: 'x' }, { jobId: `verify-${poisonId}`, attempts: 6 });
      const healthy = await fileAll(app, serviceCode, people.slice(1));
      await expectAllDecidedOnce(db, healthy, 30_000).catch(async (error) => {
        throw new Error(`${(error as Error).message}\n${JSON.stringify(await db.query(`SELECT dossier_id, status, reason FROM portal_dossiers WHERE dossier_id = ANY ($1::uuid[])`, [[...healthy, poisonId]]))}\n${workers.map((w) => w.log.slice(-2000)).join('\n---\n')}`);
      });
      await expectAllDecidedOnce(db, [poisonId], 10_000).catch(async (error) => {
        const job = await queue.getJob(`verify-${poisonId}`);
        throw new Error(`${(error as Error).message}\n${JSON.stringify({ state: await job?.getState(), reason: job?.failedReason, made: job?.attemptsMade, data: job?.data, name: job?.name })}`);
      });
      const job = await queue.getJob(`verify-${poisonId}`);
      expect(await job?.getState()).toBe('failed');
      expect(job?.attemptsMade).toBe(1);
      const [letter] = await db.query(`SELECT reason_class AS "reasonClass", attempts FROM portal_dead_letters WHERE dossier_id = $1`, [poisonId]);
      expect(letter).toEqual({ reasonClass: 'unprocessable', attempts: 1 });
      const [poison] = await db.query(`SELECT status, reason FROM portal_dossiers WHERE dossier_id = $1`, [poisonId]);
      expect(poison).toEqual({ status: 'needs_review', reason: 'unprocessable' });
      const others = await db.query(`SELECT DISTINCT status FROM portal_dossiers WHERE dossier_id = ANY ($1::uuid[])`, [healthy]);
      expect(others).toEqual([{ status: 'verified' }]);
    }, 90_000);

    it('decides every dossier behind a connector that is unavailable 30 % of the time with a lognormal latency, retrying with backoff', async () => {
      const serviceCode = await serviceWithProfile(app, {
        seed: `retry-${randomBytes(3).toString('hex')}`,
        latency: { distribution: 'lognormal', medianMs: 20, p99Ms: 200 },
        errors: [{ kind: 'unavailable', probability: 0.3 }],
      });
      await startWorker({ VERIFICATION_CONCURRENCY: '16' });
      const ids = await fileAll(app, serviceCode, await applicants(db, 60));
      await expectAllDecidedOnce(db, ids, 90_000);
      const retried = await db.query(
        `SELECT job_id AS "jobId", array_agg(attempt ORDER BY received_at) AS attempts, array_agg(received_at ORDER BY received_at) AS times
         FROM call_journal WHERE dossier_id = ANY ($1::text[]) AND transport = 'in_process' GROUP BY job_id HAVING count(*) FILTER (WHERE fault_kind = 'unavailable') > 0`,
        [ids],
      );
      expect(retried.length).toBeGreaterThan(5);
      for (const { attempts, times } of retried as Array<{ attempts: number[]; times: Date[] }>) {
        // Each retry is the next attempt, after a backoff of at least half the first delay (jitter takes up to half).
        expect(attempts).toEqual(attempts.map((_, index) => index + 1));
        for (let i = 1; i < times.length; i++) expect(times[i].getTime() - times[i - 1].getTime()).toBeGreaterThanOrEqual(45);
      }
      const undecided = await db.query(`SELECT count(*)::int AS n FROM portal_dossiers WHERE dossier_id = ANY ($1::uuid[]) AND status IN ('received', 'verifying')`, [ids]);
      expect(undecided).toEqual([{ n: 0 }]);
    }, 120_000);
  });

  describe('with Redis restarted empty', () => {
    let redis: PrivateRedis;
    let app: NestFastifyApplication;

    beforeAll(async () => {
      redis = await PrivateRedis.start();
      app = await createTestAppWithEnvironment({ REDIS_URL: redis.url, WORKERS_IN_API: 'true', QUEUE_PREFIX: `popgate-test-redis-${process.pid}`, VERIFICATION_CONCURRENCY: '4' });
      await seedTestDataset(app);
    }, 60_000);

    afterAll(async () => {
      if (app) await clearProfiles(app);
      await app?.close();
      await redis?.destroy();
    });

    it('files with 202 and serves look-ups while Redis is down, then decides every dossier, the lost jobs queued again from the outbox', async () => {
      const db = app.get(DataSource);
      const serviceCode = await serviceWithProfile(app, { latency: { distribution: 'fixed', ms: 500 } });
      await new Promise((resolve) => setTimeout(resolve, 2_500)); // the embedded worker sees the new connector
      const people = await applicants(db, 30);
      const before = await fileAll(app, serviceCode, people.slice(0, 20));
      await redis.stop();
      // Four jobs at a time, half a second each: most of the first twenty were still waiting in the Redis that is gone.
      const undecided = async (ids: string[]) => (await db.query(`SELECT count(*)::int AS n FROM portal_dossiers WHERE dossier_id = ANY ($1::uuid[]) AND decided_at IS NULL`, [ids]))[0].n;
      expect(await undecided(before)).toBeGreaterThanOrEqual(10);
      const during = await fileAll(app, serviceCode, people.slice(20));
      // Filed while Redis was down: in the outbox, never queued.
      const [queuedDuring] = await db.query(`SELECT count(*)::int AS n FROM portal_outbox WHERE dossier_id = ANY ($1::uuid[]) AND enqueued_at IS NULL`, [during]);
      expect(queuedDuring.n).toBe(10);
      await request(app.getHttpServer())
        .get(`/registry/v1/citizens/${people[0].idNumber}?fields=fullName`)
        .set({ authorization: `Bearer ${process.env.SANDBOX_DEVELOPER_KEY}`, 'x-service-code': 'SANDBOX-ALL' })
        .expect(200);
      await new Promise((resolve) => setTimeout(resolve, 10_000));
      await redis.start();
      await expectAllDecidedOnce(db, [...before, ...during], 60_000);
    }, 120_000);
  });
});
