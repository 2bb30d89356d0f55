/// <reference lib="dom" />
import { existsSync, mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { v7 as uuidv7 } from 'uuid';
import { summedHistogramsSqlOf } from '../../src/common/histogram.js';
import { LATENCY_BUCKET_COUNT } from '../../src/coverage/latency-buckets.js';
import { insertJournalRows, journalRow as fixtureRow } from '../factories/journal.factory.js';

// Set before the app starts (its config is read then).
process.env.MANAGER_API_KEY = 'test-manager-key-0000000000000000000';

const { chromium } = await import('playwright-core');
const { JournalPartitions } = await import('../../src/journal/journal-partitions.service.js');
const { DASHBOARD_TEXTS } = await import('../../src/coverage/dashboard-i18n.js');
const { ADMIN_AUTH, DEVELOPER_AUTH, useTestApp } = await import('../utils/test-app.js');

/** Debian's chromium (`apt-get install -y chromium`, as .ci/run does); playwright cannot download browsers here. */
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
/** Screenshots of each view: test artefacts, git-ignored. */
const SCREENSHOTS = join(process.cwd(), 'test-results', 'dashboard');
const MANAGER_KEY = process.env.MANAGER_API_KEY;
const MANAGER_BEARER = { authorization: `Bearer ${MANAGER_KEY}` };
const REQUEST_PREFIX = 'dashboard-browser-';
/** filed_by of this file's dossiers and requested_by of its sync run. */
const FIXTURE_OWNER = 'dashboard-browser-test';

const present = existsSync(CHROMIUM);
if (!present) console.warn(`dashboard browser tests skipped: ${CHROMIUM} is absent (apt-get install -y chromium, as .ci/run does)`);

interface CoverageLine {
  serviceCode: string;
  essential: boolean;
  status: string;
  calls: { total: number; byOutcome: Record<string, number>; answered: number; failed: number };
  successRate: number | null;
  latencyMs: { p95: number | null };
  dossiers: { automationRate: number | null; backlog: number };
}

const journalRow = (serviceCode: string, outcome: 'ok' | 'unavailable', latencyMs: number, at: number) =>
  fixtureRow({ serviceCode, outcome, latencyMs, at, requestIdPrefix: REQUEST_PREFIX, fingerprintChar: 'd' });

/** The digits of a shown figure: the same in both languages whatever their separators. */
const digits = (text: string | null) => (text ?? '').replace(/\D/g, '');
// Rounded as the page rounds (Intl, half away from zero on the shortest decimal form: 94.85 → 94.9, where toFixed gives 94.8).
const ONE_DECIMAL = new Intl.NumberFormat('en', { minimumFractionDigits: 1, maximumFractionDigits: 1, useGrouping: false });
const percentDigits = (ratio: number | null) => (ratio === null ? '' : digits(ONE_DECIMAL.format(ratio * 100)));

/**
 * The managers' dashboard (issue 10) in a real headless Chromium: it loads without console errors, shows the API's
 * figures, drills into a service, switches language, and a consumer's sign-in shows only its readiness.
 */
(present ? describe : describe.skip)('the managers dashboard in a browser', () => {
  const testApp = useTestApp({ seed: false });
  let browser: Browser;
  let origin: string;
  let healthy: string;
  let failing: string;
  const consoleErrors: string[] = [];
  /**
   * The one failed read this file provokes on purpose (a consumer's session reading the coverage table: 403), which
   * Chromium reports on the console and the page shows: every other console error fails the test.
   */
  const HANDLED_FAILURES = /\/coverage\/v1\/services$/;

  /** A fresh browser context (its own cookies) signed in through the form with `key`. */
  async function signIn(key: string, language: 'vi' | 'en' = 'vi'): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
    const page = await context.newPage();
    page.on('console', (message) => {
      if (message.type() !== 'error') return;
      if (/^Failed to load resource: the server responded with a status of 403/.test(message.text()) && HANDLED_FAILURES.test(message.location().url)) return;
      consoleErrors.push(`${message.text()} (${message.location().url})`);
    });
    page.on('pageerror', (error) => consoleErrors.push(error.message));
    await page.goto(`${origin}/dashboard?lang=${language}`);
    await page.fill('#key', key);
    await Promise.all([page.waitForURL(/\/dashboard\?lang=/), page.click('#login-submit')]);
    await page.waitForSelector('body[data-ready="true"]');
    return { context, page };
  }

  const clear = async () => {
    await testApp.db.query(`DELETE FROM call_journal WHERE request_id LIKE '${REQUEST_PREFIX}%' AND received_at > now() - interval '2 days'`);
    await testApp.db.query('DELETE FROM coverage_service_stages');
    await testApp.db.query('DELETE FROM portal_dossiers WHERE filed_by = $1', [FIXTURE_OWNER]);
    await testApp.db.query('DELETE FROM portal_sync_runs WHERE requested_by = $1', [FIXTURE_OWNER]);
  };

  /** Dossiers filed an hour ago, decided or waiting, so that automation rates and the backlog have figures. */
  async function fileDossiers(serviceCode: string, statuses: string[]): Promise<void> {
    for (const status of statuses) {
      const decided = ['verified', 'rejected', 'needs_review'].includes(status);
      await testApp.db.query(
        `INSERT INTO portal_dossiers (dossier_id, service_code, filed_by, request_hash, applicant, status, filed_at, decided_at)
         VALUES ($1, $2, $3, $4, '{}', $5, now() - interval '1 hour', CASE WHEN $6 THEN now() - interval '59 minutes' END)`,
        [uuidv7(), serviceCode, FIXTURE_OWNER, 'e'.repeat(64), status, decided],
      );
    }
  }

  beforeAll(async () => {
    // A real listener: the browser needs a port, supertest does not.
    await testApp.app.listen(0, '127.0.0.1');
    origin = `http://127.0.0.1:${(testApp.app.getHttpServer().address() as AddressInfo).port}`;
    await clear();
    await testApp.app.get(JournalPartitions).ensureAhead(undefined, 1);
    const [{ codes }] = await testApp.db.query(`SELECT array_agg(code ORDER BY code) AS codes FROM public_services WHERE essential`);
    [healthy, failing] = codes as string[];
    // The page shows the last 24 hours (and 7 days): the two services' figures are this file's fixtures alone, not the
    // calls other test files made of them in the shared test database (raw, or already rolled up).
    const fixtures = [healthy, failing];
    await testApp.db.query(`DELETE FROM call_journal WHERE service_code = ANY ($1) AND received_at > now() - interval '8 days'`, [fixtures]);
    for (const table of ['coverage_rollup_hourly', 'coverage_service_hourly', 'coverage_field_hourly']) {
      await testApp.db.query(`DELETE FROM ${table} WHERE service_code = ANY ($1) AND hour_start > now() - interval '8 days'`, [fixtures]);
    }
    for (const table of ['coverage_rollup_daily', 'coverage_service_daily']) {
      await testApp.db.query(`DELETE FROM ${table} WHERE service_code = ANY ($1) AND day > (now() - interval '9 days')::date`, [fixtures]);
    }
    // The totals of those hours summed again without them, as rollUpHour sums them.
    await testApp.db.query(`DELETE FROM coverage_total_hourly WHERE hour_start > now() - interval '8 days'`);
    await testApp.db.query(
      `INSERT INTO coverage_total_hourly (hour_start, outcome, simulated, calls, latency_sum_ms, latency_max_ms, latency_buckets)
       SELECT hour_start, outcome, simulated, sum(calls), sum(latency_sum_ms), max(latency_max_ms), ${summedHistogramsSqlOf('latency_buckets', LATENCY_BUCKET_COUNT)}
       FROM coverage_service_hourly WHERE hour_start > now() - interval '8 days' GROUP BY hour_start, outcome, simulated`,
    );
    // Rewritten behind rollUpHour's back: their version moves on, as a replay's would (RolledUpCache).
    await testApp.db.query(`UPDATE coverage_rolled_hours SET rolled_at = clock_timestamp() WHERE hour_start > now() - interval '8 days'`);
    // In the open hour: a closed one may have been rolled up already (by this app's scheduler) without these rows.
    const hourStart = Math.floor(Date.now() / 3_600_000) * 3_600_000;
    const rows = [
      ...Array.from({ length: 30 }, (_, i) => journalRow(healthy, 'ok', 4 + i, hourStart + i)),
      ...Array.from({ length: 12 }, (_, i) => journalRow(failing, i < 4 ? 'ok' : 'unavailable', 3, hourStart + 100 + i)),
    ];
    await insertJournalRows(testApp.db, rows);
    await fileDossiers(healthy, ['verified', 'verified', 'rejected', 'needs_review', 'received', 'received']);
    await fileDossiers(failing, ['needs_review', 'verifying']);
    // A completed verify run of the failing service: 100 records, 90 matched, discrepancies in two fields.
    const runId = uuidv7();
    await testApp.db.query(
      `INSERT INTO portal_sync_runs (run_id, service_code, mode, state, requested_by, batch_count, batches_done, record_count, started_at, finished_at)
       VALUES ($1, $2, 'verify', 'completed', $3, 1, 1, 100, now() - interval '2 hours', now() - interval '110 minutes')`,
      [runId, failing, FIXTURE_OWNER],
    );
    await testApp.db.query(
      `INSERT INTO portal_sync_batches (run_id, batch_no, first_record_id, last_record_id, planned_count, scanned, matched, corrections, errors, kinds, done_at)
       VALUES ($1, 0, 1, 100, 100, 100, 90, 0, 0, '{"fullName": 6, "dateOfBirth": 4}', now() - interval '110 minutes')`,
      [runId],
    );
    for (const code of [healthy, failing]) {
      const answer = await fetchApp(`/coverage/v1/services/${code}/stage`, { method: 'PUT', headers: { ...ADMIN_AUTH, 'content-type': 'application/json' }, body: '{"stage":"live"}' });
      expect(answer.status).toBe(200);
    }
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    mkdirSync(SCREENSHOTS, { recursive: true });
  });
  testApp.beforeClose(async () => {
    await browser?.close();
    await clear();
  });
  afterAll(() => expect(consoleErrors).toEqual([]));

  const fetchApp = (path: string, init: RequestInit = {}): Promise<Response> => fetch(origin + path, init);

  it('shows the headline, the table and the backlog with the figures of GET /coverage/v1/services', async () => {
    const { context, page } = await signIn(MANAGER_KEY);
    const api = (await (await fetchApp(`/coverage/v1/services?${await periodOf(page)}`, { headers: MANAGER_BEARER })).json()) as {
      services: CoverageLine[];
      headline?: { essentialIntegrated: number; confirmedList: number };
    };
    const essential = api.services.filter((service) => service.essential);
    const integrated = api.headline?.essentialIntegrated ?? essential.filter((service) => service.status === 'integrated').length;
    const backlog = api.services.reduce((sum, service) => sum + service.dossiers.backlog, 0);
    const calls = api.services.reduce((sum, service) => sum + service.calls.total, 0);
    const answered = api.services.reduce((sum, service) => sum + service.calls.answered, 0);
    const measured = answered + api.services.reduce((sum, service) => sum + service.calls.failed, 0);
    // This file's 42 calls, and any other test's of the last 24 hours in the same database.
    expect(calls).toBeGreaterThanOrEqual(42);

    expect(integrated).toBeGreaterThanOrEqual(1);
    expect(JSON.parse((await page.getAttribute('#headline-integrated', 'data-value'))!)).toBe(integrated);
    expect(digits(await page.textContent('#headline-integrated'))).toBe(String(integrated));
    expect(digits(await page.textContent('#headline-essential'))).toBe(String(api.headline?.confirmedList ?? essential.length));
    expect(backlog).toBeGreaterThanOrEqual(3);
    expect(digits(await page.textContent('#headline-backlog'))).toBe(String(backlog));
    expect(digits(await page.textContent('#headline-calls'))).toBe(String(calls));
    expect(JSON.parse((await page.getAttribute('#headline-success-rate', 'data-value'))!)).toBeCloseTo(answered / measured, 12);
    expect(digits(await page.textContent('#headline-success-rate'))).toBe(percentDigits(answered / measured));

    const rows = await page.$$eval('#coverage-table tbody tr', (trs) =>
      trs.map((tr) => ({
        code: (tr as HTMLElement).dataset.service,
        status: tr.querySelector('.status')?.getAttribute('data-status'),
        colour: getComputedStyle(tr.querySelector('.status')!).backgroundColor,
        cells: Object.fromEntries([...tr.querySelectorAll('[data-field]')].map((cell) => [cell.getAttribute('data-field'), { text: cell.textContent, value: JSON.parse((cell as HTMLElement).dataset.value!) }])),
      })),
    );
    expect(rows.map((row) => row.code)).toEqual(api.services.map((service) => service.serviceCode));
    for (const service of api.services) {
      const row = rows.find((candidate) => candidate.code === service.serviceCode)!;
      expect(row.status).toBe(service.status);
      expect(row.cells.calls).toEqual({ text: expect.any(String), value: service.calls.total });
      expect(digits(row.cells.calls.text)).toBe(String(service.calls.total));
      expect(row.cells.successRate.value).toBe(service.successRate);
      expect(digits(row.cells.successRate.text)).toBe(percentDigits(service.successRate));
      expect(row.cells.p95.value).toBe(service.latencyMs.p95);
      expect(row.cells.automationRate.value).toBe(service.dossiers.automationRate);
      expect(row.cells.backlog.value).toBe(service.dossiers.backlog);
    }
    // Status colours: one per status, and the healthy and failing services differ.
    const colourOf = (code: string) => rows.find((row) => row.code === code)!.colour;
    expect(rows.find((row) => row.code === healthy)!.status).toBe('integrated');
    expect(rows.find((row) => row.code === failing)!.status).toBe('degraded');
    expect(colourOf(healthy)).not.toBe(colourOf(failing));
    // The bar chart of automation rates is drawn by chart.js, served by popgate, from the same figures.
    expect(await page.$eval('#automation-chart', (canvas) => (canvas as HTMLCanvasElement).width)).toBeGreaterThan(0);
    const bars = await page.evaluate(() => {
      const chart = (window as unknown as { Chart: { getChart(id: string): { data: { labels: string[]; datasets: { data: (number | null)[] }[] } } } }).Chart.getChart('automation-chart');
      return { labels: chart.data.labels, values: chart.data.datasets[0].data };
    });
    expect(bars.labels).toEqual(api.services.map((service) => service.serviceCode));
    expect(bars.values).toEqual(api.services.map((service) => (service.dossiers.automationRate === null ? null : service.dossiers.automationRate * 100)));
    expect(bars.values.filter((value) => value !== null).length).toBeGreaterThanOrEqual(2);
    // The backlog: every service with dossiers waiting, and only those.
    const queue = await page.$$eval('#queue-table tbody tr', (trs) => trs.map((tr) => [(tr as HTMLElement).dataset.service, JSON.parse((tr.querySelector('[data-value]') as HTMLElement).dataset.value!)]));
    expect(queue).toEqual(api.services.filter((service) => service.dossiers.backlog > 0).map((service) => [service.serviceCode, service.dossiers.backlog]));

    // Trends: drawn from the series, no notice shown.
    const series = await fetchApp('/coverage/v1/timeseries?measure=p95_latency_ms&interval=hour', { headers: MANAGER_BEARER });
    expect(series.status).toBe(200);
    expect(await page.isHidden('#trends-status')).toBe(true);
    await page.screenshot({ path: join(SCREENSHOTS, 'overview-vi.png'), fullPage: true });

    // Another period: the table is read again over it, and shows that period's figures.
    await page.selectOption('#period-select', 'week');
    await page.waitForSelector('body[data-ready="true"]');
    const week = await periodOf(page);
    expect(Date.parse(decodeURIComponent(/from=([^&]+)/.exec(week)![1]))).toBeLessThan(Date.now() - 6 * 86_400_000);
    const weekApi = (await (await fetchApp(`/coverage/v1/services?${week}`, { headers: MANAGER_BEARER })).json()) as { services: CoverageLine[] };
    const shownCalls = await page.$$eval('#coverage-table td[data-field="calls"]', (cells) => cells.map((cell) => JSON.parse((cell as HTMLElement).dataset.value!)));
    expect(shownCalls).toEqual(weekApi.services.map((service) => service.calls.total));
    await page.screenshot({ path: join(SCREENSHOTS, 'overview-week-vi.png'), fullPage: true });
    await context.close();
  });

  it('drills into one service, and switches language', async () => {
    const { context, page } = await signIn(MANAGER_KEY, 'en');
    expect(await page.textContent('#coverage h2')).toBe(DASHBOARD_TEXTS.en['table.title']);
    await page.click(`#coverage-table tr[data-service="${failing}"] a.drill`);
    await page.waitForSelector('#drilldown:not([hidden]) #drill-outcomes');
    const api = (await (await fetchApp(`/coverage/v1/services/${failing}?${await periodOf(page)}`, { headers: MANAGER_BEARER })).json()) as CoverageLine & { statusReason: string };
    expect(await page.textContent('#drill-reason')).toBe(api.statusReason);
    expect(await page.getAttribute('#drill-status .status', 'data-status')).toBe('degraded');
    const outcomes = await page.$$eval('#drill-outcomes tbody tr', (trs) => Object.fromEntries(trs.map((tr) => [(tr as HTMLElement).dataset.outcome, JSON.parse((tr.querySelector('[data-value]') as HTMLElement).dataset.value!)])));
    expect(outcomes).toEqual(api.calls.byOutcome);
    expect(api.calls.total).toBeGreaterThanOrEqual(12);
    expect(JSON.parse((await page.getAttribute('#drill-body dd[data-field="calls"]', 'data-value'))!)).toBe(api.calls.total);
    // Discrepancy fields and the sync run, as the API gives them.
    const run = (api as unknown as { lastSyncRun: { runId: string; discrepancyRateByKind: Record<string, number> } }).lastSyncRun;
    expect(run.discrepancyRateByKind).toEqual({ fullName: 0.06, dateOfBirth: 0.04 });
    const kinds = await page.$$eval('#drill-discrepancies tbody tr', (trs) => Object.fromEntries(trs.map((tr) => [(tr as HTMLElement).dataset.kind, JSON.parse((tr.querySelector('[data-value]') as HTMLElement).dataset.value!)])));
    expect(kinds).toEqual(run.discrepancyRateByKind);
    expect(await page.getAttribute('#drill-sync-runs tbody tr', 'data-run')).toBe(run.runId);
    const minimisation = (api as unknown as { dataMinimisation: { neverReturned: string[] } }).dataMinimisation;
    expect(await page.$$eval('#drill-never-returned li[data-field]', (items) => items.map((item) => item.textContent))).toEqual(minimisation.neverReturned);
    expect(await page.isVisible('#overview')).toBe(false);
    await page.screenshot({ path: join(SCREENSHOTS, 'drilldown-en.png'), fullPage: true });

    await page.click('#lang-switch');
    expect(await page.getAttribute('html', 'lang')).toBe('vi');
    expect(await page.textContent('#drill-back')).toBe(DASHBOARD_TEXTS.vi['drill.back']);
    expect(await page.textContent('#drill-outcomes tr[data-outcome="unavailable"] td')).toBe(DASHBOARD_TEXTS.vi['outcome.unavailable']);
    await page.screenshot({ path: join(SCREENSHOTS, 'drilldown-vi.png'), fullPage: true });
    await page.click('#drill-back');
    await page.waitForSelector('#overview:not([hidden])');
    expect(await page.textContent('#coverage h2')).toBe(DASHBOARD_TEXTS.vi['table.title']);
    expect(await page.textContent(`#coverage-table tr[data-service="${healthy}"] .status`)).toBe(DASHBOARD_TEXTS.vi['status.integrated']);
    await page.click('#lang-switch');
    expect(await page.textContent(`#coverage-table tr[data-service="${healthy}"] .status`)).toBe(DASHBOARD_TEXTS.en['status.integrated']);
    await page.screenshot({ path: join(SCREENSHOTS, 'overview-en.png'), fullPage: true });
    await context.close();
  });

  /** The period the page read, as the API answered it (whole hours), as a query for the test's own reads. */
  async function periodOf(page: Page): Promise<string> {
    const [from, to] = [await page.getAttribute('#period', 'data-from'), await page.getAttribute('#period', 'data-to')];
    return `from=${encodeURIComponent(from!)}&to=${encodeURIComponent(to!)}`;
  }

  /** The consumer a key belongs to, as the dashboard's own session says (the key signed in by a form post). */
  async function consumerIdOf(key: string): Promise<string> {
    const login = await fetchApp('/dashboard/login', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ key }).toString(),
      redirect: 'manual',
    });
    expect(login.status).toBe(303);
    const cookie = login.headers.get('set-cookie')!.split(';')[0];
    const session = (await (await fetchApp('/dashboard/session', { headers: { cookie } })).json()) as { role: string; consumerId: string };
    expect(session.role).toBe('consumer');
    return session.consumerId;
  }

  /** The readiness shown equals the API's (verdict and checklist per service). */
  async function expectReadinessShown(page: Page, consumerId: string, auth: Record<string, string>): Promise<void> {
    const readiness = await fetchApp(`/coverage/v1/consumers/${consumerId}/scenarios`, { headers: auth });
    expect(readiness.status).toBe(200);
    {
      const report = (await readiness.json()) as { services: { serviceCode: string; verdict: string; checklist: { item: string; status: string }[] }[] };
      const shown = await page.$$eval('#readiness-body .readiness-service', (blocks) =>
        blocks.map((block) => ({
          serviceCode: (block as HTMLElement).dataset.service,
          verdict: block.querySelector('[data-verdict]')!.getAttribute('data-verdict'),
          checklist: [...block.querySelectorAll('tr[data-item]')].map((row) => ({ item: (row as HTMLElement).dataset.item, status: row.querySelector('[data-status]')!.getAttribute('data-status') })),
        })),
      );
      expect(shown).toEqual(report.services.map(({ serviceCode, verdict, checklist }) => ({ serviceCode, verdict, checklist: checklist.map(({ item, status }) => ({ item, status })) })));
      expect(shown.length).toBeGreaterThan(0);
    }
  }

  it("shows a consumer only its own readiness", async () => {
    const { context, page } = await signIn(process.env.SANDBOX_DEVELOPER_KEY!);
    const developer = { consumerId: await consumerIdOf(process.env.SANDBOX_DEVELOPER_KEY!) };
    expect(await page.isVisible('#overview')).toBe(false);
    expect(await page.isVisible('#drilldown')).toBe(false);
    expect(await page.isVisible('#readiness')).toBe(true);
    expect(await page.isVisible('#readiness-form')).toBe(false);
    expect(await page.textContent('#session-role')).toContain(DASHBOARD_TEXTS.vi['role.consumer'].split(' {')[0]);
    // Its session cannot read the managers' table, from the page or by hand.
    expect(await page.evaluate(async () => (await fetch('/coverage/v1/services')).status)).toBe(403);
    await expectReadinessShown(page, developer.consumerId, DEVELOPER_AUTH);
    await page.screenshot({ path: join(SCREENSHOTS, 'readiness-consumer-vi.png'), fullPage: true });
    await context.close();
  });

  it.each([
    ['the operator', () => ADMIN_AUTH.authorization.slice('Bearer '.length), ADMIN_AUTH, 'readiness-operator-vi.png'],
    ['a manager', () => MANAGER_KEY!, MANAGER_BEARER, 'readiness-manager-vi.png'],
  ] as const)('lets %s choose a consumer and see its readiness', async (_who, key, auth, screenshot) => {
    const { context, page } = await signIn(key());
    const own = { consumerId: await consumerIdOf(process.env.SANDBOX_DEVELOPER_KEY!) };
    await page.fill('#readiness-consumer', own.consumerId);
    await page.click('#readiness-show');
    await page.waitForSelector('#readiness-body > *');
    await expectReadinessShown(page, own.consumerId, auth);
    await page.screenshot({ path: join(SCREENSHOTS, screenshot), fullPage: true });
    await context.close();
  });

  it('shows the form again with a message after a bad key, and signs out', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${origin}/dashboard?lang=en`);
    await page.fill('#key', 'not-a-key-of-anyone-000000000000');
    await page.click('#login-submit');
    await page.waitForSelector('#login-message');
    expect(await page.textContent('#login-message')).toBe(DASHBOARD_TEXTS.en['login.unknownKey']);
    expect(await context.cookies()).toEqual([]);
    await page.screenshot({ path: join(SCREENSHOTS, 'login-refused-en.png'), fullPage: true });
    await page.fill('#key', MANAGER_KEY);
    await Promise.all([page.waitForURL(/\/dashboard\?lang=en/), page.click('#login-submit')]);
    await page.waitForSelector('body[data-ready="true"]');
    expect(await page.evaluate(() => document.cookie)).toBe('');
    await Promise.all([page.waitForURL(/signedOut=1/), page.click('#sign-out')]);
    expect(await page.textContent('#login-message')).toBe(DASHBOARD_TEXTS.en['login.signedOut']);
    expect(await context.cookies()).toEqual([]);
    await context.close();
  });
});
