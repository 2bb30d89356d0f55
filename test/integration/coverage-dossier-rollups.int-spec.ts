import { randomUUID } from 'node:crypto';
import { beforeEach, describe, expect, it, jest } from '@jest/globals';
import { bucketIn } from '../../src/common/histogram.js';
import { DossierRollupRepository } from '../../src/coverage/dossier-rollup.repository.js';
import { DossierRollupService } from '../../src/coverage/dossier-rollup.service.js';
import { vietnamDayStart } from '../../src/coverage/rollup.repository.js';
import { DECISION_BUCKET_BOUNDS_S, DossierRepository } from '../../src/portal/dossier.repository.js';
import type { AppConfig } from '../../src/config/app-config.js';
import { pgPoolOf } from '../../src/database/database-bootstrap.js';
import { useTestApp } from '../utils/test-app.js';
import { randomOf } from '../utils/seeded-random.js';

const HOUR_MS = 3_600_000;
/** A Vietnamese day no other file files dossiers on. */
const DAY = '2021-05-19';
const DAY_START = vietnamDayStart(DAY);
const FILED_BY = 'dossier-rollups-spec';

interface Dossier {
  dossier_id: string;
  service_code: string;
  applicant_commune_code: string | null;
  status: 'received' | 'verifying' | 'verified' | 'needs_review' | 'rejected';
  filed_at: string;
  decided_at: string | null;
}

/** What coverage must say of one service's dossiers, computed from the rows in plain code. */
function oracle(dossiers: readonly Dossier[], serviceCode: string) {
  const mine = dossiers.filter((dossier) => dossier.service_code === serviceCode);
  const decided = mine.filter((dossier) => dossier.decided_at !== null);
  const seconds = decided.map((dossier) => (Date.parse(dossier.decided_at!) - Date.parse(dossier.filed_at)) / 1000);
  const buckets = new Array<number>(DECISION_BUCKET_BOUNDS_S.length + 1).fill(0);
  for (const value of seconds) buckets[bucketIn(DECISION_BUCKET_BOUNDS_S, value)] += 1;
  return {
    filed: mine.length,
    decidedAutomatically: mine.filter((dossier) => dossier.status === 'verified' || dossier.status === 'rejected').length,
    decided: decided.length,
    decisionBuckets: buckets,
    decisionMinSeconds: seconds.length ? Math.min(...seconds) : 0,
    decisionMaxSeconds: seconds.length ? Math.max(...seconds) : 0,
  };
}

/** What coverage must say per commune of the applicants. */
function areaOracle(dossiers: readonly Dossier[]) {
  const areas = new Map<string | null, { filed: number; decidedAutomatically: number; backlog: number }>();
  for (const dossier of dossiers) {
    const area = areas.get(dossier.applicant_commune_code) ?? { filed: 0, decidedAutomatically: 0, backlog: 0 };
    area.filed += 1;
    area.decidedAutomatically += dossier.status === 'verified' || dossier.status === 'rejected' ? 1 : 0;
    area.backlog += dossier.status === 'received' || dossier.status === 'verifying' ? 1 : 0;
    areas.set(dossier.applicant_commune_code, area);
  }
  return areas;
}

/**
 * The dossier rollups of coverage (issue 10): per hour of filing and service, refreshed by the coverage job; every
 * read equals the figures of the dossiers themselves, also for a dossier that changed or was filed into a rolled-up
 * hour after the last refresh, and a refresh rewrites exactly the hours whose dossiers changed.
 */
