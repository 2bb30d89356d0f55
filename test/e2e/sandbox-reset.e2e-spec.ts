import { describe, expect, it } from '@jest/globals';
import { getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import { QueueName } from '../../src/queue/queue-names.js';
import type { Redis } from 'ioredis';
import { REDIS } from '../../src/queue/redis.module.js';
import { RegistryRepository } from '../../src/registry/registry.repository.js';
import { DataSource } from 'typeorm';
import { PERSONAS } from '../../src/sandbox/population/personas.js';
import { persona } from '../factories/registry.factory.js';
import { expectEventually, api, useTestApp } from '../utils/test-app.js';

const RESET = { seed: 'e2e-reset', citizens: 500, referenceDate: '2026-11-28' } as const;

/** POST /sandbox/reset: a queued rebuild of the dataset, followed through its job, deterministic end to end. */
describe('POST /sandbox/reset', () => {
  // Later files expect the shared test dataset, whatever this file left behind.
  const testApp = useTestApp({ reseedAfter: true });

  const http = () => api(testApp.app);

  /** Queues a reset and waits until its job has completed; returns the finished job. */
  async function resetAndWait(body: Record<string, unknown>) {
    const queued = await http().post('/sandbox/reset').send(body).expect(202);
    expect(queued.body).toMatchObject({ jobId: expect.any(String), statusUrl: `/sandbox/jobs/${queued.body.jobId}` });
    let job: Record<string, any> = {};
    await expectEventually(async () => {
      job = (await http().get(queued.body.statusUrl).expect(200)).body;
      expect(job.state).not.toBe('failed');
      expect(job.state).toBe('completed');
    }, 30_000, 100);
    return job;
  }

  it("pauses the portal's verification queue while the dataset is replaced, and moves the dataset epoch on", async () => {
    const queue = testApp.app.get<Queue>(getQueueToken(QueueName.Verification));
    const epoch = await testApp.app.get(RegistryRepository).datasetEpoch();
    const seen = new Set<boolean>();
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        seen.add(await queue.isPaused());
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    })();
    await resetAndWait({ ...RESET, citizens: 3_000 });
    watching = false;
    await watcher;
    expect(seen.has(true)).toBe(true);
    expect(await queue.isPaused()).toBe(false);
    expect(await testApp.app.get(RegistryRepository).datasetEpoch()).toBeGreaterThan(epoch);

    // A queue an operator paused stays paused.
    await queue.pause();
    await resetAndWait(RESET);
    expect(await queue.isPaused()).toBe(true);
    await queue.resume();

    // A queue a reset paused before its worker died (its marker left behind) is resumed by the reset run again.
    const redis = testApp.app.get<Redis>(REDIS);
    await redis.set(`${process.env.QUEUE_PREFIX}:sandbox:reset-paused-verification`, 'a-killed-reset');
    await queue.pause();
    await resetAndWait(RESET);
    expect(await queue.isPaused()).toBe(false);
    expect(await redis.get(`${process.env.QUEUE_PREFIX}:sandbox:reset-paused-verification`)).toBeNull();
  });

  it('rebuilds the dataset through a job whose status URL reports completion', async () => {
    const before = await http().get('/registry/v1/changes?since=0&limit=1000').expect(200);
    const cursorBeforeReset: string = before.body.nextCursor;
    const job = await resetAndWait(RESET);
    expect(job).toMatchObject({
      name: expect.any(String),
      state: 'completed',
      progress: 100,
      failedReason: null,
      result: expect.objectContaining({ seed: RESET.seed, referenceDate: RESET.referenceDate, generatedCitizens: RESET.citizens }),
    });
    expect(Date.parse(job.finishedAt)).toBeGreaterThanOrEqual(Date.parse(job.queuedAt));

    const [{ citizens }] = await testApp.app.get(DataSource).query(`SELECT count(*)::int AS citizens FROM citizens`);
    expect(citizens).toBe(RESET.citizens + job.result.personas);
    const [dataset] = await testApp.app.get(DataSource).query(`SELECT seed, citizens FROM registry_dataset`);
    expect(dataset).toEqual({ seed: RESET.seed, citizens: RESET.citizens });

    const married = persona('married-husband');
    const lookup = await http().get(`/registry/v1/citizens/${married.idNumber}?fields=fullName`).expect(200);
    expect(lookup.body).toEqual({ fullName: married.fullName });

    // The feed holds the personas' history only, with cursors beyond every cursor handed out before the reset,
    // so a reader resuming from an old cursor sees the new dataset's events instead of a gap.
    const feed = await http().get('/registry/v1/changes?since=0&limit=1000').expect(200);
    expect(feed.body.events).toHaveLength(PERSONAS.flatMap((p) => p.events).length);
    expect(BigInt(feed.body.events[0].cursor)).toBeGreaterThan(BigInt(cursorBeforeReset));
  });

  it('rebuilds the same rows from the same seed, and other rows from another seed', async () => {
    const firstHousehold = async () => (await http().get('/registry/v1/households/HH0000000001').expect(200)).body;
    await resetAndWait(RESET);
    const first = await firstHousehold();
    await resetAndWait({ ...RESET, seed: 'e2e-reset-other' });
    const other = await firstHousehold();
    await resetAndWait(RESET);
    const again = await firstHousehold();
    expect(first.members.length).toBeGreaterThan(0);
    expect(again).toEqual(first);
    expect(other).not.toEqual(first);
  });

  it.each([
    ['citizens -1', { ...RESET, citizens: -1 }, 'citizens', 'min'],
    ['citizens 10,000,001', { ...RESET, citizens: 10_000_001 }, 'citizens', 'max'],
    ['citizens 1.5', { ...RESET, citizens: 1.5 }, 'citizens', undefined],
    ['referenceDate 2020-01-01', { ...RESET, referenceDate: '2020-01-01' }, 'referenceDate', 'min_date'],
    ['referenceDate 2026-02-30', { ...RESET, referenceDate: '2026-02-30' }, 'referenceDate', undefined],
    ['a seed with spaces', { ...RESET, seed: 'two words' }, 'seed', undefined],
    ['no seed', { citizens: 10 }, 'seed', 'required'],
    ['an unknown property', { ...RESET, households: 3 }, 'households', 'unknown_property'],
  ])('refuses %s with 400 naming the field', async (_label, body, field, rule) => {
    const response = await http().post('/sandbox/reset').send(body);
    expect(response.status).toBe(400);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.body.code).toBe('validation_failed');
    const errors = response.body.errors as { field: string; rule: string }[];
    expect([...new Set(errors.map((e) => e.field))]).toEqual([field]);
    if (rule) expect(errors.map((e) => e.rule)).toContain(rule);
  });

  it('answers 404 job_not_found for an unknown job', async () => {
    const response = await http().get('/sandbox/jobs/nope');
    expect(response.status).toBe(404);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.body.code).toBe('job_not_found');
  });
});
