import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import { v7 as uuidv7 } from 'uuid';
import { SharedCommitWriter, type AuditRow, type JournalRow } from '../../src/database/shared-commit.writer.js';
import { JournalMaintenanceProducer } from '../../src/journal/journal-maintenance.producer.js';
import { JournalPartitions } from '../../src/journal/journal-partitions.service.js';
import { JobName, QueueName } from '../../src/queue/queue-names.js';
import { expectEventually } from '../utils/expect-eventually.js';
import request from 'supertest';
import { ADMIN_AUTH, useTestApp } from '../utils/test-app.js';

/** A journal row received at `receivedAt`, for a test that writes through the shared-commit writer directly. */
function journalRow(receivedAt: Date, requestId: string): JournalRow {
  return {
    callId: uuidv7(),
    receivedAt,
    requestId,
    transport: 'http',
    consumerId: null,
    serviceCode: 'SANDBOX-ALL',
    operation: 'lookup',
    dossierId: null,
    jobId: null,
    attempt: null,
    outcome: 'ok',
    httpStatus: 200,
    problemCode: null,
    faultKind: null,
    latencyMs: 1.5,
    fieldsRequested: ['fullName'],
    fieldsReturned: ['fullName'],
    batch: null,
    personaKey: null,
    fingerprint: 'f'.repeat(64),
  };
}

function auditRow(callId: string, requestId: string): AuditRow {
  return {
    callId,
    requestId,
    consumerId: null,
    officerHmac: null,
    officerMasked: null,
    serviceCode: 'SANDBOX-ALL',
    dossierId: null,
    operation: 'lookup',
    citizenHmac: null,
    citizenMasked: null,
    fields: ['fullName'],
    outcome: 'ok',
    reason: null,
  };
}

/**
 * The journal's day partitions in Vietnam time (UTC+7): rows land in the day their users see, partitions are kept
 * seven days ahead by the maintenance job, and retention drops whole old days without touching the audit. Days far
 * from today are used, so that the partitions of the days the other tests write in are never touched.
 */
