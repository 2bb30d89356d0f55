import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { SyncReconciler } from '../../src/portal/sync-reconciler.service.js';
import { citizenCopies, insertRecords, syncTestService } from '../factories/sync-records.factory.js';
import { expectProblem } from '../utils/problem.js';
import { PORTAL_AUTH, createTestAppWithEnvironment, expectEventually } from '../utils/test-app.js';

/**
 * The retention of sync results: per service, the newest SYNC_RESULTS_KEEP_RUNS finished runs keep their per-record
 * results; an older run keeps its counts, and its discrepancy list answers 410. An app of its own keeping one run
 * per service, its reconciler's timer out of the way (the test runs the pass).
 */
describe('sync results retention', () => {
  let app: NestFastifyApplication;
  let db: DataSource;

  beforeAll(async () => {
    app = await createTestAppWithEnvironment({ SYNC_RESULTS_KEEP_RUNS: '1', SYNC_RECONCILE_MS: '3600000' });
    db = app.get(DataSource);
  });

  afterAll(async () => {
    await db?.query(`DELETE FROM portal_sync_runs WHERE service_code LIKE 'T-SYNC-KEEP-%'`);
    await db?.query(`DELETE FROM portal_records WHERE service_code LIKE 'T-SYNC-KEEP-%'`);
    await app?.close();
  });

  const runToEnd = async (serviceCode: string): Promise<Record<string, any>> => {
    const { body } = await request(app.getHttpServer()).post('/portal/v1/sync-runs').set(PORTAL_AUTH).send({ serviceCode, mode: 'verify' }).expect(202);
    const runId: string = body.runs[0].runId;
    let run: Record<string, any> = {};
    await expectEventually(async () => {
      run = (await request(app.getHttpServer()).get(`/portal/v1/sync-runs/${runId}`).set(PORTAL_AUTH).expect(200)).body;
      expect(run.state).toBe('completed');
    }, 30_000, 100);
    return run;
  };

  it('drops the results of a service\'s runs beyond the newest kept, keeps their counts, and answers 410 for their lists', async () => {
    const serviceCode = await syncTestService(app, 'KEEP', ['idNumber', 'fullName', 'dateOfBirth', 'sex']);
    const copies = await citizenCopies(db, `status = 'alive' AND length(date_of_birth) = 10`, 40);
    copies[0].fullName = copies[0].fullName.toUpperCase();
    await insertRecords(db, serviceCode, copies);
    const older = await runToEnd(serviceCode);
    const newer = await runToEnd(serviceCode);
    const results = async (runId: string) => Number((await db.query(`SELECT count(*) AS n FROM portal_sync_results WHERE run_id = $1`, [runId]))[0].n);
    expect([await results(older.runId), await results(newer.runId)]).toEqual([40, 40]);

    await app.get(SyncReconciler).runOnce();

    expect([await results(older.runId), await results(newer.runId)]).toEqual([0, 40]);
    const server = app.getHttpServer();
    const olderNow = (await request(server).get(`/portal/v1/sync-runs/${older.runId}`).set(PORTAL_AUTH).expect(200)).body;
    expect(olderNow).toEqual({ ...older, resultsPrunedAt: expect.any(String) });
    expect(olderNow.discrepancies.byKind.full_name_normalized).toBe(1);
    expectProblem(await request(server).get(`/portal/v1/sync-runs/${older.runId}/discrepancies`).set(PORTAL_AUTH), 410, 'results_pruned');
    expectProblem(await request(server).get(`/portal/v1/sync-runs/${older.runId}/discrepancies`).set(PORTAL_AUTH).set('accept', 'text/csv'), 410, 'results_pruned');
    const kept = await request(server).get(`/portal/v1/sync-runs/${newer.runId}/discrepancies`).set(PORTAL_AUTH).expect(200);
    expect(kept.body.discrepancies).toEqual([expect.objectContaining({ kind: 'full_name_normalized' })]);
    expect((await request(server).get(`/portal/v1/sync-runs/${newer.runId}`).set(PORTAL_AUTH).expect(200)).body.resultsPrunedAt).toBeNull();
  });
});
