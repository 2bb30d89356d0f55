import { describe, expect, it } from '@jest/globals';
import { getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import request from 'supertest';
import { SyncReconciler } from '../../src/portal/sync-reconciler.service.js';
import { SyncRunProducer } from '../../src/portal/sync-run.producer.js';
import { SyncSchedules } from '../../src/portal/sync-schedules.service.js';
import { QueueName } from '../../src/queue/queue-names.js';
import { citizenCopies, insertRecords, syncTestService } from '../factories/sync-records.factory.js';
import { ADMIN_AUTH, PORTAL_AUTH, expectEventually, useTestApp } from '../utils/test-app.js';
import { expectProblem } from '../utils/problem.js';

/** Recurring sync runs: a schedule per service, listed, changed, paused, resumed and triggered through /ops. */
describe('/ops/sync-schedules', () => {
  const testApp = useTestApp();
  const ops = {
    get: (path: string) => request(testApp.app.getHttpServer()).get(path).set(ADMIN_AUTH),
    put: (path: string) => request(testApp.app.getHttpServer()).put(path).set(ADMIN_AUTH),
    post: (path: string) => request(testApp.app.getHttpServer()).post(path).set(ADMIN_AUTH),
  };
  const runsOf = async (serviceCode: string): Promise<Array<{ runId: string; state: string; requestedBy: string }>> =>
    testApp.db.query(`SELECT run_id AS "runId", state, requested_by AS "requestedBy" FROM portal_sync_runs WHERE service_code = $1 ORDER BY run_id`, [serviceCode]);

  it('lists the schedules of config/sync-schedules.json', async () => {
    const { body } = await ops.get('/ops/sync-schedules').expect(200);
    expect(body.schedules).toContainEqual(expect.objectContaining({ serviceCode: '1.000894', pattern: '0 2 * * *', timeZone: 'Asia/Ho_Chi_Minh', mode: 'verify', paused: true, source: 'config', nextRunAt: null }));
  });

  it('runs a service on its schedule; pausing stops it, resuming and triggering start runs again', async () => {
    const serviceCode = await syncTestService(testApp.app, 'SCHED', ['idNumber', 'fullName', 'dateOfBirth', 'sex']);
    await insertRecords(testApp.db, serviceCode, await citizenCopies(testApp.db, `status = 'alive' AND length(date_of_birth) = 10`, 5));
    const put = await ops.put(`/ops/sync-schedules/${serviceCode}`).send({ everyMs: 1_000, mode: 'verify' }).expect(200);
    expect(put.body).toMatchObject({ serviceCode, everyMs: 1_000, pattern: null, paused: false, source: 'api' });
    expect(Date.parse(put.body.nextRunAt)).toBeGreaterThan(Date.now() - 1_000);
    await expectEventually(async () => expect((await runsOf(serviceCode)).filter((run) => run.state === 'completed').length).toBeGreaterThanOrEqual(2), 15_000, 200);
    expect(new Set((await runsOf(serviceCode)).map((run) => run.requestedBy))).toEqual(new Set(['schedule']));

    const paused = await ops.post(`/ops/sync-schedules/${serviceCode}/pause`).expect(200);
    expect(paused.body).toMatchObject({ paused: true, nextRunAt: null });
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const settled = (await runsOf(serviceCode)).length;
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    expect((await runsOf(serviceCode)).length).toBe(settled);

    const triggered = await ops.post(`/ops/sync-schedules/${serviceCode}/trigger`).expect(202);
    expect(triggered.body.runs[0]).toMatchObject({ serviceCode, mode: 'verify' });
    await expectEventually(async () => expect((await request(testApp.app.getHttpServer()).get(`/portal/v1/sync-runs/${triggered.body.runs[0].runId}`).set(PORTAL_AUTH).expect(200)).body).toMatchObject({ state: 'completed', stopReason: null }), 10_000);

    const resumed = await ops.post(`/ops/sync-schedules/${serviceCode}/resume`).expect(200);
    expect(resumed.body).toMatchObject({ paused: false });
    expect(resumed.body.nextRunAt).not.toBeNull();
    // A Redis that lost the scheduler gets it back from PostgreSQL.
    const queue = testApp.app.get<Queue>(getQueueToken(QueueName.Sync));
    await queue.removeJobScheduler(`sync-schedule-${serviceCode}`);
    await testApp.app.get(SyncReconciler).runOnce();
    expect(await queue.getJobScheduler(`sync-schedule-${serviceCode}`)).toMatchObject({ every: 1_000 });
    await ops.post(`/ops/sync-schedules/${serviceCode}/pause`).expect(200);
  });

  it('refuses a pattern the scheduler cannot read at the change, paused or not, and never answers a 5xx on resume', async () => {
    const serviceCode = await syncTestService(testApp.app, 'BADP', ['idNumber', 'fullName', 'dateOfBirth']);
    for (const paused of [true, false]) {
      const refused = await ops.put(`/ops/sync-schedules/${serviceCode}`).send({ pattern: '99 2 * * *', mode: 'verify', paused });
      expectProblem(refused, 400, 'validation_failed');
      expect(refused.body.errors).toEqual([expect.objectContaining({ field: 'pattern', rule: 'invalid_schedule' })]);
    }
    const badZone = await ops.put(`/ops/sync-schedules/${serviceCode}`).send({ pattern: '0 2 * * *', timeZone: 'Mars/Olympus', mode: 'verify', paused: true });
    expectProblem(badZone, 400, 'validation_failed');
    expect(badZone.body.errors).toEqual([expect.objectContaining({ field: 'timeZone', rule: 'time_zone' })]);
    expect(await testApp.db.query(`SELECT 1 FROM portal_sync_schedules WHERE service_code = $1`, [serviceCode])).toEqual([]);
    expectProblem(await ops.post(`/ops/sync-schedules/${serviceCode}/resume`), 404, 'sync_schedule_not_found');

    // A paused row that holds such a pattern already (written before the check): resuming it is a 400 and it stays paused.
    await testApp.db.query(`INSERT INTO portal_sync_schedules (service_code, pattern, time_zone, mode, paused, source) VALUES ($1, '99 2 * * *', 'UTC', 'verify', true, 'api')`, [serviceCode]);
    const resumed = await ops.post(`/ops/sync-schedules/${serviceCode}/resume`);
    expectProblem(resumed, 400, 'validation_failed');
    expect(resumed.body.errors).toEqual([expect.objectContaining({ field: 'pattern', rule: 'invalid_schedule' })]);
    expect(await testApp.db.query(`SELECT paused FROM portal_sync_schedules WHERE service_code = $1`, [serviceCode])).toEqual([{ paused: true }]);
    await testApp.db.query(`DELETE FROM portal_sync_schedules WHERE service_code = $1`, [serviceCode]);
  });

  it('repairs a scheduler that Redis kept from before a change it missed (the change committed, Redis unreachable)', async () => {
    const serviceCode = await syncTestService(testApp.app, 'MISS', ['idNumber', 'fullName', 'dateOfBirth']);
    await ops.put(`/ops/sync-schedules/${serviceCode}`).send({ pattern: '0 2 * * *', mode: 'verify' }).expect(200);
    const producer = testApp.app.get(SyncRunProducer);
    expect((await producer.schedules()).get(serviceCode)).toMatchObject({ pattern: '0 2 * * *', timeZone: 'Asia/Ho_Chi_Minh', mode: 'verify' });
    // What a PUT leaves when its row commits and Redis then does not answer (503): the row changed, the scheduler not.
    await testApp.db.query(`UPDATE portal_sync_schedules SET pattern = '30 3 * * *', time_zone = 'UTC', mode = 'refresh' WHERE service_code = $1`, [serviceCode]);
    await testApp.app.get(SyncSchedules).applyAll();
    expect((await producer.schedules()).get(serviceCode)).toMatchObject({ pattern: '30 3 * * *', timeZone: 'UTC', mode: 'refresh', everyMs: null });
    // An interval instead of a pattern is a change too.
    await testApp.db.query(`UPDATE portal_sync_schedules SET pattern = NULL, every_ms = 3600000 WHERE service_code = $1`, [serviceCode]);
    await testApp.app.get(SyncSchedules).applyAll();
    expect((await producer.schedules()).get(serviceCode)).toMatchObject({ pattern: null, everyMs: 3_600_000, mode: 'refresh' });
    await ops.post(`/ops/sync-schedules/${serviceCode}/pause`).expect(200);
    await testApp.db.query(`DELETE FROM portal_sync_schedules WHERE service_code = $1`, [serviceCode]);
  });

  it('refuses a schedule it cannot read, and an unknown service', async () => {
    const serviceCode = await syncTestService(testApp.app, 'BAD', ['idNumber', 'fullName', 'dateOfBirth']);
    expectProblem(await ops.put(`/ops/sync-schedules/${serviceCode}`).send({ mode: 'verify' }), 400, 'validation_failed');
    expectProblem(await ops.put(`/ops/sync-schedules/${serviceCode}`).send({ pattern: '99 99 * * *', mode: 'verify' }), 400, 'validation_failed');
    expect((await ops.get('/ops/sync-schedules').expect(200)).body.schedules.map((s: { serviceCode: string }) => s.serviceCode)).not.toContain(serviceCode);
    expectProblem(await ops.put('/ops/sync-schedules/NO-SUCH').send({ everyMs: 60_000, mode: 'verify' }), 404, 'service_not_found');
    expectProblem(await ops.post('/ops/sync-schedules/NO-SUCH/trigger'), 404, 'sync_schedule_not_found');
    expectProblem(await request(testApp.app.getHttpServer()).get('/ops/sync-schedules').set(PORTAL_AUTH), 403, 'admin_required');
  });
});
