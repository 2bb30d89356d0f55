import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { getQueueToken } from '@nestjs/bullmq';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Worker, type Job, type Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../../src/config/app-config.js';
import { syncBatchJobId, SyncRunProducer } from '../../src/portal/sync-run.producer.js';
import { SyncRunRepository } from '../../src/portal/sync-run.repository.js';
import { QueueName } from '../../src/queue/queue-names.js';
import { bullConnection } from '../../src/queue/queue.module.js';
import { REDIS } from '../../src/queue/redis.module.js';
import { insertRecords, syncTestService } from '../factories/sync-records.factory.js';
import { createTestAppWithEnvironment, expectEventually } from '../utils/test-app.js';

const ADDRESS = { detail: 'Số 1', communeCode: '00004', legacyCommune: null, legacyDistrict: null, provinceCode: '01' };

/**
 * The sync reconciler's "failed for good" rule (SyncRunProducer.reconcile) against the state BullMQ leaves when a
 * batch's job failed an attempt and then completed: the job keeps the attempt's failedReason beside its return value.
 * Read with its batch still open (the reconciler read Postgres just before the batch's commit), it is not a failure.
 * An app without workers, so that only this file's worker runs the batch's job.
 */
describe('sync reconciler', () => {
  let app: NestFastifyApplication;
  let db: DataSource;

  beforeAll(async () => {
    app = await createTestAppWithEnvironment({ WORKERS_IN_API: 'false' });
    db = app.get(DataSource);
  });

  afterAll(async () => {
    await db?.query(`DELETE FROM portal_sync_runs WHERE service_code LIKE 'T-SYNC-RACE-%'`);
    await db?.query(`DELETE FROM portal_records WHERE service_code LIKE 'T-SYNC-RACE-%'`);
    await app?.close();
  });

  it('leaves a run running when a batch job completed after a failed attempt, its failedReason kept, and queues the open batch again', async () => {
    const serviceCode = await syncTestService(app, 'RACE', ['idNumber', 'fullName', 'dateOfBirth']);
    await insertRecords(db, serviceCode, [1, 2, 3].map((n) => ({
      idNumber: String(n).padStart(12, '0'), fullName: 'Nguyễn Văn An', dateOfBirth: '1990-01-01', sex: 'male' as const,
      permanentAddress: ADDRESS, currentAddress: ADDRESS, maritalStatus: 'single', status: 'alive' as const, statusDate: null,
    })));
    const { runId } = await app.get(SyncRunRepository).request(serviceCode, 'verify', 'test');
    expect(await app.get(SyncRunProducer).startNext(serviceCode)).toBe(runId);
    const jobId = syncBatchJobId(runId, 0);

    // The batch's job fails its first attempt and completes its second without committing the batch: the commit of a
    // real batch would follow, after the reconciler read the batch as open.
    const config = app.get<AppConfig>(APP_CONFIG);
    const worker = new Worker(
      QueueName.Sync,
      async (job: Job) => {
        if (job.attemptsMade === 0) throw new Error('registry_unavailable: the first attempt failed');
        return { runId, batchNo: 0, outcome: 'done', records: 3 };
      },
      { connection: bullConnection(config.redisUrl), prefix: config.queuePrefix, settings: { backoffStrategy: () => 10 } },
    );
    const queue = app.get<Queue>(getQueueToken(QueueName.Sync));
    try {
      await expectEventually(async () => expect(await queue.getJobState(jobId)).toBe('completed'), 10_000, 50);
    } finally {
      await worker.close();
    }
    const [failedReason, returnValue] = await app.get<Redis>(REDIS).hmget(queue.toKey(jobId), 'failedReason', 'returnvalue');
    expect(failedReason).toContain('the first attempt failed');
    expect(returnValue).not.toBeNull();

    await app.get(SyncRunProducer).reconcile();
    const [run] = await db.query(`SELECT state, stop_reason AS "stopReason" FROM portal_sync_runs WHERE run_id = $1`, [runId]);
    expect(run).toEqual({ state: 'running', stopReason: null });
    // The open batch's job was queued again (a job that completed without its batch being done).
    expect(await queue.getJobState(jobId)).toBe('waiting');
    await queue.remove(jobId);
  });
});
