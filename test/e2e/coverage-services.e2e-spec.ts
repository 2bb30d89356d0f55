import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { v7 as uuidv7 } from 'uuid';

// Set before the app starts (the config is read then): the managers' read-only key, and thresholds of this file.
process.env.MANAGER_API_KEY = 'test-manager-key-0000000000000000000';
process.env.COVERAGE_THRESHOLDS = JSON.stringify({ minCalls: 5, minSuccessRate: 0.9, maxP95LatencyMs: 1000 });

const { vietnamDayStart } = await import('../../src/coverage/rollup.repository.js');
const { RollupService } = await import('../../src/coverage/rollup.service.js');
const { JournalPartitions } = await import('../../src/journal/journal-partitions.service.js');
const { partitionName } = await import('../../src/journal/vietnam-day.js');
const { expectProblem } = await import('../utils/problem.js');
const { ADMIN_AUTH, DEVELOPER_AUTH, useTestApp } = await import('../utils/test-app.js');

const HOUR_MS = 3_600_000;
/** A Vietnamese day far from today: only this file's rows are in it. */
const DAY = '2022-08-20';
const DAY_START = vietnamDayStart(DAY);
const MANAGER_BASIC = { authorization: `Basic ${Buffer.from(`manager:${process.env.MANAGER_API_KEY}`).toString('base64')}` };
const MANAGER_BEARER = { authorization: `Bearer ${process.env.MANAGER_API_KEY}` };

function row(serviceCode: string, outcome: string, latencyMs: number, at: number) {
  return {
    call_id: uuidv7(),
    received_at: new Date(at).toISOString(),
    request_id: `coverage-${at > DAY_START + 2 * 24 * HOUR_MS ? 'now-' : ''}${randomUUID()}`,
    transport: 'http',
    consumer_id: null,
    service_code: serviceCode,
    operation: 'verify',
    outcome,
    http_status: outcome === 'ok' ? 200 : 503,
    latency_ms: latencyMs,
    fields_requested: ['fullName'],
    fields_returned: outcome === 'ok' ? ['fullName'] : [],
    fingerprint: 'c'.repeat(64),
  };
}

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
    for (const table of ['coverage_rollup_hourly', 'coverage_rollup_daily', 'coverage_field_hourly', 'coverage_rolled_hours', 'coverage_service_stages']) {
      await testApp.db.query(`DELETE FROM ${table}`);
    }
  };
  let healthy: string;
  let failing: string;
  let quiet: string;
  let planned: string;

  beforeAll(async () => {
    await clear();
    await testApp.app.get(JournalPartitions).ensureAhead(DAY, 0);
    const [{ codes }] = await testApp.db.query(`SELECT array_agg(code ORDER BY code) AS codes FROM public_services`);
    [healthy, failing, quiet, planned] = codes as string[];
    const rows = [
      ...Array.from({ length: 40 }, (_, i) => row(healthy, i < 39 ? 'ok' : 'timeout', 5 + i, DAY_START + (i % 12) * HOUR_MS + 1_000)),
      ...Array.from({ length: 20 }, (_, i) => row(failing, i < 10 ? 'ok' : 'unavailable', 3, DAY_START + 2 * HOUR_MS + i)),
      ...Array.from({ length: 2 }, () => row(quiet, 'ok', 3, DAY_START + 3 * HOUR_MS)),
      ...Array.from({ length: 10 }, () => row(planned, 'ok', 3, DAY_START + 3 * HOUR_MS)),
    ];
    await testApp.db.query(`INSERT INTO call_journal SELECT * FROM json_populate_recordset(NULL::call_journal, $1::json)`, [JSON.stringify(rows)]);
    // The first half of the day rolled up; the rest is read from the journal as open hours.
    await testApp.app.get(RollupService).replay(DAY_START, DAY_START + 6 * HOUR_MS);
    for (const code of [healthy, failing, quiet]) {
      await http().put(`/coverage/v1/services/${code}/stage`).set(ADMIN_AUTH).send({ stage: 'live' }).expect(200);
    }
  });
  testApp.beforeClose(clear);
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
    // The managers' key reads; it does not write.
    await http().put(`/coverage/v1/services/${healthy}/stage`).set(MANAGER_BEARER).send({ stage: 'testing' }).expect(401);
  });

  it('exposes the status and success ratio of every service over the last 24 hours in GET /ops/metrics', async () => {
    const now = Date.now() - 60_000;
    const rows = Array.from({ length: 10 }, (_, i) => row(healthy, i < 8 ? 'ok' : 'unavailable', 4, now + i));
    await testApp.db.query(`INSERT INTO call_journal SELECT * FROM json_populate_recordset(NULL::call_journal, $1::json)`, [JSON.stringify(rows)]);
    const { text } = await http().get('/ops/metrics').set(ADMIN_AUTH).expect(200);
    const sample = (name: string, labels: string) => new RegExp(`^${name}\\{${labels}\\} (\\S+)$`, 'm').exec(text)?.[1];
    expect(sample('popgate_coverage_service_status', `service="${healthy}",status="degraded"`)).toBe('1');
    expect(sample('popgate_coverage_service_status', `service="${healthy}",status="integrated"`)).toBe('0');
    expect(sample('popgate_coverage_success_ratio', `service="${healthy}"`)).toBe('0.8');
    // A planned service without calls today: not integrated, and no success ratio.
    expect(sample('popgate_coverage_service_status', `service="${planned}",status="not_integrated"`)).toBe('1');
    expect(sample('popgate_coverage_success_ratio', `service="${planned}"`)).toBeUndefined();
  });
});
