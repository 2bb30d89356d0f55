import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { citizenCopies, insertRecords, syncTestService } from '../factories/sync-records.factory.js';
import { PORTAL_AUTH, createTestAppWithEnvironment, expectEventually, seedTestDataset } from '../utils/test-app.js';

const ALIVE_FULL_DATE = `status = 'alive' AND length(date_of_birth) = 10`;

/**
 * Sync runs against the portal consumer's own limits (PORTAL_RATE_LIMIT_PER_SECOND, PORTAL_DAILY_QUOTA), set low in
 * this file's apps: a rate limit is waited out, a quota that renews only at midnight stops the run with that reason.
 * Every other app sets the portal consumer's limits back from its own environment when it starts.
 */
describe('sync runs and the portal consumer limits', () => {
  let app: NestFastifyApplication;
  let db: DataSource;

  /** An app whose portal consumer has these limits (each app sets them from its environment when it starts). */
  function withLimits(environment: Record<string, string>) {
    beforeAll(async () => {
      app = await createTestAppWithEnvironment(environment);
      db = app.get(DataSource);
      await seedTestDataset(app);
    }, 120_000);
    afterAll(async () => {
      await app?.close();
    });
  }

  async function runOf(serviceCode: string) {
    const reply = await request(app.getHttpServer()).post('/portal/v1/sync-runs').set(PORTAL_AUTH).send({ serviceCode, mode: 'verify' }).expect(202);
    return reply.body.runs[0].runId as string;
  }
  const view = async (runId: string) => (await request(app.getHttpServer()).get(`/portal/v1/sync-runs/${runId}`).set(PORTAL_AUTH).expect(200)).body;

  describe('a rate limit of 5 calls a second', () => {
    withLimits({ PORTAL_RATE_LIMIT_PER_SECOND: '5' });

    it('is waited out: a batch that needs more calls than the limit allows a second still completes, no record failed', async () => {
      const serviceCode = await syncTestService(app, 'RATE', ['idNumber', 'fullName', 'dateOfBirth', 'permanentAddress']);
      await insertRecords(db, serviceCode, await citizenCopies(db, ALIVE_FULL_DATE, 15));
      const runId = await runOf(serviceCode);
      await expectEventually(async () => expect((await view(runId)).state).toBe('completed'), 30_000, 200);
      expect((await view(runId)).records).toMatchObject({ scanned: 15, matched: 15, errors: 0 });
      const [{ limited }] = await db.query(`SELECT count(*)::int AS limited FROM call_journal WHERE job_id = $1 AND outcome = 'rate_limited'`, [`sync-${runId}-0`]);
      expect(limited).toBeGreaterThan(0);
    });
  });

  describe('a daily quota of 400 citizens (spent sooner when earlier files used it today)', () => {
    withLimits({ PORTAL_DAILY_QUOTA: '400' });

    it('stops the run that meets it, with the reason on the run, and leaves no batch half done', async () => {
      const serviceCode = await syncTestService(app, 'QUOTA', ['idNumber', 'fullName', 'dateOfBirth']);
      await insertRecords(db, serviceCode, await citizenCopies(db, ALIVE_FULL_DATE, 600));
      const runId = await runOf(serviceCode);
      await expectEventually(async () => expect((await view(runId)).state).toBe('stopped'), 30_000, 200);
      const run = await view(runId);
      expect(run.stopReason).toMatch(/quota_exhausted/);
      const [{ results }] = await db.query(`SELECT count(*)::int AS results FROM portal_sync_results WHERE run_id = $1`, [runId]);
      const [{ done }] = await db.query(`SELECT coalesce(sum(scanned), 0)::int AS done FROM portal_sync_batches WHERE run_id = $1 AND done_at IS NOT NULL`, [runId]);
      expect(results).toBe(done);
      expect(run.records.scanned).toBe(done);
      expect(done).toBeLessThan(600);
    });
  });
});
