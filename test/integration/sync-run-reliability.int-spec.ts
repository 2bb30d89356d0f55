import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { syncTestService } from '../factories/sync-records.factory.js';
import { pgPoolOf } from '../../src/database/database-bootstrap.js';
import { RegistrySeeder } from '../../src/sandbox/seeding/registry-seeder.js';
import { PORTAL_AUTH, TEST_DATASET, createTestAppWithEnvironment, expectEventually, seedTestDataset } from '../utils/test-app.js';
import { WorkerProcess, buildForProcesses } from '../utils/worker-process.js';

/** The size: one run over 100,000 records. */
const RECORDS = 100_000;
/** Records whose name the portal holds wrongly (every 100th): a verify mismatch, then a look-up of the registry's name. */
const DRIFTED = RECORDS / 100;

interface RunState {
  state: string;
  batchCount: number | null;
  batchesDone: number;
}

async function runState(db: DataSource, runId: string): Promise<RunState> {
  const [row] = await db.query(`SELECT state, batch_count AS "batchCount", batches_done AS "batchesDone" FROM portal_sync_runs WHERE run_id = $1`, [runId]);
  return row;
}

/**
 * What a sync run promises when its worker dies: a worker process killed (SIGKILL) during a run over 100,000 records,
 * and another started after it. Real processes, real PostgreSQL and Redis.
 */
describe('sync run reliability', () => {
  let app: NestFastifyApplication;
  let db: DataSource;
  const workers: WorkerProcess[] = [];
  const startWorker = async () => {
    const worker = await WorkerProcess.start({ WORKER_STALLED_MS: '2000', SYNC_LOCK_MS: '2000', SYNC_CONCURRENCY: '2', SYNC_BATCH_SIZE: '500' });
    workers.push(worker);
    return worker;
  };

  beforeAll(async () => {
    buildForProcesses();
    app = await createTestAppWithEnvironment({ WORKERS_IN_API: 'false' });
    db = app.get(DataSource);
    // A dataset of 100,000 citizens (the standard one has 2,000), so that each record is a citizen of its own.
    await new RegistrySeeder(pgPoolOf(db)).reset({ ...TEST_DATASET, citizens: RECORDS });
  }, 300_000);

  afterEach(async () => {
    await Promise.all(workers.splice(0).map((worker) => worker.stop()));
  });

  afterAll(async () => {
    // The other files expect the standard test dataset, and none of this file's 100,000 records.
    if (app) {
      await db.query(`DELETE FROM portal_sync_runs WHERE service_code LIKE 'T-SYNC-KILL-%'`);
      await db.query(`DELETE FROM portal_records WHERE service_code LIKE 'T-SYNC-KILL-%'`);
      await seedTestDataset(app);
    }
    await app?.close();
  }, 300_000);

  it('completes a run over 100,000 records with exactly one result per record after its worker is killed (SIGKILL), no batch done twice', async () => {
    // Verify-batch compares name, birth date and sex; an allow-list without addresses leaves nothing else to look up.
    const serviceCode = await syncTestService(app, 'KILL', ['idNumber', 'fullName', 'dateOfBirth', 'sex']);
    await db.query(
      `INSERT INTO portal_records (service_code, id_number, full_name, date_of_birth, sex, permanent_address, current_address, marital_status, status, status_date, source)
       SELECT $1, id_number, CASE WHEN n % 100 = 0 THEN full_name || ' Khác' ELSE full_name END, date_of_birth, sex,
              jsonb_build_object('detail', permanent_detail), jsonb_build_object('detail', coalesce(temporary_detail, permanent_detail)), marital_status,
              CASE WHEN status = 'deceased' THEN 'deceased' ELSE 'alive' END, CASE WHEN status = 'deceased' THEN status_date END, 'generated'
       FROM (SELECT *, row_number() OVER (ORDER BY id_number) AS n FROM citizens) c WHERE n <= $2 ORDER BY n`,
      [serviceCode, RECORDS],
    );
    const [{ records }] = await db.query(`SELECT count(*)::int AS records FROM portal_records WHERE service_code = $1`, [serviceCode]);
    expect(records).toBe(RECORDS);

    const first = await startWorker();
    const startedAt = Date.now();
    const reply = await request(app.getHttpServer()).post('/portal/v1/sync-runs').set(PORTAL_AUTH).send({ serviceCode, mode: 'refresh' }).expect(202);
    const [{ runId }] = reply.body.runs;
    const planned = await runState(db, runId);
    expect(planned.batchCount).toBe(Math.ceil(records / 500));

    await expectEventually(async () => expect((await runState(db, runId)).batchesDone).toBeGreaterThanOrEqual(Math.ceil(planned.batchCount! / 5)), 60_000, 50);
    first.kill('SIGKILL');
    expect((await first.exited).signal).toBe('SIGKILL');
    const atKill = await runState(db, runId);
    expect(atKill.state).toBe('running');
    expect(atKill.batchesDone).toBeLessThan(planned.batchCount!);

    await startWorker();
    await expectEventually(async () => expect((await runState(db, runId)).state).toBe('completed'), 120_000, 200);
    const tookMs = Date.now() - startedAt;

    // Exactly one result per record, each in the batch whose range holds it; every batch done once, and counted once.
    const [results] = await db.query(
      `SELECT count(*)::int AS results, count(DISTINCT p.record_id)::int AS records,
              count(*) FILTER (WHERE NOT (p.record_id BETWEEN b.first_record_id AND b.last_record_id))::int AS misplaced,
              count(*) FILTER (WHERE 'full_name' = ANY (r.kinds))::int AS drifted
       FROM portal_records p
       JOIN portal_sync_results r ON r.run_id = $1 AND r.record_id = p.record_id
       JOIN portal_sync_batches b ON b.run_id = r.run_id AND b.batch_no = r.batch_no
       WHERE p.service_code = $2`,
      [runId, serviceCode],
    );
    expect(results).toEqual({ results: records, records, misplaced: 0, drifted: DRIFTED });
    const [batches] = await db.query(
      `SELECT count(*)::int AS batches, count(*) FILTER (WHERE done_at IS NULL)::int AS open, sum(scanned)::int AS scanned,
              count(*) FILTER (WHERE scanned <> planned_count)::int AS short
       FROM portal_sync_batches WHERE run_id = $1`,
      [runId],
    );
    expect(batches).toEqual({ batches: planned.batchCount, open: 0, scanned: records, short: 0 });
    // A batch committed twice would have counted twice on the run (and completed it before its last batch).
    expect(await runState(db, runId)).toEqual({ state: 'completed', batchCount: planned.batchCount, batchesDone: planned.batchCount });
    // refresh wrote the registry's name to each drifted record, once.
    const [{ corrected }] = await db.query(`SELECT count(*)::int AS corrected FROM portal_records WHERE service_code = $1 AND source = 'sync_run' AND full_name NOT LIKE '% Khác'`, [serviceCode]);
    expect(corrected).toBe(DRIFTED);
    process.stdout.write(`sync run over ${records} records with a SIGKILL: ${tookMs} ms\n`);
  }, 300_000);
});
