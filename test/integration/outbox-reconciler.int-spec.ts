import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { getQueueToken } from '@nestjs/bullmq';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { UnrecoverableError, Worker, type Queue } from 'bullmq';
import request from 'supertest';
import { Redis } from 'ioredis';
import { DataSource } from 'typeorm';
import { DossierRepository } from '../../src/portal/dossier.repository.js';
import { toNewDossier } from '../../src/portal/dossiers.service.js';
import { FULL_PASS_EVERY, verificationJobId, VerificationProducer } from '../../src/portal/verification.producer.js';
import { QueueName } from '../../src/queue/queue-names.js';
import { bullConnection } from '../../src/queue/queue.module.js';
import { ADMIN_AUTH, createTestAppWithEnvironment, expectEventually, seedTestDataset } from '../utils/test-app.js';
import { PrivateRedis } from '../utils/private-redis.js';

/**
 * The outbox reconciler's passes, driven by hand (no worker runs here): a pass reads every pending dossier only when
 * Redis may have lost jobs, so that a large backlog of queued dossiers costs the routine pass nothing.
 */
describe('outbox reconciliation passes', () => {
  let redis: PrivateRedis;
  let app: NestFastifyApplication;
  let db: DataSource;
  let producer: VerificationProducer;
  let repository: DossierRepository;
  let queue: Queue;
  let serviceCode: string;
  const deadLettered: string[] = [];
  const onFailed = async (dossierId: string, failedReason: string, attempts: number) => {
    deadLettered.push(dossierId);
    return repository.deadLetter(dossierId, { reasonClass: 'worker_lost', error: failedReason, attempts, jobId: verificationJobId(dossierId) }, null);
  };

  beforeAll(async () => {
    redis = await PrivateRedis.start();
    // A database of its own: a full pass counts every pending dossier, and other files leave some in theirs.
    app = await createTestAppWithEnvironment({
      DATABASE_URL: `${process.env.DATABASE_URL}_outbox`,
      REDIS_URL: redis.url,
      WORKERS_IN_API: 'false',
      QUEUE_PREFIX: `popgate-test-outbox-${process.pid}`,
    });
    await seedTestDataset(app);
    db = app.get(DataSource);
    await db.query(`TRUNCATE portal_dossiers CASCADE`);
    producer = app.get(VerificationProducer);
    repository = app.get(DossierRepository);
    queue = app.get<Queue>(getQueueToken(QueueName.Verification));
    serviceCode = `T-OBX-${randomBytes(4).toString('hex')}`;
    await request(app.getHttpServer())
      .post(`/portal/v1/services/${serviceCode}`)
      .set(ADMIN_AUTH)
      .send({ nameVi: 'Thủ tục thử', nameEn: 'Test procedure', leadAgency: 'Test', allowedFields: ['idNumber', 'fullName', 'dateOfBirth', 'sex'] })
      .expect(201);
  }, 60_000);

  afterAll(async () => {
    await app?.close();
    await redis?.destroy();
  });

  it('checks only the dossiers never queued and the jobs failed since, unless Redis is another run, the marker expired or the queue was cleaned', async () => {
    // The first pass under this Redis run is full (no marker yet) and leaves the marker for 30 intervals.
    expect(await producer.reconcile(0, onFailed)).toMatchObject({ full: true });
    const markerKey = `popgate-test-outbox-${process.pid}:outbox-reconciler:${QueueName.Verification}:full-pass`;
    const client = new Redis(redis.url);
    try {
      const ttl = await client.pttl(markerKey);
      expect(ttl).toBeGreaterThan((FULL_PASS_EVERY - 1) * 1_000);
      expect(ttl).toBeLessThanOrEqual(FULL_PASS_EVERY * 1_000);
    } finally {
      client.disconnect();
    }
    const people: Array<{ idNumber: string; fullName: string; dateOfBirth: string; sex: 'male' | 'female' }> = await db.query(
      `SELECT id_number AS "idNumber", full_name AS "fullName", date_of_birth AS "dateOfBirth", sex FROM citizens
       WHERE status = 'alive' AND length(date_of_birth) = 10 ORDER BY md5(id_number || 'outbox') LIMIT 4`,
    );
    const [queued, neverQueued, failed, removed] = people.map((applicant) => toNewDossier({ serviceCode, applicant }, 'admin', null, '0'.repeat(64), null));
    await repository.fileMany([queued, neverQueued, failed, removed]);

    // A job that failed without its dead letter (its workers died, or Postgres was down when it gave up).
    await producer.enqueue([failed.dossierId]);
    const taker = new Worker(QueueName.Verification, null, { connection: bullConnection(redis.url), prefix: `popgate-test-outbox-${process.pid}`, autorun: false });
    const job = await taker.getNextJob('test-token');
    expect(job?.id).toBe(verificationJobId(failed.dossierId));
    await job!.moveToFailed(new UnrecoverableError('job stalled more than allowable limit'), 'test-token', false);
    await taker.close();
    // One queued as usual, and one whose job then went from Redis without a restart.
    await producer.enqueue([queued.dossierId, removed.dossierId]);
    await queue.remove(verificationJobId(removed.dossierId));

    const routine = await producer.reconcile(0, onFailed);
    expect(routine).toEqual({ full: false, checked: 2, enqueued: 1, deadLettered: 1 });
    expect(deadLettered).toEqual([failed.dossierId]);
    expect(await queue.getJob(verificationJobId(neverQueued.dossierId))).toBeDefined();
    expect(await queue.getJob(verificationJobId(removed.dossierId))).toBeUndefined();
    // The failed job is not looked at again: its dossier has its dead letter and no outbox row.
    expect(await producer.reconcile(0, onFailed)).toEqual({ full: false, checked: 0, enqueued: 0, deadLettered: 0 });

    // An operator cleans the waiting jobs: the next pass checks every pending dossier and queues them again.
    const cleaned = await request(app.getHttpServer()).post(`/ops/queues/${QueueName.Verification}/clean`).set(ADMIN_AUTH).send({ state: 'waiting' }).expect(200);
    expect(cleaned.body.removed).toBe(2);
    expect(await producer.reconcile(0, onFailed)).toEqual({ full: true, checked: 3, enqueued: 3, deadLettered: 0 });
    expect(await queue.getJob(verificationJobId(removed.dossierId))).toBeDefined();

    // Redis restarted empty: another run id, so the next pass checks everything, young queued rows too (a grace
    // of a minute leaves alone only the rows not yet queued), and queues every job again. Until the queue's
    // connection is back, a pass cannot queue them, and it leaves the marker unset.
    await redis.stop();
    await redis.start();
    await expectEventually(async () => expect(await producer.reconcile(60_000, onFailed)).toEqual({ full: true, checked: 3, enqueued: 3, deadLettered: 0 }), 20_000, 200);
    for (const dossier of [queued, neverQueued, removed]) expect(await queue.getJob(verificationJobId(dossier.dossierId))).toBeDefined();
    expect(await producer.reconcile(0, onFailed)).toMatchObject({ full: false, checked: 0 });
  }, 60_000);
});