describe('coverage rollups of the portal dossiers', () => {
  const testApp = useTestApp({ seed: false });
  const rollups = () => testApp.app.get(DossierRollupService);
  let services: string[];
  const dossiers: Dossier[] = [];

  /** Dossiers as the portal wrote them, last changed when decided (or filed): long before the refreshes, unless `now`. */
  const insert = async (rows: Dossier[], changed: 'then' | 'now' = 'then') => {
    await testApp.db.query(
      `INSERT INTO portal_dossiers (dossier_id, service_code, filed_by, request_hash, applicant, applicant_commune_code, status, filed_at, decided_at, updated_at)
       SELECT dossier_id, service_code, $2, repeat('e', 64), '{}', applicant_commune_code, status, filed_at, decided_at, CASE WHEN $3 THEN now() ELSE coalesce(decided_at, filed_at) END
       FROM json_populate_recordset(NULL::portal_dossiers, $1::json)`,
      [JSON.stringify(rows), FILED_BY, changed === 'now'],
    );
    dossiers.push(...rows);
  };
  const generated = (random: ReturnType<typeof randomOf>, hours: number[]): Dossier => {
    const filed = DAY_START + random.pick(hours) * HOUR_MS + random.int(HOUR_MS);
    const status = random.pick(['received', 'verifying', 'verified', 'verified', 'rejected', 'needs_review'] as const);
    // Decisions from under a second to days later, on the buckets' bounds too.
    const wait = random.next() < 0.3 ? random.pick(DECISION_BUCKET_BOUNDS_S) * 1000 : Math.round(random.next() ** 3 * 400_000_000);
    const decided = status === 'received' || status === 'verifying' ? null : new Date(filed + wait).toISOString();
    return {
      dossier_id: randomUUID(),
      service_code: random.pick(services),
      applicant_commune_code: random.pick(['00004', '00006', '26734', null]),
      status,
      filed_at: new Date(filed).toISOString(),
      decided_at: decided,
    };
  };
  /** The figures the service reads for the day, keyed by service. */
  const read = async () => new Map((await rollups().figures(DAY_START, DAY_START + 24 * HOUR_MS)).map(({ bucket: _, ...row }) => [row.serviceCode, row]));
  const expectExact = async () => {
    // Per commune, over the day and over hours that cut it (read from the dossiers then).
    for (const [from, to] of [
      [DAY_START, DAY_START + 24 * HOUR_MS],
      [DAY_START + 2 * HOUR_MS, DAY_START + 30 * HOUR_MS],
    ]) {
      const areas = new Map((await rollups().areas(from, to)).map(({ communeCode, filed, decidedAutomatically, backlog }) => [communeCode, { filed, decidedAutomatically, backlog }]));
      const within = dossiers.filter((dossier) => Date.parse(dossier.filed_at) >= from && Date.parse(dossier.filed_at) < to);
      expect(areas).toEqual(areaOracle(within));
    }
    const figures = await read();
    for (const service of services) {
      const expected = oracle(dossiers, service);
      const got = figures.get(service);
      if (expected.filed === 0) expect(got).toBeUndefined();
      else expect({ ...got, serviceCode: undefined }).toEqual({ ...expected, serviceCode: undefined });
    }
  };
  /** The rollups of the day's hours as stored, against the oracle of each hour and service. */
  const expectRolledExact = async () => {
    const rows = (await testApp.db.query(
      `SELECT hour_start, service_code, filed, decided_automatically, decided, decision_buckets, decision_min_s, decision_max_s
       FROM coverage_dossier_hourly WHERE hour_start >= $1 AND hour_start < $2`,
      [new Date(DAY_START), new Date(DAY_START + 24 * HOUR_MS)],
    )) as { hour_start: Date; service_code: string; filed: number; decided_automatically: number; decided: number; decision_buckets: number[]; decision_min_s: number; decision_max_s: number }[];
    const stored = new Map(
      rows.map((row) => [
        `${row.hour_start.toISOString()}|${row.service_code}`,
        { filed: row.filed, decidedAutomatically: row.decided_automatically, decided: row.decided, decisionBuckets: row.decision_buckets, decisionMinSeconds: row.decision_min_s, decisionMaxSeconds: row.decision_max_s },
      ]),
    );
    const expected = new Map<string, ReturnType<typeof oracle>>();
    for (const dossier of dossiers) {
      const hour = Math.floor(Date.parse(dossier.filed_at) / HOUR_MS) * HOUR_MS;
      const key = `${new Date(hour).toISOString()}|${dossier.service_code}`;
      if (!expected.has(key)) expected.set(key, oracle(dossiers.filter((d) => Math.floor(Date.parse(d.filed_at) / HOUR_MS) * HOUR_MS === hour), dossier.service_code));
    }
    expect(stored).toEqual(expected);
  };
  /** Refreshes until every closed hour is rolled up (a refresh rolls up at most a week after the next dossier). */
  const refreshAll = async () => {
    const total = { newHours: 0, changedHours: 0 };
    for (let remaining = 1; remaining > 0; ) {
      const result = await rollups().refresh();
      total.newHours += result.newHours;
      total.changedHours += result.changedHours;
      remaining = result.remaining;
    }
    return total;
  };

  beforeEach(async () => {
    await testApp.db.query('DELETE FROM portal_dossiers WHERE filed_by = $1', [FILED_BY]);
    await testApp.db.query('DELETE FROM coverage_dossier_hourly');
    await testApp.db.query('DELETE FROM coverage_dossier_area_daily');
    await testApp.db.query('DELETE FROM coverage_dossier_state');
    dossiers.length = 0;
    const [{ codes }] = await testApp.db.query(`SELECT array_agg(code ORDER BY code) AS codes FROM public_services`);
    services = (codes as string[]).slice(0, 3);
  });
  testApp.beforeClose(async () => {
    await testApp.db.query('DELETE FROM portal_dossiers WHERE filed_by = $1', [FILED_BY]);
    await testApp.db.query('DELETE FROM coverage_dossier_hourly');
    await testApp.db.query('DELETE FROM coverage_dossier_area_daily');
    await testApp.db.query('DELETE FROM coverage_dossier_state');
  });

  it.each([1, 2])('reads the exact figures before, after and between refreshes, whatever changed since (seed %i)', async (seed) => {
    const random = randomOf(seed);
    await insert(Array.from({ length: 300 }, () => generated(random, [0, 1, 2, 5, 9, 17, 23])));
    // Never refreshed: every hour read from the dossiers.
    await expectExact();
    const first = await refreshAll();
    expect(first.newHours).toBeGreaterThan(24);
    await expectExact();
    // The rolled-up figures themselves are exact: hour by hour and service by service, as the dossiers say.
    await expectRolledExact();
    // After the refresh: a dossier decided, one flagged for review (the follower), one redriven, and one filed late
    // into a rolled-up hour. Each is read at once, before any refresh.
    const open = dossiers.find((dossier) => dossier.status === 'received')!;
    const verified = dossiers.find((dossier) => dossier.status === 'verified')!;
    const rejected = dossiers.find((dossier) => dossier.status === 'rejected')!;
    const decidedAt = new Date(Date.parse(open.filed_at) + 42_000).toISOString();
    await testApp.db.query(`UPDATE portal_dossiers SET status = 'verified', decided_at = $2, updated_at = now() WHERE dossier_id = $1`, [open.dossier_id, decidedAt]);
    Object.assign(open, { status: 'verified', decided_at: decidedAt });
    await testApp.db.query(`UPDATE portal_dossiers SET status = 'needs_review', updated_at = now() WHERE dossier_id = $1`, [verified.dossier_id]);
    verified.status = 'needs_review';
    await testApp.db.query(`UPDATE portal_dossiers SET status = 'received', decided_at = NULL, updated_at = now() WHERE dossier_id = $1`, [rejected.dossier_id]);
    Object.assign(rejected, { status: 'received', decided_at: null });
    await insert([generated(random, [12])], 'now');
    await expectExact();
    // A refresh rewrites exactly the hours that changed (these four dossiers', and those of any other file's dossiers
    // changed since in the shared database), after which the rollups alone are exact again.
    const before = (await testApp.app.get(DossierRollupRepository).state())!;
    const changedHours = async () =>
      ((await testApp.db.query(
        `SELECT count(DISTINCT date_trunc('hour', filed_at AT TIME ZONE 'UTC'))::int AS changed FROM portal_dossiers WHERE updated_at >= $1 AND filed_at < $2`,
        [new Date(before.changesSince), new Date(before.rolledUntil)],
      )) as { changed: number }[])[0].changed;
    // Counted before and after (a worker of this app may still be deciding another file's dossiers).
    const atLeast = await changedHours();
    const second = await rollups().refresh();
    const atMost = await changedHours();
    const ours = new Set([open, verified, rejected, dossiers.at(-1)!].map((dossier) => Math.floor(Date.parse(dossier.filed_at) / HOUR_MS)));
    expect(atLeast).toBeGreaterThanOrEqual(ours.size);
    expect(second.changedHours).toBeGreaterThanOrEqual(atLeast);
    expect(second.changedHours).toBeLessThanOrEqual(atMost);
    await expectRolledExact();
    await testApp.db.query(`UPDATE coverage_dossier_state SET changes_since = now() + interval '1 minute'`);
    await expectExact();
  });

  it('reads from the dossiers themselves only the hours not rolled up and those changed since', async () => {
    const random = randomOf(5);
    await insert(Array.from({ length: 100 }, () => generated(random, [1, 2, 3])));
    await refreshAll();
    const repository = testApp.app.get(DossierRepository);
    const read: { from: Date; to: Date }[][] = [];
    const original = repository.figuresByFilingHour.bind(repository);
    const spy = jest.spyOn(repository, 'figuresByFilingHour').mockImplementation(async (ranges) => {
      read.push([...ranges]);
      return original(ranges);
    });
    try {
      const { rolledUntil } = (await testApp.app.get(DossierRollupRepository).state())!;
      // A month ending now: read from the dossiers are the hours after the rolled-up ones, and the hours of dossiers
      // that other files changed within the grace (which the refresh cannot be sure it saw); never the rest.
      const end = Math.ceil(Date.now() / HOUR_MS) * HOUR_MS;
      await rollups().figures(Date.now() - 30 * 24 * HOUR_MS, Date.now());
      const [{ changed }] = await testApp.db.query(
        `SELECT count(DISTINCT date_trunc('hour', filed_at)) ::int AS changed FROM portal_dossiers
         WHERE updated_at >= (SELECT changes_since FROM coverage_dossier_state) AND filed_at >= $1 AND filed_at < $2`,
        [new Date(Math.floor((Date.now() - 30 * 24 * HOUR_MS) / HOUR_MS) * HOUR_MS), new Date(rolledUntil)],
      );
      expect(read.at(-1)!.at(-1)).toEqual({ from: new Date(rolledUntil), to: new Date(end) });
      expect(read.at(-1)!.reduce((hours, range) => hours + (range.to.getTime() - range.from.getTime()) / HOUR_MS, 0)).toBeLessThanOrEqual(changed + (end - rolledUntil) / HOUR_MS);
      // One dossier of hour 2 changes: that hour is read from the dossiers, and only it.
      await testApp.db.query(`UPDATE portal_dossiers SET status = 'needs_review', decided_at = filed_at + interval '1 hour', updated_at = now() WHERE dossier_id = $1`, [dossiers[0].dossier_id]);
      Object.assign(dossiers[0], { status: 'needs_review', decided_at: new Date(Date.parse(dossiers[0].filed_at) + HOUR_MS).toISOString() });
      await expectExact();
      const hour = Math.floor(Date.parse(dossiers[0].filed_at) / HOUR_MS) * HOUR_MS;
      expect(read.at(-1)).toEqual([{ from: new Date(hour), to: new Date(hour + HOUR_MS) }]);
    } finally {
      spy.mockRestore();
    }
  });

  it('sees a change whose transaction began before the grace and committed after a refresh', async () => {
    // A grace of one second (the app's is at least 90): the transaction below is open for longer than that.
    const quick = new DossierRollupService(testApp.app.get(DossierRollupRepository), testApp.app.get(DossierRepository), {
      coverage: { rollupGraceMs: 1_000 },
    } as AppConfig);
    await insert(Array.from({ length: 30 }, () => generated(randomOf(8), [6])));
    for (let remaining = 1; remaining > 0; ) remaining = (await quick.refresh()).remaining;
    const target = dossiers[0];
    const client = await pgPoolOf(testApp.db).connect();
    let committed = false;
    try {
      // A write that waits (a lock, a stalled client): its updated_at is its transaction's start.
      await client.query('BEGIN');
      await client.query(`UPDATE portal_dossiers SET status = 'verified', decided_at = filed_at + interval '5 seconds', updated_at = now() WHERE dossier_id = $1`, [target.dossier_id]);
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      await quick.refresh();
      await client.query('COMMIT');
      committed = true;
    } finally {
      if (!committed) await client.query('ROLLBACK');
      client.release();
    }
    Object.assign(target, { status: 'verified', decided_at: new Date(Date.parse(target.filed_at) + 5_000).toISOString() });
    await expectExact();
    for (let remaining = 1; remaining > 0; ) remaining = (await quick.refresh()).remaining;
    await expectRolledExact();
  });

  it('writes nothing when another refresh moved the rollups first', async () => {
    await insert(Array.from({ length: 20 }, () => generated(randomOf(3), [4])));
    // Three at once: whatever their order, no hour is written twice, and the figures are exact.
    const results = await Promise.all([rollups().refresh(), rollups().refresh(), rollups().refresh()]);
    const firstHour = Math.floor(Math.min(...dossiers.map((dossier) => Date.parse(dossier.filed_at))) / HOUR_MS) * HOUR_MS;
    const until = Math.max(...results.map((result) => Date.parse(result.rolledUntil)));
    expect(results.reduce((sum, result) => sum + result.newHours, 0)).toBe((until - firstHour) / HOUR_MS);
    await expectExact();
    // A replace from a state another refresh has moved since is refused, and leaves the rollups as they are.
    const repository = testApp.app.get(DossierRollupRepository);
    const stale = (await repository.state())!;
    await insert([generated(randomOf(4), [4])], 'now');
    for (let remaining = 1; remaining > 0; ) remaining = (await rollups().refresh()).remaining;
    const hour = { from: DAY_START + 4 * HOUR_MS, to: DAY_START + 5 * HOUR_MS };
    expect(await repository.replace([hour], [], { days: [DAY], rows: [] }, stale, { rolledUntil: stale.rolledUntil, changesSince: stale.changesSince })).toBe(false);
    await expectRolledExact();
    await expectExact();
  });
});
