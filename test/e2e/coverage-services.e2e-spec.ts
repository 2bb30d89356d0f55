import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { insertJournalRows, journalRow } from '../factories/journal.factory.js';

// Set before the app starts (the config is read then): the managers' read-only key, and thresholds of this file;
// restored when the file ends.
const outerEnvironment = { MANAGER_API_KEY: process.env.MANAGER_API_KEY, COVERAGE_THRESHOLDS: process.env.COVERAGE_THRESHOLDS };
process.env.MANAGER_API_KEY = 'test-manager-key-0000000000000000000';
process.env.COVERAGE_THRESHOLDS = JSON.stringify({ minCalls: 5, minSuccessRate: 0.9, maxP95LatencyMs: 1000 });

const { vietnamDayStart } = await import('../../src/coverage/rollup.repository.js');
const { RollupService } = await import('../../src/coverage/rollup.service.js');
const { JournalPartitions } = await import('../../src/journal/journal-partitions.service.js');
const { addDays, partitionName } = await import('../../src/journal/vietnam-day.js');
const { REGISTRY_FIELDS } = await import('../../src/catalog/registry-fields.js');
const { ReferenceData } = await import('../../src/reference/reference-data.js');
const { expectProblem } = await import('../utils/problem.js');
const { ADMIN_AUTH, DEVELOPER_AUTH, useTestApp } = await import('../utils/test-app.js');
const { syncTestService } = await import('../factories/sync-records.factory.js');

const HOUR_MS = 3_600_000;
/** A Vietnamese day far from today: only this file's rows are in it. */
const DAY = '2022-08-20';
const DAY_START = vietnamDayStart(DAY);
const MANAGER_BASIC = { authorization: `Basic ${Buffer.from(`manager:${process.env.MANAGER_API_KEY}`).toString('base64')}` };
const MANAGER_BEARER = { authorization: `Bearer ${process.env.MANAGER_API_KEY}` };

const row = (serviceCode: string, outcome: string, latencyMs: number, at: number, faultKind?: string) =>
  journalRow({ serviceCode, outcome, latencyMs, at, requestIdPrefix: `coverage-${at > DAY_START + 2 * 24 * HOUR_MS ? 'now-' : ''}`, faultKind });

/**
 * GET /coverage/v1/services (issue 10): every catalog service with its connector, stage, calls, latency and a status
 * from the thresholds, with its reason; the figures of the journal's rollups and its open hours; CSV; managers' key.
 */
