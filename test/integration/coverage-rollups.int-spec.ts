import { randomUUID } from 'node:crypto';
import { beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { v7 as uuidv7 } from 'uuid';
import { bucketOf, emptyHistogram, LATENCY_BUCKET_BOUNDS_MS } from '../../src/coverage/latency-buckets.js';
import { RollupRepository, sourcesOf, vietnamDayStart } from '../../src/coverage/rollup.repository.js';
import { RollupService } from '../../src/coverage/rollup.service.js';
import { JOURNAL_OUTCOMES } from '../../src/journal/call-outcome.js';
import { JournalPartitions } from '../../src/journal/journal-partitions.service.js';
import { partitionName, vietnamDay } from '../../src/journal/vietnam-day.js';
import { getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import { CoverageJobsProducer } from '../../src/coverage/coverage-jobs.producer.js';
import { JobName, QueueName } from '../../src/queue/queue-names.js';
import { insertJournalRows } from '../factories/journal.factory.js';
import { expectEventually } from '../utils/expect-eventually.js';
import { ADMIN_AUTH, useTestApp } from '../utils/test-app.js';
import { randomOf } from '../utils/seeded-random.js';

const HOUR_MS = 3_600_000;
/** A Vietnamese day far from today, so the rows of the other files' calls never mix with these. */
const DAY = '2022-07-14';
const DAY_START = vietnamDayStart(DAY);

const SERVICES = ['SVC-A', 'SVC-B', 'SVC-C', null] as const;
const OPERATIONS = ['lookup', 'verify', 'verify_batch', 'household'] as const;
const CONSUMERS = [randomUUID(), randomUUID(), null] as const;
const FIELDS = ['fullName', 'dateOfBirth', 'sex', 'permanentAddress', 'ethnicity', 'religion'] as const;

/** A journal row of many shapes: edges of the hour, bounds of the buckets, null service and consumer, refused fields. */
function generatedRow(random: ReturnType<typeof randomOf>, hourStart: number) {
  const edge = random.int(10);
  const offset = edge === 0 ? 0 : edge === 1 ? HOUR_MS - 1 : random.int(HOUR_MS);
  const latencyShape = random.int(4);
  const latency =
    latencyShape === 0 ? random.pick(LATENCY_BUCKET_BOUNDS_MS) : latencyShape === 1 ? 60_000 + random.int(30_000) : Math.round(random.next() * 3_000 * 1000) / 1000;
  const outcome = random.pick(JOURNAL_OUTCOMES);
  const requested = FIELDS.filter(() => random.next() < 0.4);
  const refusedForFields = outcome === 'refused' && random.next() < 0.5;
  return {
    call_id: uuidv7(),
    received_at: new Date(hourStart + offset).toISOString(),
    request_id: `rollup-${randomUUID()}`,
    transport: random.pick(['http', 'in_process']),
    consumer_id: random.pick(CONSUMERS),
    service_code: random.pick(SERVICES),
    operation: random.pick(OPERATIONS),
    outcome,
    http_status: outcome === 'ok' ? 200 : 400,
    problem_code: refusedForFields ? 'fields_not_allowed' : null,
    latency_ms: latency,
    fields_requested: requested,
    fields_returned: outcome === 'ok' ? requested.filter(() => random.next() < 0.8) : [],
    fingerprint: 'a'.repeat(64),
    // A fifth of the calls met a fault profile: a failure before the registry, or a delay or spoiled body after it.
    fault_kind: random.next() < 0.2 ? random.pick(['unavailable', 'timeout', 'latency', 'slow_body']) : null,
  };
}

type Group = { calls: number; latency_sum_ms: number; latency_max_ms: number; latency_buckets: number[] };
const keyOf = (row: { service_code: string | null; operation?: string; consumer_id?: string | null; outcome: string }) =>
  JSON.stringify([row.service_code, row.operation ?? null, row.consumer_id ?? null, row.outcome]);

/** The key of the per-service rollups: service, outcome, and whether a simulated fault was met. */
const serviceKeyOf = (row: { service_code: string | null; outcome: string; simulated?: boolean; fault_kind?: string | null }) =>
  JSON.stringify([row.service_code, row.outcome, row.simulated ?? (row.fault_kind ?? null) !== null]);

/** The key of the totals: outcome, and whether a simulated fault was met. */
const totalKeyOf = (row: { outcome: string; simulated?: boolean; fault_kind?: string | null }) => JSON.stringify([row.outcome, row.simulated ?? (row.fault_kind ?? null) !== null]);

/** The rollup computed from the raw journal rows in plain code: the oracle the SQL rollups must equal. */
function aggregate(
  rows: { service_code: string | null; operation: string; consumer_id: string | null; outcome: string; latency_ms: number; fault_kind?: string | null }[],
  keep: (row: { service_code: string | null; operation: string; consumer_id: string | null; outcome: string; fault_kind?: string | null }) => string = keyOf,
) {
  const groups = new Map<string, Group>();
  for (const row of rows) {
    const key = keep(row);
    const group = groups.get(key) ?? { calls: 0, latency_sum_ms: 0, latency_max_ms: 0, latency_buckets: emptyHistogram() };
    group.calls += 1;
    group.latency_sum_ms += row.latency_ms;
    group.latency_max_ms = Math.max(group.latency_max_ms, row.latency_ms);
    group.latency_buckets[bucketOf(row.latency_ms)] += 1;
    groups.set(key, group);
  }
  return groups;
}

function expectSameGroups(actual: Map<string, Group>, expected: Map<string, Group>) {
  expect([...actual.keys()].sort()).toEqual([...expected.keys()].sort());
  for (const [key, group] of expected) {
    const got = actual.get(key)!;
    expect({ key, calls: got.calls, buckets: got.latency_buckets, max: got.latency_max_ms }).toEqual({
      key,
      calls: group.calls,
      buckets: group.latency_buckets,
      max: group.latency_max_ms,
    });
    // Latencies are `real` (float4) in the journal: sums agree to float4 precision.
    expect(Math.abs(got.latency_sum_ms - group.latency_sum_ms)).toBeLessThan(Math.max(1e-3, group.latency_sum_ms * 1e-5));
  }
}

/**
 * The call journal's rollups (issue 10): for closed hours of generated journal rows, every hourly and daily rollup
 * equals the aggregate computed from the raw journal, also after a replay of the window; the job catches up on every
 * closed hour in order; the coverage queries read only the rollups and the open hours of the journal.
 */
describe('coverage rollups of the call journal', () => {
  const testApp = useTestApp({ seed: false });
  const rollups = () => testApp.app.get(RollupRepository);
  const service = () => testApp.app.get(RollupService);

  const clear = async () => {
    await testApp.db.query(`DROP TABLE IF EXISTS ${partitionName(DAY)}`);
    await testApp.db.query('DELETE FROM coverage_rollup_hourly');
    await testApp.db.query('DELETE FROM coverage_rollup_daily');
    await testApp.db.query('DELETE FROM coverage_service_hourly');
    await testApp.db.query('DELETE FROM coverage_total_hourly');
    await testApp.db.query('DELETE FROM coverage_service_daily');
    await testApp.db.query('DELETE FROM coverage_field_hourly');
    await testApp.db.query('DELETE FROM coverage_rolled_hours');
  };
  const insertRows = async (rows: ReturnType<typeof generatedRow>[]) => {
    await insertJournalRows(testApp.db, rows);
  };
  const journalOf = async (from: number, to: number) =>
    (await testApp.db.query(
      `SELECT service_code, operation, consumer_id, outcome, latency_ms, fields_requested, fields_returned, problem_code, fault_kind
       FROM call_journal WHERE received_at >= $1 AND received_at < $2`,
      [new Date(from), new Date(to)],
    )) as {
      service_code: string | null;
      operation: string;
      consumer_id: string | null;
      outcome: string;
      latency_ms: number;
      fields_requested: string[];
      fields_returned: string[];
      problem_code: string | null;
      fault_kind: string | null;
    }[];
  /** The totals of an hour over every service (`coverage_total_hourly`). */
  const totalsOf = async (hourStart: number) =>
    new Map(
      ((await testApp.db.query('SELECT * FROM coverage_total_hourly WHERE hour_start = $1', [new Date(hourStart)])) as (Group & { outcome: string; simulated: boolean })[]).map((row) => [
        totalKeyOf(row),
        row,
      ]),
    );
  /** The per-service rollups of an hour (`coverage_service_hourly`) or of a Vietnamese day (`coverage_service_daily`). */
  const perServiceOf = async (table: 'coverage_service_hourly' | 'coverage_service_daily', at: number | string) =>
    new Map(
      ((await testApp.db.query(`SELECT * FROM ${table} WHERE ${table === 'coverage_service_daily' ? 'day = $1::date' : 'hour_start = $1'}`, [
        typeof at === 'number' ? new Date(at) : at,
      ])) as (Group & { service_code: string | null; outcome: string; simulated: boolean })[]).map((row) => [serviceKeyOf(row), row]),
    );
  const hourlyOf = async (hourStart: number) =>
    new Map(
      ((await testApp.db.query('SELECT * FROM coverage_rollup_hourly WHERE hour_start = $1', [new Date(hourStart)])) as (Group & { service_code: string | null; operation: string; consumer_id: string | null; outcome: string })[]).map(
        (row) => [keyOf(row), row],
      ),
    );
  const fieldsOf = async (hourStart: number) =>
    new Map(
      ((await testApp.db.query('SELECT service_code, field, requested, returned, refused_requests FROM coverage_field_hourly WHERE hour_start = $1', [new Date(hourStart)])) as {
        service_code: string | null;
        field: string;
        requested: number;
        returned: number;
        refused_requests: number;
      }[]).map((row) => [JSON.stringify([row.service_code, row.field]), { requested: row.requested, returned: row.returned, refused: row.refused_requests }]),
    );
  const expectedFields = (rows: Awaited<ReturnType<typeof journalOf>>) => {
    const fields = new Map<string, { requested: number; returned: number; refused: number }>();
    for (const row of rows) {
      for (const field of new Set([...row.fields_requested, ...row.fields_returned])) {
        const key = JSON.stringify([row.service_code, field]);
        const counts = fields.get(key) ?? { requested: 0, returned: 0, refused: 0 };
        const asked = row.fields_requested.includes(field);
        counts.requested += asked ? 1 : 0;
        counts.returned += row.fields_returned.includes(field) ? 1 : 0;
        counts.refused += asked && row.problem_code === 'fields_not_allowed' ? 1 : 0;
        fields.set(key, counts);
      }
    }
    return fields;
  };

  beforeAll(clear);
  beforeEach(async () => {
    await clear();
    await testApp.app.get(JournalPartitions).ensureAhead(DAY, 0);
  });
  testApp.beforeClose(clear);

  it.each([1, 2, 3])('rolls up random closed hours to the aggregate of the raw journal, and a replay changes nothing (seed %i)', async (seed) => {
    const random = randomOf(seed);
    const hours = [random.int(24), random.int(24), random.int(24)].map((h) => DAY_START + h * HOUR_MS);
    const rows = hours.flatMap((hour) => Array.from({ length: 150 + random.int(150) }, () => generatedRow(random, hour)));
    // Neighbours on either side of each hour: they must stay out of it.
    rows.push(...hours.flatMap((hour) => [generatedRow(randomOf(seed + 100), hour + HOUR_MS), { ...generatedRow(random, hour), received_at: new Date(hour + HOUR_MS).toISOString() }]));
    await insertRows(rows);
    for (const hour of new Set(hours)) {
      await rollups().rollUpHour(hour);
      const journal = await journalOf(hour, hour + HOUR_MS);
      expect(journal.length).toBeGreaterThan(100);
      expectSameGroups(await hourlyOf(hour), aggregate(journal));
      expectSameGroups(await perServiceOf('coverage_service_hourly', hour), aggregate(journal, serviceKeyOf));
      expectSameGroups(await totalsOf(hour), aggregate(journal, totalKeyOf));
      expect(await fieldsOf(hour)).toEqual(expectedFields(journal));
      await rollups().rollUpHour(hour);
      expectSameGroups(await totalsOf(hour), aggregate(journal, totalKeyOf));
      expectSameGroups(await hourlyOf(hour), aggregate(journal));
      expectSameGroups(await perServiceOf('coverage_service_hourly', hour), aggregate(journal, serviceKeyOf));
      expect(await fieldsOf(hour)).toEqual(expectedFields(journal));
    }
  });

  it('recomputes a replayed hour that gained rows, and keeps the daily rollup the sum of the day\'s journal', async () => {
    const random = randomOf(7);
    const rows = Array.from({ length: 24 }, (_, h) => Array.from({ length: 20 + random.int(40) }, () => generatedRow(random, DAY_START + h * HOUR_MS))).flat();
    await insertRows(rows);
    const replayed = await service().replay(DAY_START, DAY_START + 24 * HOUR_MS);
    expect(replayed).toHaveLength(24);
    const daily = async () =>
      new Map(((await testApp.db.query('SELECT * FROM coverage_rollup_daily WHERE day = $1::date', [DAY])) as (Group & { service_code: string | null; operation: string; consumer_id: string | null; outcome: string })[]).map((row) => [keyOf(row), row]));
    expectSameGroups(await daily(), aggregate(await journalOf(DAY_START, DAY_START + 24 * HOUR_MS)));
    // Read once before: the rolled-up part of the period is kept (RolledUpCache) until one of its hours is rolled up again.
    const before = await rollups().callsOfPeriod(DAY_START - 3 * HOUR_MS, DAY_START + 24 * HOUR_MS);
    expectSameGroups(
      new Map(before.map((row) => [serviceKeyOf(row), { ...row, latency_buckets: row.latency_buckets! }])),
      aggregate(await journalOf(DAY_START - 3 * HOUR_MS, DAY_START + 24 * HOUR_MS), serviceKeyOf),
    );
    // A late row in hour 5, then the window replayed: the hour and its day count it once.
    const hour5 = DAY_START + 5 * HOUR_MS;
    await insertRows([generatedRow(random, hour5)]);
    await service().replay(hour5, hour5 + HOUR_MS);
    await service().replay(hour5, hour5 + HOUR_MS);
    expectSameGroups(await hourlyOf(hour5), aggregate(await journalOf(hour5, hour5 + HOUR_MS)));
    expectSameGroups(await daily(), aggregate(await journalOf(DAY_START, DAY_START + 24 * HOUR_MS)));
    expectSameGroups(await perServiceOf('coverage_service_daily', DAY), aggregate(await journalOf(DAY_START, DAY_START + 24 * HOUR_MS), serviceKeyOf));
    // Read for a period, the rollups give the journal's figures per service, outcome and simulated.
    const period = await rollups().callsOfPeriod(DAY_START - 3 * HOUR_MS, DAY_START + 24 * HOUR_MS);
    const expected = aggregate(await journalOf(DAY_START - 3 * HOUR_MS, DAY_START + 24 * HOUR_MS), serviceKeyOf);
    expectSameGroups(new Map(period.map((row) => [serviceKeyOf(row), { ...row, latency_buckets: row.latency_buckets! }])), expected);
  });

  it('catches up on every closed hour in order, bounded per run, and leaves the hours within the grace period', async () => {
    const random = randomOf(11);
    await insertRows(Array.from({ length: 50 }, () => generatedRow(random, DAY_START + random.int(24) * HOUR_MS)));
    const [{ first }] = await testApp.db.query(`SELECT date_trunc('hour', min(received_at)) AS first FROM call_journal`);
    const firstHour = (first as Date).getTime();
    expect(firstHour).toBeLessThan(DAY_START + 24 * HOUR_MS);
    // "now" is 30 s into the grace period after 10:00 of the day: 09:00-10:00 is not closed yet.
    const now = DAY_START + 10 * HOUR_MS + 30_000;
    const closedHours = (DAY_START + 9 * HOUR_MS - firstHour) / HOUR_MS;
    const firstRun = await service().catchUp(now, 4);
    expect(firstRun.hours).toEqual([0, 1, 2, 3].map((i) => new Date(firstHour + i * HOUR_MS).toISOString()));
    expect(firstRun.remaining).toBe(closedHours - 4);
    // A replay of a closed hour ahead of the job does not make it skip the hours in between.
    await service().replay(firstHour + 6 * HOUR_MS, firstHour + 7 * HOUR_MS);
    expect(await rollups().rolledUntil()).toBe(firstHour + 4 * HOUR_MS);
    const secondRun = await service().catchUp(now, 1_000);
    expect(secondRun.hours[0]).toBe(new Date(firstHour + 4 * HOUR_MS).toISOString());
    expect(secondRun.hours.at(-1)).toBe(new Date(DAY_START + 8 * HOUR_MS).toISOString());
    expect(secondRun.remaining).toBe(0);
    expect(await rollups().rolledUntil()).toBe(DAY_START + 9 * HOUR_MS);
    expect((await service().catchUp(now, 1_000)).hours).toEqual([]);
    const later = await service().catchUp(now + 5 * 60_000, 1_000);
    expect(later.hours).toEqual([new Date(DAY_START + 9 * HOUR_MS).toISOString()]);
  });

  it('reads the rollups and only the open hours of the journal (EXPLAIN), never its closed days', async () => {
    const now = Date.now();
    const openHour = Math.floor(now / HOUR_MS) * HOUR_MS;
    const made = await testApp.app.get(JournalPartitions).ensureAhead(vietnamDay(now - 30 * 24 * HOUR_MS), 31);
    testApp.beforeClose(async () => {
      for (const name of made) await testApp.db.query(`DROP TABLE IF EXISTS ${name}`);
    });
    // Every hour of the month rolled up but the open one, as the job leaves it.
    const everyHourBut = (open: number) => new Set(Array.from({ length: 31 * 24 }, (_, i) => openHour - (i + 1) * HOUR_MS).filter((hour) => hour < open));
    const relationsOf = async (statement: { text: string; values: unknown[] }) => {
      const [{ 'QUERY PLAN': plan }] = await testApp.db.query(`EXPLAIN (FORMAT JSON) ${statement.text}`, statement.values);
      const names = new Set<string>();
      const walk = (node: Record<string, unknown>) => {
        if (typeof node['Relation Name'] === 'string') names.add(node['Relation Name']);
        for (const child of (node.Plans as Record<string, unknown>[] | undefined) ?? []) walk(child);
      };
      walk(plan[0].Plan);
      return names;
    };
    const relationsRead = (rolled: Set<number>) => relationsOf(rollups().callsOfPeriodStatement(sourcesOf(now - 30 * 24 * HOUR_MS, now, rolled)));
    const read = await relationsRead(everyHourBut(openHour));
    expect([...read].filter((name) => name.startsWith('call_journal')).sort()).toEqual([partitionName(vietnamDay(openHour))]);
    // The per-service rollups, never the per-consumer ones (a hundred times larger).
    expect(read.has('coverage_service_daily')).toBe(true);
    expect(read.has('coverage_service_hourly')).toBe(true);
    expect(read.has('coverage_rollup_daily') || read.has('coverage_rollup_hourly')).toBe(false);
    // An hourly series of every service reads the totals, and neither per-service nor per-consumer rollups.
    const seriesRead = await relationsOf(
      rollups().callsOfPeriodStatement(sourcesOf(now - 30 * 24 * HOUR_MS, now, everyHourBut(openHour), { daily: false }), { bucket: 'hour', perService: false }),
    );
    expect([...seriesRead].filter((name) => !name.startsWith('call_journal')).sort()).toEqual(['coverage_total_hourly']);
    // The control: with nothing rolled up, the same period reads a month of partitions.
    const unrolled = await relationsRead(new Set());
    expect([...unrolled].filter((name) => name.startsWith('call_journal')).length).toBeGreaterThan(28);
  });

  it('is scheduled every five minutes on the coverage queue, whose worker catches up on the closed hours', async () => {
    const queue = testApp.app.get<Queue>(getQueueToken(QueueName.Coverage));
    const scheduler = await queue.getJobScheduler(CoverageJobsProducer.SCHEDULER_ID);
    expect(scheduler).toMatchObject({ name: JobName.CoverageRollups, pattern: '*/5 * * * *' });
    const random = randomOf(5);
    await insertRows(Array.from({ length: 30 }, () => generatedRow(random, DAY_START + random.int(3) * HOUR_MS)));
    // The job the scheduler would add, added now: the app's worker runs it.
    await queue.add(JobName.CoverageRollups, {});
    await expectEventually(async () => {
      const [{ n }] = await testApp.db.query('SELECT count(*)::int AS n FROM coverage_rolled_hours WHERE hour_start >= $1 AND hour_start < $2', [new Date(DAY_START), new Date(DAY_START + 3 * HOUR_MS)]);
      expect(n).toBe(3);
    }, 20_000);
    expectSameGroups(await hourlyOf(DAY_START), aggregate(await journalOf(DAY_START, DAY_START + HOUR_MS)));
  });

  it('replays a window through the coverage queue, and leaves the hours of a day the journal dropped as they are', async () => {
    const random = randomOf(9);
    const hour = DAY_START + 2 * HOUR_MS;
    await insertRows(Array.from({ length: 40 }, () => generatedRow(random, hour)));
    await service().replay(hour, hour + HOUR_MS);
    await insertRows(Array.from({ length: 5 }, () => generatedRow(random, hour)));
    const queued = await testApp.http.post('/coverage/v1/rollups/replay').set(ADMIN_AUTH).send({ from: new Date(hour + 60_000).toISOString(), to: new Date(hour + HOUR_MS).toISOString() }).expect(202);
    expect(queued.body).toMatchObject({ from: new Date(hour).toISOString(), to: new Date(hour + HOUR_MS).toISOString(), hours: 1 });
    const journal = await journalOf(hour, hour + HOUR_MS);
    await expectEventually(async () => expectSameGroups(await hourlyOf(hour), aggregate(journal)), 20_000);
    const bad = await testApp.http.post('/coverage/v1/rollups/replay').set(ADMIN_AUTH).send({ from: '2026-12-02T00:00:00Z', to: '2026-12-01T00:00:00Z' }).expect(400);
    expect(bad.body.errors).toEqual([expect.objectContaining({ field: 'from', rule: 'before_to' })]);
    // The open hour (and any later one) is never rolled up by a replay: coverage reads it from the journal.
    const open = await testApp.http.post('/coverage/v1/rollups/replay').set(ADMIN_AUTH).send({ from: new Date(Date.now() - 3 * HOUR_MS).toISOString(), to: new Date(Date.now() + HOUR_MS).toISOString() }).expect(400);
    expect(open.body.errors).toEqual([expect.objectContaining({ field: 'to', rule: 'closed_hours_only' })]);
    // Retention dropped the day: a replay keeps its rollups rather than recompute them from nothing.
    await testApp.db.query(`DROP TABLE ${partitionName(DAY)}`);
    expect(await service().replay(hour, hour + HOUR_MS)).toEqual([]);
    expectSameGroups(await hourlyOf(hour), aggregate(journal));
  });

  it('writes the daily rollups of a day once its 24 hours are rolled up, not at each hour', async () => {
    const random = randomOf(17);
    await insertRows(Array.from({ length: 24 }, (_, h) => Array.from({ length: 5 + random.int(10) }, () => generatedRow(random, DAY_START + h * HOUR_MS))).flat());
    const dailyRows = async () =>
      ((await testApp.db.query(
        `SELECT (SELECT count(*)::int FROM coverage_rollup_daily WHERE day = $1::date) AS per_consumer, (SELECT count(*)::int FROM coverage_service_daily WHERE day = $1::date) AS per_service`,
        [DAY],
      )) as { per_consumer: number; per_service: number }[])[0];
    for (let h = 0; h < 23; h += 1) await rollups().rollUpHour(DAY_START + h * HOUR_MS);
    expect(await dailyRows()).toEqual({ per_consumer: 0, per_service: 0 });
    // Read meanwhile, the day comes from its hourly rollups.
    expect(sourcesOf(DAY_START, DAY_START + 24 * HOUR_MS, await rollups().rolledHours(DAY_START, DAY_START + 24 * HOUR_MS)).daily).toEqual([]);
    await rollups().rollUpHour(DAY_START + 23 * HOUR_MS);
    const journal = await journalOf(DAY_START, DAY_START + 24 * HOUR_MS);
    expectSameGroups(await perServiceOf('coverage_service_daily', DAY), aggregate(journal, serviceKeyOf));
    expect((await dailyRows()).per_consumer).toBe(aggregate(journal).size);
  });

  it('keeps the daily rollup the sum of its hours when the hours of one day are rolled up at once', async () => {
    const random = randomOf(13);
    await insertRows(Array.from({ length: 24 }, (_, h) => Array.from({ length: 10 + random.int(20) }, () => generatedRow(random, DAY_START + h * HOUR_MS))).flat());
    await Promise.all(Array.from({ length: 24 }, (_, h) => rollups().rollUpHour(DAY_START + h * HOUR_MS)));
    const daily = new Map(
      ((await testApp.db.query('SELECT * FROM coverage_rollup_daily WHERE day = $1::date', [DAY])) as (Group & { service_code: string | null; operation: string; consumer_id: string | null; outcome: string })[]).map((row) => [keyOf(row), row]),
    );
    expectSameGroups(daily, aggregate(await journalOf(DAY_START, DAY_START + 24 * HOUR_MS)));
    expectSameGroups(await perServiceOf('coverage_service_daily', DAY), aggregate(await journalOf(DAY_START, DAY_START + 24 * HOUR_MS), serviceKeyOf));
  });
});
