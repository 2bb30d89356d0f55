import { describe, expect, it } from '@jest/globals';
import { getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import request from 'supertest';
import { SyncRunProducer } from '../../src/portal/sync-run.producer.js';
import { SyncRunRepository } from '../../src/portal/sync-run.repository.js';
import { SyncReconciler } from '../../src/portal/sync-reconciler.service.js';
import { QueueName } from '../../src/queue/queue-names.js';
import { unusedIdNumber } from '../factories/registry.factory.js';
import { citizenCopies, insertRecords, syncTestService, type RecordValues } from '../factories/sync-records.factory.js';
import { ADMIN_AUTH, DEVELOPER_AUTH, PORTAL_AUTH, expectEventually, useTestApp } from '../utils/test-app.js';
import { expectProblem } from '../utils/problem.js';

/** Every field a portal record holds, so that every kind of drift is visible to the run. */
const EVERY_HELD_FIELD = ['idNumber', 'fullName', 'dateOfBirth', 'sex', 'permanentAddress', 'currentAddress', 'maritalStatus', 'citizenStatus', 'statusDate'];
const ALIVE_FULL_DATE = `status = 'alive' AND length(date_of_birth) = 10`;

/** Reconciliation runs of the portal's records: the report, refresh, one run at a time per service, an unreliable registry. */
describe('/portal/v1/sync-runs', () => {
  const testApp = useTestApp();
  // Runs this file leaves open (a pending run behind a slow one, say) must not go on calling the registry, audited,
  // while the next test file runs: they are cancelled before the app closes.
  testApp.beforeClose(async () => {
    await testApp.db.query(`UPDATE portal_sync_runs SET state = 'cancelled', finished_at = now() WHERE service_code LIKE 'T-SYNC-%' AND state IN ('pending', 'running')`);
  });
  const server = () => testApp.app.getHttpServer();
  const portal = {
    get: (path: string) => request(server()).get(path).set(PORTAL_AUTH),
    post: (path: string) => request(server()).post(path).set(PORTAL_AUTH),
  };

  async function runToEnd(serviceCode: string, mode: 'verify' | 'refresh', timeoutMs = 30_000) {
    const started = await portal.post('/portal/v1/sync-runs').send({ serviceCode, mode }).expect(202);
    const [{ runId }] = started.body.runs;
    let run: Record<string, any> = {};
    await expectEventually(async () => {
      run = (await portal.get(`/portal/v1/sync-runs/${runId}`).expect(200)).body;
      expect({ state: run.state, stopReason: run.stopReason }).toEqual({ state: 'completed', stopReason: null });
    }, timeoutMs, 100);
    return run;
  }

  async function allDiscrepancies(runId: string, kind?: string): Promise<Array<Record<string, any>>> {
    const lines: Array<Record<string, any>> = [];
    for (let cursor: string | null = null; ; ) {
      const query: Record<string, string> = { limit: '3', ...(kind ? { kind } : {}), ...(cursor ? { cursor } : {}) };
      const page = await portal.get(`/portal/v1/sync-runs/${runId}/discrepancies`).query(query).expect(200);
      lines.push(...page.body.discrepancies);
      cursor = page.body.nextCursor;
      if (!cursor) return lines;
    }
  }

  it('reports exactly the drift injected into the records, per field, with the registry value; refresh corrects what it can', async () => {
    const serviceCode = await syncTestService(testApp.app, 'DRIFT', EVERY_HELD_FIELD);
    const copies = await citizenCopies(testApp.db, `${ALIVE_FULL_DATE} AND marital_status IN ('single', 'married')`, 30);
    const [deceased] = await citizenCopies(testApp.db, `status = 'deceased' AND length(date_of_birth) = 10`, 1);
    expect(deceased).toBeDefined();
    const registry = copies.map((copy) => structuredClone(copy));
    const drift: Array<{ index: number; kind: string; change: (record: RecordValues) => void }> = [
      { index: 0, kind: 'full_name_normalized', change: (r) => (r.fullName = r.fullName.toUpperCase()) },
      { index: 1, kind: 'full_name', change: (r) => (r.fullName = `${r.fullName} Khác`) },
      { index: 2, kind: 'date_of_birth', change: (r) => (r.dateOfBirth = `${Number(r.dateOfBirth.slice(0, 4)) - 1}${r.dateOfBirth.slice(4)}`) },
      { index: 3, kind: 'sex', change: (r) => (r.sex = r.sex === 'male' ? 'female' : 'male') },
      { index: 4, kind: 'permanent_address', change: (r) => (r.permanentAddress = { ...r.permanentAddress, detail: 'Số 1 đường Cũ' }) },
      { index: 5, kind: 'current_address', change: (r) => (r.currentAddress = { ...r.currentAddress, detail: 'Số 2 đường Cũ' }) },
      { index: 6, kind: 'marital_status', change: (r) => (r.maritalStatus = r.maritalStatus === 'single' ? 'married' : 'single') },
      { index: 7, kind: 'not_found', change: (r) => Object.assign(r, { idNumber: unusedIdNumber(), sex: 'male', dateOfBirth: '1990-05-05' }) },
    ];
    const records = copies.map((copy) => structuredClone(copy));
    for (const { index, change } of drift) change(records[index]);
    // The registry says deceased, the portal's copy does not; and one record held twice.
    records.push({ ...deceased, status: 'alive', statusDate: null }, structuredClone(records[10]));
    const ids = await insertRecords(testApp.db, serviceCode, records);
    const expected = [
      ...drift.map(({ index, kind }) => ({ recordId: ids[index], kind })),
      { recordId: ids[copies.length], kind: 'deceased' },
      { recordId: ids[copies.length + 1], kind: 'duplicate' },
    ].sort((a, b) => Number(a.recordId) - Number(b.recordId));

    const run = await runToEnd(serviceCode, 'verify');
    expect(run).toMatchObject({ serviceCode, mode: 'verify', state: 'completed', stopReason: null, batches: { planned: 1, done: 1 } });
    expect(run.records).toEqual({ planned: records.length, scanned: records.length, matched: records.length - expected.length, withDiscrepancies: expected.length, errors: 0 });
    const byKind = Object.fromEntries(Object.entries(run.discrepancies.byKind).filter(([, count]) => count !== 0));
    expect(byKind).toEqual(Object.fromEntries(expected.map(({ kind }) => [kind, 1])));
    expect(run.throughput.recordsPerSecond).toBeGreaterThan(0);

    const lines = await allDiscrepancies(run.runId);
    expect(lines.map(({ recordId, kind }) => ({ recordId, kind }))).toEqual(expected);
    // The registry's value, which wins, for each field the service may read; the portal's as it holds it.
    const line = (kind: string) => lines.find((l) => l.kind === kind)!;
    expect(line('full_name_normalized')).toMatchObject({ field: 'fullName', portalValue: records[0].fullName, registryValue: registry[0].fullName, corrected: false });
    expect(line('date_of_birth')).toMatchObject({ portalValue: records[2].dateOfBirth, registryValue: registry[2].dateOfBirth });
    expect(line('permanent_address')).toMatchObject({ portalValue: records[4].permanentAddress, registryValue: registry[4].permanentAddress });
    expect(line('marital_status')).toMatchObject({ portalValue: records[6].maritalStatus, registryValue: registry[6].maritalStatus });
    expect(line('deceased')).toMatchObject({ field: 'citizenStatus', portalValue: 'alive', registryValue: 'deceased' });
    expect(await allDiscrepancies(run.runId, 'sex')).toEqual([expect.objectContaining({ recordId: ids[3], portalValue: records[3].sex, registryValue: registry[3].sex })]);
    // verify mode leaves the records as they were.
    const [{ n: untouched }] = await testApp.db.query(`SELECT count(*)::int AS n FROM portal_records WHERE service_code = $1 AND source = 'generated' AND confirmed_at IS NULL`, [serviceCode]);
    expect(untouched).toBe(records.length);

    const csv = await portal.get(`/portal/v1/sync-runs/${run.runId}/discrepancies`).query({ kind: 'marital_status' }).set('accept', 'text/csv').expect(200);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    expect(csv.text.trimEnd().split('\r\n')).toEqual(['recordId,kind,field,portalValue,registryValue,corrected', `${ids[6]},marital_status,maritalStatus,${records[6].maritalStatus},${registry[6].maritalStatus},false`]);

    const refreshed = await runToEnd(serviceCode, 'refresh');
    expect(refreshed.discrepancies.total).toBe(expected.length);
    const corrected = await testApp.db.query(
      `SELECT full_name AS "fullName", date_of_birth AS "dateOfBirth", sex, permanent_address AS "permanentAddress", current_address AS "currentAddress",
              marital_status AS "maritalStatus", status, source FROM portal_records WHERE record_id = ANY ($1::bigint[]) ORDER BY record_id`,
      [ids.slice(0, 7)],
    );
    expect(corrected).toEqual(registry.slice(0, 7).map((r) => ({ ...pick(r), status: 'alive', source: 'sync_run' })));
    const [dead] = await testApp.db.query(`SELECT status, status_date::text AS "statusDate", source FROM portal_records WHERE record_id = $1`, [ids[copies.length]]);
    expect(dead).toEqual({ status: 'deceased', statusDate: deceased.statusDate, source: 'sync_run' });
    // A batch done twice changes nothing: its job run again, or its commit made again (by a worker that lost its lock).
    const queue = testApp.app.get<Queue>(getQueueToken(QueueName.Sync));
    await queue.remove(`sync-${refreshed.runId}-0`);
    await testApp.app.get(SyncRunProducer).enqueue(refreshed.runId, [0]);
    await expectEventually(async () => expect((await queue.getJob(`sync-${refreshed.runId}-0`))?.returnvalue).toMatchObject({ outcome: 'already_done' }), 10_000);
    const twice = await testApp.app.get(SyncRunRepository).completeBatch(refreshed.runId, 0, [
      { recordId: ids[0], recordUpdatedAt: '2026-12-01 00:00:00+00', matched: true, discrepancies: [], corrections: { fullName: 'Tên Khác' }, checked: true, error: null },
    ]);
    expect(twice).toEqual({ kind: 'already_done' });
    expect((await portal.get(`/portal/v1/sync-runs/${refreshed.runId}`).expect(200)).body).toEqual(refreshed);
    expect((await allDiscrepancies(refreshed.runId)).map(({ recordId, kind }) => ({ recordId, kind }))).toEqual(expected);
    const [{ fullName }] = await testApp.db.query(`SELECT full_name AS "fullName" FROM portal_records WHERE record_id = $1`, [ids[0]]);
    expect(fullName).toBe(registry[0].fullName);

    // Afterwards only what the registry cannot correct is left: an ID it does not know, a record held twice.
    const after = await runToEnd(serviceCode, 'verify');
    expect(Object.fromEntries(Object.entries(after.discrepancies.byKind).filter(([, count]) => count !== 0))).toEqual({ not_found: 1, duplicate: 1 });
  });

  it('keeps one running and at most one pending run per service when ten requests arrive within a second; every reply names one of them', async () => {
    const serviceCode = await syncTestService(testApp.app, 'ONE', ['idNumber', 'fullName', 'dateOfBirth', 'sex'], { latency: { distribution: 'fixed', ms: 2_500 } });
    await insertRecords(testApp.db, serviceCode, await citizenCopies(testApp.db, ALIVE_FULL_DATE, 1_200));
    // All ten sent at once (how long the answers take on a loaded machine is not the point: the index decides).
    const replies = await Promise.all(Array.from({ length: 10 }, (_, i) => portal.post('/portal/v1/sync-runs').send({ serviceCode, mode: i % 2 ? 'refresh' : 'verify' })));
    const runs: Array<{ runId: string; state: string }> = await testApp.db.query(`SELECT run_id AS "runId", state FROM portal_sync_runs WHERE service_code = $1 ORDER BY run_id`, [serviceCode]);
    expect(runs.map((r) => r.state).sort()).toEqual(['pending', 'running']);
    for (const reply of replies) {
      expect(reply.status).toBe(202);
      expect(runs.map((r) => r.runId)).toContain(reply.body.runs[0].runId);
    }
    const running = runs.find((r) => r.state === 'running')!.runId;
    const pending = runs.find((r) => r.state === 'pending')!.runId;

    // Cancelling the running run starts the pending one; its batches in flight commit nothing.
    const cancelled = await portal.post(`/portal/v1/sync-runs/${running}/cancel`).expect(200);
    expect(cancelled.body).toMatchObject({ runId: running, state: 'cancelled' });
    await expectEventually(async () => expect((await portal.get(`/portal/v1/sync-runs/${pending}`).expect(200)).body.state).toBe('running'), 10_000);
    await portal.post(`/portal/v1/sync-runs/${pending}/cancel`).expect(200);
    expectProblem(await portal.post(`/portal/v1/sync-runs/${pending}/cancel`), 409, 'sync_run_finished');
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const [{ n }] = await testApp.db.query(`SELECT count(*)::int AS n FROM portal_sync_results WHERE run_id = ANY ($1::uuid[])`, [[running, pending]]);
    expect(n).toBe(0);
    const listed = await portal.get('/portal/v1/sync-runs').query({ serviceCode, state: 'cancelled' }).expect(200);
    expect(listed.body.runs.map((r: { runId: string }) => r.runId).sort()).toEqual([running, pending].sort());
  });

  it('completes a run behind a connector unavailable 20 % of the time, the retries in the call journal', async () => {
    const serviceCode = await syncTestService(testApp.app, 'FLAKY', EVERY_HELD_FIELD, { seed: 'sync-flaky', errors: [{ kind: 'unavailable', probability: 0.2 }] });
    const records = await citizenCopies(testApp.db, ALIVE_FULL_DATE, 300);
    records[5].maritalStatus = records[5].maritalStatus === 'single' ? 'married' : 'single';
    await insertRecords(testApp.db, serviceCode, records);
    const run = await runToEnd(serviceCode, 'verify', 60_000);
    expect(run.records).toMatchObject({ scanned: 300, matched: 299, errors: 0 });
    expect(Object.fromEntries(Object.entries(run.discrepancies.byKind).filter(([, count]) => count !== 0))).toEqual({ marital_status: 1 });
    const [{ n }] = await testApp.db.query(`SELECT count(*)::int AS n FROM portal_sync_results WHERE run_id = $1`, [run.runId]);
    expect(n).toBe(300);
    const journal: Array<{ operation: string; outcome: string; faultKind: string | null; attempt: number; n: number }> = await testApp.db.query(
      `SELECT operation, outcome, fault_kind AS "faultKind", attempt, count(*)::int AS n FROM call_journal WHERE job_id = $1 GROUP BY 1, 2, 3, 4`,
      [`sync-${run.runId}-0`],
    );
    const count = (where: (row: (typeof journal)[number]) => boolean) => journal.filter(where).reduce((sum, row) => sum + row.n, 0);
    expect(count((row) => row.faultKind === 'unavailable')).toBeGreaterThan(20);
    expect(count((row) => row.operation === 'lookup' && row.outcome === 'ok')).toBeGreaterThanOrEqual(300);
  }, 90_000);

  it('queues again, from the plan in Postgres, the batches whose jobs Redis lost', async () => {
    const serviceCode = await syncTestService(testApp.app, 'LOST', ['idNumber', 'fullName', 'dateOfBirth', 'sex']);
    const records = await insertRecords(testApp.db, serviceCode, await citizenCopies(testApp.db, ALIVE_FULL_DATE, 1_200));
    const queue = testApp.app.get<Queue>(getQueueToken(QueueName.Sync));
    await queue.pause();
    try {
      const started = await portal.post('/portal/v1/sync-runs').send({ serviceCode, mode: 'verify' }).expect(202);
      const { runId } = started.body.runs[0];
      await queue.drain();
      expect(await queue.getJob(`sync-${runId}-0`)).toBeUndefined();
      await queue.resume();
      const pass = await testApp.app.get(SyncReconciler).runOnce();
      expect(pass).toMatchObject({ enqueued: 3 });
      await expectEventually(async () => expect((await portal.get(`/portal/v1/sync-runs/${runId}`).expect(200)).body).toMatchObject({ state: 'completed', records: { scanned: records.length } }), 20_000, 100);
    } finally {
      await queue.resume();
    }
  });

  it('starts a run of every service holding records for `all`, one run each', async () => {
    const holding: Array<{ code: string }> = await testApp.db.query(`SELECT DISTINCT service_code AS code FROM portal_records ORDER BY 1`);
    const reply = await portal.post('/portal/v1/sync-runs').send({ serviceCode: 'all', mode: 'verify' }).expect(202);
    const runs: Array<{ runId: string; serviceCode: string }> = reply.body.runs;
    try {
      expect(runs.map((run) => run.serviceCode).sort()).toEqual(holding.map((row) => row.code).sort());
      expect(new Set(runs.map((run) => run.runId)).size).toBe(runs.length);
    } finally {
      // The runs are this test's only: cancelled, so that they do not run on into the next files.
      for (const { runId } of runs) await portal.post(`/portal/v1/sync-runs/${runId}/cancel`);
    }
  });

  it('refuses bad input and other keys, and names an unknown run', async () => {
    expectProblem(await portal.post('/portal/v1/sync-runs').send({ serviceCode: '1.000894', mode: 'fix' }), 400, 'validation_failed');
    expectProblem(await portal.post('/portal/v1/sync-runs').send({ serviceCode: 'NO-SUCH', mode: 'verify' }), 400, 'validation_failed');
    expectProblem(await request(server()).post('/portal/v1/sync-runs').set(DEVELOPER_AUTH).send({ serviceCode: '1.000894', mode: 'verify' }), 403, 'portal_key_required');
    expectProblem(await request(server()).get('/portal/v1/sync-runs/0193a0c4-1b2e-7d3f-9a4b-5c6d7e8f9a0b').set(ADMIN_AUTH), 404, 'sync_run_not_found');
    expectProblem(await portal.get('/portal/v1/sync-runs/not-a-run'), 400, 'validation_failed');
  });
});

function pick(r: RecordValues) {
  return { fullName: r.fullName, dateOfBirth: r.dateOfBirth, sex: r.sex, permanentAddress: r.permanentAddress, currentAddress: r.currentAddress, maritalStatus: r.maritalStatus };
}
