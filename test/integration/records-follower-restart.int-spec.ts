import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { FOLLOWER_LOCK_KEY } from '../../src/portal/records-follower.processor.js';
import { FOLLOWER_RESTART_MESSAGE, RECORDS_FOLLOWER } from '../../src/portal/records-follower.service.js';
import { ADMIN_AUTH, createTestAppWithEnvironment, expectEventually, seedTestDataset } from '../utils/test-app.js';
import { WorkerProcess, buildForProcesses } from '../utils/worker-process.js';

const RESTART_DATABASE_URL = `${process.env.DATABASE_URL}_follower_restart`;

const STREAM = 60;
const CITIZENS = 6;
/** An address as portal records store it (PortalAddress). */
const HELD_ADDRESS = { detail: 'Số 9 phố cũ', communeCode: '00004', legacyCommune: null, legacyDistrict: null, provinceCode: '01' };

/**
 * The test of the follower: events recorded with POST /sandbox/registry/events reach the portal records in
 * order, exactly once, across a follower restart in the middle. Real worker processes, one following at a time (the
 * one holding the follower's lock); the follower is killed (SIGKILL) in the middle of a stream of events, another
 * process takes over, and a new one starts.
 */
describe('changes follower across a restart', () => {
  let app: NestFastifyApplication;
  let db: DataSource;
  const workers: WorkerProcess[] = [];
  const startWorker = async () => {
    const worker = await WorkerProcess.start({ DATABASE_URL: RESTART_DATABASE_URL, FOLLOWER_ENABLED: 'true', FOLLOWER_PAGE_SIZE: '4', FOLLOWER_POLL_MS: '50' });
    workers.push(worker);
    return worker;
  };

  /** The pid of the worker process whose connection holds the follower's lock, or null. */
  const lockHolder = async (): Promise<number | null> => {
    const rows: Array<{ name: string }> = await db.query(
      `SELECT a.application_name AS name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
       WHERE l.locktype = 'advisory' AND l.granted AND l.classid = 0 AND l.objid = $1 AND l.objsubid = 1`,
      [FOLLOWER_LOCK_KEY],
    );
    expect(rows.length).toBeLessThanOrEqual(1);
    return rows[0] ? Number(rows[0].name.replace('popgate-follower-lock-', '')) : null;
  };

  const appliedOfStream = async (cursors: string[]): Promise<Array<{ cursor: string; recordsTouched: number }>> =>
    db.query(
      `SELECT change_id::text AS cursor, records_touched AS "recordsTouched" FROM portal_follower_applied
       WHERE change_id = ANY ($1::bigint[]) AND dataset_epoch = (SELECT dataset_epoch FROM portal_follower_cursor WHERE follower = $2)
       ORDER BY applied_at, change_id`,
      [cursors, RECORDS_FOLLOWER],
    );

  beforeAll(async () => {
    buildForProcesses();
    // A database of its own: it counts the records each event touched, and other files leave records of the same citizens.
    app = await createTestAppWithEnvironment({ DATABASE_URL: RESTART_DATABASE_URL, WORKERS_IN_API: 'false' });
    db = app.get(DataSource);
    await seedTestDataset(app);
    // The follower last followed another dataset's feed: the first process to follow must restart, and say so once.
    await db.query(
      `INSERT INTO portal_follower_cursor (follower, last_change_id, dataset_epoch) VALUES ($1, 7, 1)
       ON CONFLICT (follower) DO UPDATE SET last_change_id = 7, dataset_epoch = 1`,
      [RECORDS_FOLLOWER],
    );
  }, 120_000);

  afterAll(async () => {
    await Promise.all(workers.map((worker) => worker.stop()));
    await db?.query(`DELETE FROM portal_records WHERE full_name LIKE 'restart-test %'`);
    await app?.close();
  });

  it('applies every event of a stream once and in order while the follower is killed in the middle and another takes over', async () => {
    const citizens: Array<{ idNumber: string }> = await db.query(
      `SELECT id_number AS "idNumber" FROM citizens WHERE status = 'alive' AND date_of_birth <= '1995-01-01' AND substring(id_number, 7)::int < 900000
       ORDER BY md5(id_number || 'restart') LIMIT $1`,
      [CITIZENS],
    );
    for (const { idNumber } of citizens) {
      await db.query(
        `INSERT INTO portal_records (service_code, id_number, full_name, date_of_birth, sex, permanent_address, current_address, marital_status, source)
         VALUES ('1.004222', $1, $3, '1980-01-01', 'male', $2, $2, 'single', 'generated')`,
        [idNumber, HELD_ADDRESS, `restart-test ${idNumber}`],
      );
    }
    const first = await startWorker();
    const second = await startWorker();
    await expectEventually(async () => expect([first.pid, second.pid]).toContain(await lockHolder()), 10_000);
    const holder = (await lockHolder()) === first.pid ? first : second;
    const standby = holder === first ? second : first;

    const cursors: string[] = [];
    const lastDetail = new Map<string, string>();
    const recordMove = async (i: number) => {
      const { idNumber } = citizens[i % CITIZENS];
      const detail = `Số ${i + 1} đường Láng`;
      const { body } = await request(app.getHttpServer())
        .post('/sandbox/registry/events')
        .set(ADMIN_AUTH)
        .send({ kind: 'move', idNumber, residence: 'permanent', address: { detail, communeCode: '20242' } })
        .expect(201);
      cursors.push(body.changes[0].cursor);
      lastDetail.set(idNumber, detail);
    };

    for (let i = 0; i < STREAM / 2; i++) await recordMove(i);
    // The follower is at work on the stream when it is killed.
    await expectEventually(async () => expect((await appliedOfStream(cursors)).length).toBeGreaterThan(0), 10_000, 10);
    holder.kill('SIGKILL');
    await holder.exited;
    for (let i = STREAM / 2; i < (3 * STREAM) / 4; i++) await recordMove(i);
    await expectEventually(async () => expect(await lockHolder()).toBe(standby.pid), 10_000);
    // A new process starts while the stream goes on; the one following keeps the lock.
    const third = await startWorker();
    for (let i = (3 * STREAM) / 4; i < STREAM; i++) await recordMove(i);

    await expectEventually(async () => expect(await appliedOfStream(cursors)).toHaveLength(STREAM), 20_000);
    const applied = await appliedOfStream(cursors);
    // Exactly once: each event of the stream has one applied row, and touched the citizen's one record.
    expect(applied.map((row) => row.cursor).sort()).toEqual([...cursors].sort());
    expect(applied.every((row) => row.recordsTouched === 1)).toBe(true);
    // In order: events were applied in change-id order (applied_at follows it, across pages and processes)...
    const byChangeId = [...applied].sort((a, b) => (BigInt(a.cursor) < BigInt(b.cursor) ? -1 : 1));
    expect(applied.map((row) => row.cursor)).toEqual(byChangeId.map((row) => row.cursor));
    // ...and each record holds its citizen's last move.
    const records: Array<{ idNumber: string; detail: string; source: string }> = await db.query(
      `SELECT id_number AS "idNumber", permanent_address->>'detail' AS detail, source FROM portal_records WHERE full_name LIKE 'restart-test %'`,
    );
    expect(new Map(records.map((row) => [row.idNumber, row.detail]))).toEqual(lastDetail);
    expect(records.every((row) => row.source === 'follower')).toBe(true);
    expect(await lockHolder()).toBe(standby.pid);
    expect([third.pid, standby.pid]).not.toContain(holder.pid);

    const { body } = await request(app.getHttpServer()).get('/ops/queues').set(ADMIN_AUTH).expect(200);
    expect(body.follower).toMatchObject({ follower: RECORDS_FOLLOWER, eventsBehind: 0, secondsBehind: 0 });
    // The registry had been reset since the follower last ran: one process restarted it, and said so once.
    const said = workers.map((worker) => worker.log.split(FOLLOWER_RESTART_MESSAGE).length - 1);
    expect(said.reduce((total, count) => total + count, 0)).toBe(1);

    // Stopped with SIGTERM, the follower exits cleanly and its lock goes to the process still running.
    standby.kill('SIGTERM');
    expect((await standby.exited).code).toBe(0);
    await expectEventually(async () => expect(await lockHolder()).toBe(third.pid), 10_000);
  }, 90_000);
});