describe('coverage per public service', () => {
  const testApp = useTestApp({ seed: false });
  const http = () => request(testApp.app.getHttpServer());
  const period = `from=${encodeURIComponent(new Date(DAY_START).toISOString())}&to=${encodeURIComponent(new Date(DAY_START + 24 * HOUR_MS).toISOString())}`;
  const clear = async () => {
    await testApp.db.query(`DROP TABLE IF EXISTS ${partitionName(DAY)}`);
    await testApp.db.query(`DROP TABLE IF EXISTS ${partitionName(addDays(DAY, 1))}`);
    await testApp.db.query(`DELETE FROM portal_dossiers WHERE filed_by = 'coverage-e2e'`);
    for (const table of [
      'coverage_rollup_hourly',
      'coverage_rollup_daily',
      'coverage_service_hourly',
      'coverage_service_daily',
      'coverage_total_hourly',
      'coverage_field_hourly',
      'coverage_rolled_hours',
      'coverage_service_stages',
    ]) {
      await testApp.db.query(`DELETE FROM ${table}`);
    }
  };
  let healthy: string;
  let failing: string;
  let quiet: string;
  let planned: string;
  let noisy: string;

  beforeAll(async () => {
    await clear();
    await testApp.app.get(JournalPartitions).ensureAhead(DAY, 1);
    const [{ codes }] = await testApp.db.query(`SELECT array_agg(code ORDER BY code) AS codes FROM public_services`);
    [healthy, failing, quiet, planned, noisy] = codes as string[];
    // Half in a rolled-up hour, half in an hour read from the journal: a client's own errors and the faults its
    // profile simulated, beside the service's answers and one real failure.
    const noisyAt = (i: number) => DAY_START + (i % 2 === 0 ? 2 : 8) * HOUR_MS + i;
    const rows = [
      ...Array.from({ length: 40 }, (_, i) => row(healthy, i < 39 ? 'ok' : 'timeout', 5 + i, DAY_START + (i % 12) * HOUR_MS + 1_000)),
      ...Array.from({ length: 20 }, (_, i) => row(failing, i < 10 ? 'ok' : 'unavailable', 3, DAY_START + 2 * HOUR_MS + i)),
      ...Array.from({ length: 2 }, () => row(quiet, 'ok', 3, DAY_START + 3 * HOUR_MS)),
      ...Array.from({ length: 10 }, () => row(planned, 'ok', 3, DAY_START + 3 * HOUR_MS)),
      ...Array.from({ length: 20 }, (_, i) => row(noisy, 'ok', 4, noisyAt(i))),
      ...Array.from({ length: 10 }, (_, i) => row(noisy, 'invalid', 1, noisyAt(i))),
      ...Array.from({ length: 4 }, (_, i) => row(noisy, 'refused', 1, noisyAt(i))),
      ...Array.from({ length: 2 }, (_, i) => row(noisy, 'rate_limited', 1, noisyAt(i))),
      ...Array.from({ length: 8 }, (_, i) => row(noisy, 'unavailable', 2, noisyAt(i), 'unavailable')),
      ...Array.from({ length: 2 }, (_, i) => row(noisy, 'ok', 20_000, noisyAt(i), 'latency')),
      row(noisy, 'server_error', 4, noisyAt(1)),
    ];
    await insertJournalRows(testApp.db, rows);
    // The first half of the day rolled up; the rest is read from the journal as open hours.
    await testApp.app.get(RollupService).replay(DAY_START, DAY_START + 6 * HOUR_MS);
    for (const code of [healthy, failing, quiet, noisy]) {
      await http().put(`/coverage/v1/services/${code}/stage`).set(ADMIN_AUTH).send({ stage: 'live' }).expect(200);
    }
  });
  testApp.beforeClose(clear);
  afterAll(() => {
    for (const [name, value] of Object.entries(outerEnvironment)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });
  testApp.beforeClose(async () => {
    await testApp.db.query(`DELETE FROM call_journal WHERE request_id LIKE 'coverage-now-%' AND received_at > now() - interval '2 days'`);
  });

  it('gives every catalog service its calls by outcome, success rate, percentiles and a status with the reason', async () => {
    const { body } = await http().get(`/coverage/v1/services?${period}`).set(MANAGER_BEARER).expect(200);
    const [{ n }] = await testApp.db.query('SELECT count(*)::int AS n FROM public_services');
    expect(body.services).toHaveLength(n);
    expect(body.thresholds).toEqual({ minCalls: 5, minSuccessRate: 0.9, maxP95LatencyMs: 1000 });
    const of = (code: string) => body.services.find((service: { serviceCode: string }) => service.serviceCode === code);
    expect(of(healthy)).toMatchObject({ stage: 'live', calls: { total: 40, byOutcome: { ok: 39, timeout: 1 } }, successRate: 0.975, status: 'integrated' });
    expect(of(healthy).latencyMs.p50).toBeGreaterThan(20);
    expect(of(healthy).latencyMs.p50).toBeLessThanOrEqual(50);
    expect(of(healthy).latencyMs.p99).toBeLessThanOrEqual(44);
    expect(of(failing)).toMatchObject({ calls: { total: 20, byOutcome: { ok: 10, unavailable: 10 } }, successRate: 0.5, status: 'degraded' });
    expect(of(failing).statusReason).toMatch(/success rate 0.5 below minSuccessRate 0.9/);
    expect(of(quiet)).toMatchObject({ calls: { total: 2 }, status: 'no_traffic' });
    expect(of(planned)).toMatchObject({ stage: 'planned', calls: { total: 10 }, status: 'not_integrated', statusReason: 'the integration stage is planned' });
    expect(of(healthy).connector.state).toBe('enabled');
  });

  it("judges a service by its own outcomes: a client's errors and simulated faults count in the calls, not in its success rate or latency", async () => {
    const { body } = await http().get(`/coverage/v1/services?${period}`).set(MANAGER_BEARER).expect(200);
    const line = body.services.find((service: { serviceCode: string }) => service.serviceCode === noisy);
    expect(line.calls).toMatchObject({ total: 47, simulated: 10, answered: 20, failed: 1, byOutcome: { ok: 22, invalid: 10, refused: 4, rate_limited: 2, unavailable: 8, server_error: 1 } });
    // 20 answered of 21: integrated; counted over every call it would be 22 of 47, degraded.
    expect(line).toMatchObject({ successRate: 0.9524, status: 'integrated' });
    // The simulated 20 s delays are not the service's latency.
    expect(line.latencyMs.p99).toBeLessThanOrEqual(5);
    const agency = (await http().get(`/coverage/v1/agencies?${period}`).set(MANAGER_BEARER).expect(200)).body.agencies.find((entry: { serviceCodes: string[] }) =>
      entry.serviceCodes.includes(noisy),
    );
    const members = body.services.filter((service: { serviceCode: string }) => agency.serviceCodes.includes(service.serviceCode));
    const answered = members.reduce((sum: number, service: { calls: { answered: number } }) => sum + service.calls.answered, 0);
    const failed = members.reduce((sum: number, service: { calls: { failed: number } }) => sum + service.calls.failed, 0);
    expect(agency.successRate).toBeCloseTo(answered / (answered + failed), 4);
    const series = await http()
      .get(`/coverage/v1/timeseries?service=${noisy}&measure=success_rate&interval=day&${period}`)
      .set(MANAGER_BEARER)
      .expect(200);
    expect(series.body.points.map((point: { value: number | null }) => point.value)).toEqual([0.9524]);
    const simulated = await http().get(`/coverage/v1/timeseries?service=${noisy}&measure=simulated_calls&interval=day&${period}`).set(MANAGER_BEARER).expect(200);
    expect(simulated.body.points.map((point: { value: number | null }) => point.value)).toEqual([10]);
  });

  it('answers one service, and the same table as CSV', async () => {
    const { body } = await http().get(`/coverage/v1/services/${failing}?${period}`).set(MANAGER_BASIC).expect(200);
    expect(body).toMatchObject({ serviceCode: failing, status: 'degraded' });
    const csv = await http().get(`/coverage/v1/services?${period}`).set(MANAGER_BASIC).set('accept', 'text/csv').expect(200);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    const lines = csv.text.trimEnd().split('\r\n');
    const [{ n }] = await testApp.db.query('SELECT count(*)::int AS n FROM public_services');
    expect(lines).toHaveLength(n + 1);
    const header = lines[0].split(',');
    const failingLine = lines.find((line) => line.startsWith(`${failing},`))!.split(',');
    expect(failingLine[header.indexOf('calls')]).toBe('20');
    expect(failingLine[header.indexOf('status')]).toBe('degraded');
  });

  it('refuses a bad period, a bad stage, an unknown service and a consumer key, naming the field and rule', async () => {
    const reversed = await http().get(`/coverage/v1/services?from=2026-12-02T00:00:00Z&to=2026-12-01T00:00:00Z`).set(ADMIN_AUTH).expect(400);
    expectProblem(reversed, 400, 'validation_failed');
    expect(reversed.body.errors).toEqual([expect.objectContaining({ field: 'query.from', rule: 'before_to' })]);
    const badStage = await http().put(`/coverage/v1/services/${healthy}/stage`).set(ADMIN_AUTH).send({ stage: 'done' }).expect(400);
    expect(badStage.body.errors).toEqual([expect.objectContaining({ field: 'stage' })]);
    expectProblem(await http().get('/coverage/v1/services/NO-SUCH').set(ADMIN_AUTH).expect(404), 404, 'service_not_found');
    expectProblem(await http().get('/coverage/v1/services').set(DEVELOPER_AUTH).expect(403), 403, 'manager_key_required');
    const anonymous = await http().get('/coverage/v1/services').expect(401);
    expect(anonymous.headers['www-authenticate']).toMatch(/^Basic/);
    const wrong = await http().get('/coverage/v1/services').set('authorization', `Basic ${Buffer.from('manager:not-the-key-0000000000000000').toString('base64')}`).expect(401);
    expectProblem(wrong, 401, 'unknown_credentials');
    expect(wrong.headers['www-authenticate']).toMatch(/^Basic/);
    // The managers' key reads; it does not write.
    await http().put(`/coverage/v1/services/${healthy}/stage`).set(MANAGER_BEARER).send({ stage: 'testing' }).expect(401);
  });

  it('exposes the status, success ratio and automation of every service and the headline over the last 24 hours and the last hour in GET /ops/metrics', async () => {
    // Services of this test's own: the last 24 hours hold the calls of every test file that ran before this one.
    const [busy, idle, recovered] = [
      await syncTestService(testApp.app, 'COV-BUSY', ['idNumber', 'fullName']),
      await syncTestService(testApp.app, 'COV-IDLE', ['idNumber', 'fullName']),
      await syncTestService(testApp.app, 'COV-RECOVERED', ['idNumber', 'fullName']),
    ];
    for (const code of [busy, recovered]) await http().put(`/coverage/v1/services/${code}/stage`).set(ADMIN_AUTH).send({ stage: 'testing' }).expect(200);
    const now = Date.now() - 60_000;
    const rows = [
      ...Array.from({ length: 10 }, (_, i) => row(busy, i < 8 ? 'ok' : 'unavailable', 4, now + i)),
      // An outage three hours ago, served again since: degraded over the day, integrated over the last hour.
      ...Array.from({ length: 10 }, (_, i) => row(recovered, 'unavailable', 4, now - 3 * HOUR_MS + i)),
      ...Array.from({ length: 10 }, (_, i) => row(recovered, 'ok', 4, now + i)),
    ];
    await insertJournalRows(testApp.db, rows);
    // Two dossiers of the busy service filed a minute ago: one decided without review, one waiting for an officer.
    await testApp.db.query(
      `INSERT INTO portal_dossiers (dossier_id, service_code, filed_by, request_hash, applicant, status, filed_at, decided_at)
       VALUES ($1, $3, 'coverage-e2e', repeat('d', 64), '{}', 'verified', $4, $4), ($2, $3, 'coverage-e2e', repeat('d', 64), '{}', 'needs_review', $4, $4)`,
      [randomUUID(), randomUUID(), busy, new Date(now)],
    );
    testApp.beforeClose(async () => {
      await testApp.db.query(`DELETE FROM call_journal WHERE service_code = ANY ($1) AND received_at > now() - interval '1 day'`, [[busy, recovered]]);
    });
    const { text } = await http().get('/ops/metrics').set(ADMIN_AUTH).expect(200);
    const sample = (name: string, labels: string) => new RegExp(`^${name}\\{${labels}\\} (\\S+)$`, 'm').exec(text)?.[1];
    for (const window of ['24h', '1h']) {
      expect(sample('popgate_coverage_service_status', `service="${busy}",status="degraded",window="${window}"`)).toBe('1');
      expect(sample('popgate_coverage_service_status', `service="${busy}",status="integrated",window="${window}"`)).toBe('0');
      expect(sample('popgate_coverage_success_ratio', `service="${busy}",window="${window}"`)).toBe('0.8');
      // A planned service without calls: not integrated, and no success ratio.
      expect(sample('popgate_coverage_service_status', `service="${idle}",status="not_integrated",window="${window}"`)).toBe('1');
      expect(sample('popgate_coverage_success_ratio', `service="${idle}",window="${window}"`)).toBeUndefined();
    }
    expect(sample('popgate_coverage_automation_ratio', `service="${busy}",window="1h"`)).toBe('0.5');
    expect(sample('popgate_coverage_automation_ratio', `service="${idle}",window="1h"`)).toBeUndefined();
    expect(sample('popgate_coverage_success_ratio', `service="${recovered}",window="24h"`)).toBe('0.5');
    expect(sample('popgate_coverage_service_status', `service="${recovered}",status="degraded",window="24h"`)).toBe('1');
    expect(sample('popgate_coverage_success_ratio', `service="${recovered}",window="1h"`)).toBe('1');
    expect(sample('popgate_coverage_service_status', `service="${recovered}",status="integrated",window="1h"`)).toBe('1');
    // The headline: the essential services per status add up to the catalog's essential services.
    const [{ essential }] = await testApp.db.query('SELECT count(*)::int AS essential FROM public_services WHERE essential');
    const headline = ['integrated', 'degraded', 'not_integrated', 'no_traffic'].map((status) => Number(sample('popgate_coverage_essential_services', `status="${status}",window="24h"`)));
    expect(headline.reduce((sum, n) => sum + n, 0)).toBe(essential);
  });

  it('gives a measure per hour and per Vietnamese day beside the previous period, from the rollups and the open hours alike', async () => {
    const iso = (at: number) => encodeURIComponent(new Date(at).toISOString());
    const hourly = await http()
      .get(`/coverage/v1/timeseries?service=${healthy}&measure=calls&interval=hour&from=${iso(DAY_START)}&to=${iso(DAY_START + 24 * HOUR_MS)}`)
      .set(MANAGER_BEARER)
      .expect(200);
    // 40 calls over hours 0-11 (i % 12): hours 0-3 hold 4, hours 4-11 hold 3; hours 0-5 are rolled up, the rest not.
    expect(hourly.body.points.map((point: { value: number }) => point.value)).toEqual([4, 4, 4, 4, 3, 3, 3, 3, 3, 3, 3, 3, ...new Array(12).fill(0)]);
    expect(hourly.body.points.every((point: { previous: number }) => point.previous === 0)).toBe(true);
    expect(hourly.body.previousFrom).toBe(new Date(DAY_START - 24 * HOUR_MS).toISOString());
    const rate = await http()
      .get(`/coverage/v1/timeseries?service=${failing}&measure=success_rate&interval=hour&from=${iso(DAY_START + 2 * HOUR_MS)}&to=${iso(DAY_START + 4 * HOUR_MS)}`)
      .set(MANAGER_BEARER)
      .expect(200);
    expect(rate.body.points.map((point: { value: number | null }) => point.value)).toEqual([0.5, null]);
    // Half the day rolled up, half open: both counted in the Vietnamese day (from 17:00 UTC the day before).
    const halfRolled = await http()
      .get(`/coverage/v1/timeseries?service=${healthy}&measure=calls&interval=day&from=${iso(DAY_START + HOUR_MS)}&to=${iso(DAY_START + 2 * HOUR_MS)}`)
      .set(MANAGER_BEARER)
      .expect(200);
    expect(halfRolled.body.points).toEqual([{ at: new Date(DAY_START).toISOString(), value: 40, previous: 0 }]);
    // The whole day rolled up: the next day's series reads it from the daily rollup as its previous period.
    await testApp.app.get(RollupService).replay(DAY_START, DAY_START + 24 * HOUR_MS);
    const daily = await http()
      .get(`/coverage/v1/timeseries?service=${healthy}&measure=calls&interval=day&from=${iso(DAY_START + 24 * HOUR_MS)}&to=${iso(DAY_START + 48 * HOUR_MS - 1)}`)
      .set(MANAGER_BEARER)
      .expect(200);
    expect(daily.body.points).toEqual([{ at: new Date(DAY_START + 24 * HOUR_MS).toISOString(), value: 0, previous: 40 }]);
    const csv = await http()
      .get(`/coverage/v1/timeseries?service=${healthy}&measure=calls&interval=day&from=${iso(DAY_START + 24 * HOUR_MS)}&to=${iso(DAY_START + 48 * HOUR_MS - 1)}`)
      .set(MANAGER_BEARER)
      .set('accept', 'text/csv')
      .expect(200);
    expect(csv.text).toBe(`at,value,previous\r\n${new Date(DAY_START + 24 * HOUR_MS).toISOString()},0,40\r\n`);
    const bad = await http().get('/coverage/v1/timeseries?measure=speed').set(MANAGER_BEARER).expect(400);
    expect(bad.body.errors).toEqual([expect.objectContaining({ field: 'query.measure' })]);
    expectProblem(await http().get('/coverage/v1/timeseries?measure=calls&service=NO-SUCH').set(MANAGER_BEARER).expect(404), 404, 'service_not_found');
  });

  it('shows per service the allow-list fields never returned and the fields asked for and refused', async () => {
    const next = DAY_START + 24 * HOUR_MS;
    const [{ allowed }] = await testApp.db.query('SELECT allowed_fields AS allowed FROM public_services WHERE code = $1', [quiet]);
    const outside = REGISTRY_FIELDS.map((field) => field.name).find((name) => !(allowed as string[]).includes(name))!;
    const used = (allowed as string[])[0];
    const refusedRow = (at: number) => ({ ...row(quiet, 'refused', 2, at), http_status: 403, problem_code: 'fields_not_allowed', fields_requested: [used, outside], fields_returned: [] });
    const rows = [
      { ...row(quiet, 'ok', 2, next + HOUR_MS), fields_requested: [used], fields_returned: [used] },
      refusedRow(next + HOUR_MS + 1),
      refusedRow(next + 5 * HOUR_MS),
    ];
    await insertJournalRows(testApp.db, rows);
    // One of the two hours rolled up, the other read from the journal.
    await testApp.app.get(RollupService).replay(next + HOUR_MS, next + 2 * HOUR_MS);
    const nextPeriod = `from=${encodeURIComponent(new Date(next).toISOString())}&to=${encodeURIComponent(new Date(next + 24 * HOUR_MS).toISOString())}`;
    const { body } = await http().get(`/coverage/v1/services/${quiet}?${nextPeriod}`).set(MANAGER_BEARER).expect(200);
    expect(body.dataMinimisation.neverReturned).toEqual((allowed as string[]).filter((name) => name !== used).sort());
    expect(body.dataMinimisation.refused).toEqual([{ field: outside, calls: 2 }]);
    expect(body.dataMinimisation.fields).toEqual(
      expect.arrayContaining([
        { field: used, inAllowList: true, requested: 3, returned: 1 },
        { field: outside, inAllowList: false, requested: 2, returned: 0 },
      ]),
    );
  });

  it('rolls the services up per lead agency, and the dossiers per province and commune of their applicants, with the Project 06 headline', async () => {
    const commune = ReferenceData.get().communes[0];
    const dossier = (status: string, communeCode: string | null) => ({
      dossier_id: randomUUID(), service_code: healthy, filed_by: 'coverage-e2e', request_hash: 'd'.repeat(64), applicant: {}, applicant_commune_code: communeCode, status,
      filed_at: new Date(DAY_START + HOUR_MS).toISOString(), decided_at: ['verified', 'rejected', 'needs_review'].includes(status) ? new Date(DAY_START + HOUR_MS + 4_000).toISOString() : null,
    });
    const dossiers = [dossier('verified', commune.code), dossier('received', commune.code), dossier('needs_review', null)];
    await testApp.db.query(
      `INSERT INTO portal_dossiers (dossier_id, service_code, filed_by, request_hash, applicant, applicant_commune_code, status, filed_at, decided_at)
       SELECT dossier_id, service_code, filed_by, request_hash, applicant, applicant_commune_code, status, filed_at, decided_at
       FROM json_populate_recordset(NULL::portal_dossiers, $1::json)`,
      [JSON.stringify(dossiers)],
    );
    const areas = await http().get(`/coverage/v1/areas?${period}`).set(MANAGER_BEARER).expect(200);
    expect(areas.body.areas).toEqual([
      { code: commune.provinceCode, name: commune.provinceName, provinceCode: commune.provinceCode, dossiersFiled: 2, decidedAutomatically: 1, automationRate: 0.5, backlog: 1 },
      { code: null, name: null, provinceCode: null, dossiersFiled: 1, decidedAutomatically: 0, automationRate: 0, backlog: 0 },
    ]);
    const communes = await http().get(`/coverage/v1/areas?${period}&level=commune`).set(MANAGER_BEARER).set('accept', 'text/csv').expect(200);
    expect(communes.text.split('\r\n')[1]).toBe(`${commune.code},${commune.name},${commune.provinceCode},2,1,0.5,1`);
    const services = await http().get(`/coverage/v1/services?${period}`).set(MANAGER_BEARER).expect(200);
    const healthyLine = services.body.services.find((service: { serviceCode: string }) => service.serviceCode === healthy);
    expect(healthyLine.dossiers).toMatchObject({ filed: 3, decidedAutomatically: 1, decisionP50Seconds: 4, backlog: 1 });
    // The same dossiers as series, per hour of filing.
    const dossierSeries = async (measure: string) =>
      (await http().get(`/coverage/v1/timeseries?service=${healthy}&measure=${measure}&interval=hour&${period}`).set(MANAGER_BEARER).expect(200)).body.points.find(
        (point: { at: string }) => point.at === new Date(DAY_START + HOUR_MS).toISOString(),
      ).value;
    expect([await dossierSeries('dossiers_filed'), await dossierSeries('automation_rate'), await dossierSeries('decision_p50_seconds')]).toEqual([3, 0.3333, 4]);
    const essential = services.body.services.filter((service: { essential: boolean }) => service.essential);
    expect(services.body.headline).toMatchObject({
      essentialServices: essential.length,
      essentialIntegrated: essential.filter((service: { status: string }) => service.status === 'integrated').length,
      confirmedList: 24,
    });
    const agencies = await http().get(`/coverage/v1/agencies?${period}`).set(MANAGER_BEARER).expect(200);
    const agency = agencies.body.agencies.find((line: { serviceCodes: string[] }) => line.serviceCodes.includes(healthy));
    const ofAgency = services.body.services.filter((service: { leadAgency: string }) => service.leadAgency === agency.leadAgency);
    expect(agency).toMatchObject({
      services: ofAgency.length,
      calls: ofAgency.reduce((sum: number, service: { calls: { total: number } }) => sum + service.calls.total, 0),
      dossiersFiled: 3,
    });
    expect(agencies.body.agencies.reduce((sum: number, line: { services: number }) => sum + line.services, 0)).toBe(services.body.services.length);
    const bad = await http().get(`/coverage/v1/areas?level=district`).set(MANAGER_BEARER).expect(400);
    expect(bad.body.errors).toEqual([expect.objectContaining({ field: 'query.level' })]);
  });
});