describe('journal partitions', () => {
  const testApp = useTestApp({ seed: false });
  const partitions = () => testApp.app.get(JournalPartitions);
  const writer = () => testApp.app.get(SharedCommitWriter);
  const made: string[] = [];
  const unwritableCalls = async () => {
    const metrics = await request(testApp.app.getHttpServer()).get('/ops/metrics').set(ADMIN_AUTH).expect(200);
    return Number(/^popgate_journal_unwritable_calls_total (\d+)/m.exec(metrics.text)?.[1] ?? 0);
  };
  /** Partitions of the far days this file writes in, left by a run that was stopped before its clean-up. */
  const dropLeftovers = async () => {
    const names = await partitions().partitionNames();
    for (const name of names.filter((n) => /^call_journal_(2020|203[12])/.test(n))) await testApp.db.query(`DROP TABLE ${name}`);
  };

  beforeAll(dropLeftovers);
  testApp.beforeClose(async () => {
    for (const name of made) await testApp.db.query(`DROP TABLE IF EXISTS ${name}`);
  });

  it('puts a row received at 23:59:59.999 and one at 00:00:00.000 Vietnam time in their own days', async () => {
    made.push(...(await partitions().ensureAhead('2031-03-10', 1)));
    const late = journalRow(new Date('2031-03-10T23:59:59.999+07:00'), `late-${randomUUID()}`);
    const early = journalRow(new Date('2031-03-11T00:00:00.000+07:00'), `early-${randomUUID()}`);
    await writer().append({ journal: [late, early], audit: [] });
    const rows = await testApp.db.query(
      `SELECT request_id, tableoid::regclass::text AS partition FROM call_journal WHERE request_id = ANY($1) ORDER BY received_at`,
      [[late.requestId, early.requestId]],
    );
    expect(rows).toEqual([
      { request_id: late.requestId, partition: 'call_journal_20310310' },
      { request_id: early.requestId, partition: 'call_journal_20310311' },
    ]);
  });

  it('refuses a row on a day without a partition (there is no default partition), with the audit rows of its commit', async () => {
    const row = journalRow(new Date('2041-01-01T12:00:00+07:00'), `orphan-${randomUUID()}`);
    await expect(writer().append({ journal: [row], audit: [auditRow(row.callId, row.requestId)] })).rejects.toThrow(/no partition/);
    const [audit] = await testApp.db.query(`SELECT count(*)::int AS n FROM access_audit WHERE request_id = $1`, [row.requestId]);
    expect(audit.n).toBe(0);
  });

  it('commits the other calls of a batch when one call\'s rows fail, and counts the call it could not journal', async () => {
    const unwritableBefore = await unwritableCalls();
    const busy = journalRow(new Date(), `busy-${randomUUID()}`);
    const good = journalRow(new Date(), `good-${randomUUID()}`);
    const bad = journalRow(new Date('2041-01-02T12:00:00+07:00'), `bad-${randomUUID()}`);
    // The first append occupies the writer; the next two wait and share one statement, which the bad row fails.
    const first = writer().append({ journal: [busy], audit: [] });
    const [goodResult, badResult] = await Promise.allSettled([
      writer().append({ journal: [good], audit: [auditRow(good.callId, good.requestId)] }),
      writer().append({ journal: [bad], audit: [auditRow(bad.callId, bad.requestId)] }),
    ]);
    await first;
    expect(goodResult.status).toBe('fulfilled');
    expect(badResult.status).toBe('rejected');
    const rows = await testApp.db.query(`SELECT request_id FROM call_journal WHERE request_id = ANY($1) ORDER BY request_id`, [[good.requestId, bad.requestId]]);
    expect(rows).toEqual([{ request_id: good.requestId }]);
    const [audit] = await testApp.db.query(`SELECT count(*)::int AS n FROM access_audit WHERE call_id = $1::uuid`, [good.callId]);
    expect(audit.n).toBe(1);
    expect(await unwritableCalls()).toBe(unwritableBefore + 1);
  });

  it('keeps nine days ahead (readiness needs seven, so the hours before the daily job never fall short) and says how many there are', async () => {
    const created = await partitions().ensureAhead('2032-06-01');
    made.push(...created);
    expect(created).toEqual(Array.from({ length: 10 }, (_, i) => `call_journal_203206${String(i + 1).padStart(2, '0')}`));
    expect(await partitions().daysAhead('2032-06-01')).toBe(9);
    // The next day, before the job has run: still seven or more.
    expect(await partitions().daysAhead('2032-06-02')).toBeGreaterThanOrEqual(JournalPartitions.DAYS_AHEAD);
    // A second run changes nothing.
    expect(await partitions().ensureAhead('2032-06-01')).toEqual([]);
    expect(await partitions().daysAhead('2032-05-31')).toBe(-1);
  });

  it('drops only the days past retention, detached first, and leaves every audit row', async () => {
    made.push(...(await partitions().ensureAhead('2020-01-01', 2)));
    const old = journalRow(new Date('2020-01-01T08:00:00+07:00'), `old-${randomUUID()}`);
    const kept = journalRow(new Date('2020-01-03T08:00:00+07:00'), `kept-${randomUUID()}`);
    await writer().append({ journal: [old, kept], audit: [auditRow(old.callId, old.requestId), auditRow(kept.callId, kept.requestId)] });
    const [before] = await testApp.db.query(`SELECT count(*)::int AS n FROM access_audit`);

    // A day detached by a run that stopped before dropping it is dropped by the next run.
    await testApp.db.query(`ALTER TABLE call_journal DETACH PARTITION call_journal_20200102`);
    // Today 2020-02-02 with 30 days kept: 2020-01-03 and after stay.
    expect(await partitions().dropExpired('2020-02-02', 30)).toEqual(['call_journal_20200101', 'call_journal_20200102']);
    const names = await partitions().partitionNames();
    expect(names).not.toContain('call_journal_20200101');
    expect(names).toEqual(expect.arrayContaining(['call_journal_20200103', 'call_journal_20310310']));
    const [leftover] = await testApp.db.query(`SELECT count(*)::int AS n FROM pg_class WHERE relname IN ('call_journal_20200101', 'call_journal_20200102')`);
    expect(leftover.n).toBe(0);
    const journal = await testApp.db.query(`SELECT request_id FROM call_journal WHERE request_id = ANY($1)`, [[old.requestId, kept.requestId]]);
    expect(journal).toEqual([{ request_id: kept.requestId }]);
    const [after] = await testApp.db.query(`SELECT count(*)::int AS n FROM access_audit`);
    expect(after.n).toBe(before.n);
    const [oldAudit] = await testApp.db.query(`SELECT count(*)::int AS n FROM access_audit WHERE call_id = $1::uuid`, [old.callId]);
    expect(oldAudit.n).toBe(1);
  });

  it('reads the days-ahead gauge at each scrape, so a stopped maintenance job shows', async () => {
    const metrics = await request(testApp.app.getHttpServer()).get('/ops/metrics').set(ADMIN_AUTH).expect(200);
    const days = Number(/popgate_journal_partitions_ahead (\d+)/.exec(metrics.text)?.[1]);
    expect(days).toBe(await partitions().daysAhead());
    const last = (await partitions().partitionNames()).filter((name) => name.startsWith('call_journal_202')).pop()!;
    await testApp.db.query(`DROP TABLE ${last}`);
    const after = await request(testApp.app.getHttpServer()).get('/ops/metrics').set(ADMIN_AUTH).expect(200);
    expect(Number(/popgate_journal_partitions_ahead (\d+)/.exec(after.text)?.[1])).toBe(days - 1);
    await partitions().ensureAhead();
  });

  it('runs the maintenance as a daily job scheduled in Vietnam time, and as a job on demand', async () => {
    const queue = testApp.app.get<Queue>(getQueueToken(QueueName.Maintenance));
    const schedulers = await queue.getJobSchedulers();
    expect(schedulers).toEqual(expect.arrayContaining([expect.objectContaining({ key: JournalMaintenanceProducer.SCHEDULER_ID, pattern: '5 0 * * *', tz: 'Asia/Ho_Chi_Minh' })]));
    const job = await queue.add(JobName.JournalMaintenance, {});
    await expectEventually(async () => expect(await job.getState()).toBe('completed'), 10_000);
    const done = (await queue.getJob(job.id!))!;
    expect(done.returnvalue).toEqual({ created: expect.any(Array), dropped: expect.any(Array) });
    expect(await partitions().daysAhead()).toBeGreaterThanOrEqual(JournalPartitions.DAYS_AHEAD);
  });
});
