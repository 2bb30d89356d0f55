/// <reference lib="dom" />
import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import pg from 'pg';
import { hashApiKey, keyPrefixOf } from '../src/access/api-key.js';
import type { AppConfig } from '../src/config/app-config.js';
import { RollupRepository, hourOf } from '../src/coverage/rollup.repository.js';
import { RollupService } from '../src/coverage/rollup.service.js';
import { DossierRollupRepository } from '../src/coverage/dossier-rollup.repository.js';
import { DossierRollupService } from '../src/coverage/dossier-rollup.service.js';
import { DossierRepository } from '../src/portal/dossier.repository.js';
import { createDataSource } from '../src/database/data-source.js';
import { pgPoolOf, prepareDatabase } from '../src/database/database-bootstrap.js';
import { addDays, vietnamDay } from '../src/journal/vietnam-day.js';
import { projectRoot } from '../src/reference/project-root.js';
import { RegistrySeeder } from '../src/sandbox/seeding/registry-seeder.js';
import { BENCH_DATABASE_URL, dropDatabase, machineSummary, recordResult, startServer, stopServer } from './bench-support.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const ADMIN_KEY = 'bench-coverage-admin-key-00000000000000';
const PORT = 3493;
const ORIGIN = `http://127.0.0.1:${PORT}`;
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** The API's default ROLLUP_GRACE_MS: the bench rolls up the hours the API itself counts as closed. */
const ROLLUP_GRACE_MS = 300_000;
/** Statements of at most this many journal rows: one transaction per chunk keeps its WAL and its progress line short. */
const JOURNAL_CHUNK = 1_000_000;
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const admin = { authorization: `Bearer ${ADMIN_KEY}` };

interface CatalogService {
  code: string;
  allowedFields: string[];
}

interface Latencies {
  requests: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
}

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
const round1 = (ms: number) => Number(ms.toFixed(1));

function latenciesOf(samples: number[]): Latencies {
  const sorted = [...samples].sort((a, b) => a - b);
  return { requests: sorted.length, p50Ms: round1(quantile(sorted, 0.5)), p95Ms: round1(quantile(sorted, 0.95)), p99Ms: round1(quantile(sorted, 0.99)), maxMs: round1(sorted.at(-1)!) };
}

/**
 * `requests` GETs (fewer past `budgetMs`) of the paths `pathOf(i)` names, `concurrency` at a time, after `warmUp` unmeasured ones (the first
 * requests pay for prepared statements, the JIT and cold pages). Every answer must be a 200 of the asked type.
 */
async function measure(pathOf: (i: number) => string, requests: number, concurrency: number, budgetMs: number, warmUp = 5): Promise<Latencies> {
  const get = async (path: string) => {
    const response = await fetch(`${ORIGIN}${path}`, { headers: { ...admin, accept: 'application/json' } });
    const body = await response.text();
    if (response.status !== 200) throw new Error(`GET ${path}: ${response.status} ${body.slice(0, 300)}`);
  };
  for (let i = 0; i < warmUp; i++) await get(pathOf(i));
  const samples: number[] = [];
  let next = 0;
  // A slow endpoint stops at its time budget (after at least 20 requests) so that one run fits its CPU window; the
  // table says how many requests each figure comes from.
  const deadline = performance.now() + budgetMs;
  const loop = async () => {
    while (next < requests && (next < 20 || performance.now() < deadline)) {
      const path = pathOf(next++);
      const started = performance.now();
      await get(path);
      samples.push(performance.now() - started);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, loop));
  return latenciesOf(samples);
}

/** Consumers of the journal rows: state agencies, each granted three catalog services (the journal names them). */
async function seedConsumers(pool: pg.Pool, count: number, services: CatalogService[]): Promise<string[]> {
  const { rows } = await pool.query<{ consumer_id: string }>(
    `INSERT INTO consumers (name, kind, service_codes)
     SELECT 'bench-coverage-consumer-' || i, 'state',
            ARRAY[($1::text[])[1 + i % $2], ($1::text[])[1 + (i + 1) % $2], ($1::text[])[1 + (i + 2) % $2]]
     FROM generate_series(0, $3 - 1) AS i ORDER BY i
     RETURNING consumer_id`,
    [services.map((s) => s.code), services.length, count],
  );
  return rows.map((row) => row.consumer_id);
}

/**
 * `rows` journal rows spread evenly over [from, to), in chunks of JOURNAL_CHUNK rows, each one INSERT ... SELECT over
 * generate_series. Row g's consumer is (g × 7919) mod consumers, its service one of that consumer's three; the
 * operation, outcome and latency come from random draws: 90 % answered ok, mismatches and not-founds, a few refusals
 * (half of them for a field outside the allow-list), invalid requests, 429s, 503s, timeouts and 500s; latency
 * lognormal around 25 ms (a timeout takes 10 s). Fields requested are the first k of the service's allow-list.
 */
async function seedJournal(pool: pg.Pool, rows: number, from: number, to: number, consumerIds: string[], services: CatalogService[]): Promise<number> {
  const started = performance.now();
  const stepMs = (to - from) / rows;
  for (let first = 0; first < rows; first += JOURNAL_CHUNK) {
    const last = Math.min(rows, first + JOURNAL_CHUNK) - 1;
    const chunkStarted = performance.now();
    await pool.query(
      `WITH services AS (
         SELECT s.idx - 1 AS idx, s.code, string_to_array(f.fields, ',') AS fields
         FROM unnest($1::text[]) WITH ORDINALITY AS s (code, idx) JOIN unnest($2::text[]) WITH ORDINALITY AS f (fields, idx) USING (idx)),
       draws AS (
         SELECT g, (g * 7919) % $4 AS consumer_idx, random() + 0 * g AS r_outcome, random() + 0 * g AS r_operation,
                greatest(random(), 1e-9) + 0 * g AS u1, random() + 0 * g AS u2, random() + 0 * g AS r_fields
         FROM generate_series($5::bigint, $6::bigint) AS g),
       calls AS (
         SELECT d.*, s.code, s.fields,
                CASE WHEN d.r_outcome < 0.90 THEN 'ok' WHEN d.r_outcome < 0.93 THEN 'mismatch' WHEN d.r_outcome < 0.95 THEN 'not_found'
                     WHEN d.r_outcome < 0.96 THEN 'refused' WHEN d.r_outcome < 0.97 THEN 'invalid' WHEN d.r_outcome < 0.98 THEN 'rate_limited'
                     WHEN d.r_outcome < 0.99 THEN 'unavailable' WHEN d.r_outcome < 0.995 THEN 'timeout' ELSE 'server_error' END AS outcome,
                CASE WHEN d.r_operation < 0.6 THEN 'verify' WHEN d.r_operation < 0.9 THEN 'look-up' WHEN d.r_operation < 0.95 THEN 'verify-batch' ELSE 'households' END AS operation
         FROM draws d JOIN services s ON s.idx = (d.consumer_idx + (d.g / 7) % 3) % $7)
       INSERT INTO call_journal (call_id, received_at, request_id, transport, consumer_id, service_code, operation, outcome, http_status,
                                 problem_code, latency_ms, fields_requested, fields_returned, fingerprint, retry_after_s)
       SELECT gen_random_uuid(), to_timestamp(($8::double precision + c.g * $9::double precision) / 1000), 'bench-coverage-' || c.g, 'http',
              ($3::uuid[])[1 + c.consumer_idx], c.code, c.operation, c.outcome,
              CASE c.outcome WHEN 'ok' THEN 200 WHEN 'mismatch' THEN 200 WHEN 'not_found' THEN 200 WHEN 'refused' THEN 403 WHEN 'invalid' THEN 400
                             WHEN 'rate_limited' THEN 429 WHEN 'unavailable' THEN 503 WHEN 'timeout' THEN 504 ELSE 500 END,
              CASE WHEN c.outcome = 'refused' AND c.r_fields < 0.5 THEN 'fields_not_allowed' WHEN c.outcome = 'refused' THEN 'no_consent'
                   WHEN c.outcome = 'invalid' THEN 'validation_failed' END,
              CASE WHEN c.outcome = 'timeout' THEN 10000 ELSE least(59000, exp(ln(25) + 0.6 * sqrt(-2 * ln(c.u1)) * cos(2 * pi() * c.u2))) END,
              CASE WHEN c.outcome = 'refused' AND c.r_fields < 0.5 THEN c.fields[1:2] || '{religion}'::text[]
                   ELSE c.fields[1:1 + floor(c.r_fields * array_length(c.fields, 1))::int] END,
              CASE WHEN c.outcome IN ('ok', 'mismatch') THEN c.fields[1:1 + floor(c.r_fields * array_length(c.fields, 1))::int] ELSE '{}'::text[] END,
              md5(c.code || (c.g % 50000)) || md5(c.g::text), CASE WHEN c.outcome IN ('rate_limited', 'unavailable') THEN 1 END
       FROM calls c`,
      [services.map((s) => s.code), services.map((s) => s.allowedFields.join(',')), consumerIds, consumerIds.length, first, last, services.length, from, stepMs],
    );
    const seconds = (performance.now() - chunkStarted) / 1000;
    console.log(`  journal: ${(last + 1).toLocaleString('en')} / ${rows.toLocaleString('en')} rows (${Math.round((last - first + 1) / seconds).toLocaleString('en')} rows/s)`);
  }
  return (performance.now() - started) / 1000;
}

/**
 * Dossiers filed over the same 30 days (the automation rate, the filing-to-decision times and the areas read them):
 * applicants from the seeded citizens' communes, 70 % verified, 10 % rejected, 15 % in review, 5 % still open.
 */
async function seedDossiers(pool: pg.Pool, count: number, from: number, to: number, services: CatalogService[]): Promise<void> {
  await pool.query(
    `WITH communes AS (SELECT array_agg(DISTINCT permanent_commune_code) AS codes FROM citizens WHERE permanent_commune_code IS NOT NULL),
     draws AS (SELECT g, random() + 0 * g AS r, random() + 0 * g AS d FROM generate_series(0, $4 - 1) AS g)
     INSERT INTO portal_dossiers (dossier_id, service_code, filed_by, request_hash, applicant, applicant_commune_code, status, filed_at, decided_at, updated_at)
     SELECT gen_random_uuid(), ($1::text[])[1 + g % array_length($1::text[], 1)], 'bench-coverage', md5(g::text) || md5('x' || g), '{}'::jsonb,
            c.codes[1 + g % array_length(c.codes, 1)],
            CASE WHEN r < 0.70 THEN 'verified' WHEN r < 0.80 THEN 'rejected' WHEN r < 0.95 THEN 'needs_review' ELSE 'received' END,
            to_timestamp(($2::double precision + g * $3::double precision) / 1000),
            CASE WHEN r < 0.95 THEN to_timestamp(($2::double precision + g * $3::double precision) / 1000) + d * interval '20 minutes' END,
            -- Last written when decided (or filed), as the portal writes them: a month of history, not a month changed now.
            to_timestamp(($2::double precision + g * $3::double precision) / 1000) + CASE WHEN r < 0.95 THEN d * interval '20 minutes' ELSE interval '0' END
     FROM draws CROSS JOIN communes c`,
    [services.map((s) => s.code), from, (to - from) / count, count],
  );
}

const BENCH_CONSUMER_KEY = 'pgk_bench_coverage_consumer_key_000000000';

/** The registry bench's consumer (a state agency granted the sandbox service, limits far above what is sent). */
async function ensureRegistryConsumer(pool: pg.Pool): Promise<void> {
  await pool.query(
    `INSERT INTO consumers (name, kind, service_codes, key_hash, key_prefix, key_issued_at, rate_limit_per_second, daily_quota)
     VALUES ('bench-coverage-registry', 'state', '{SANDBOX-ALL}', $1, $2, now(), 1000000, 1000000000)`,
    [hashApiKey(BENCH_CONSUMER_KEY), keyPrefixOf(BENCH_CONSUMER_KEY)],
  );
}

/**
 * Issue 10's "rollup maintenance costs the registry at most 5 %": `bench:registry`'s shipped look-up (autocannon, 50
 * connections, the bench consumer) over this database, in rounds alternating without and with rollup maintenance
 * running meanwhile: the bench process replaying the last 24 closed hours over and over (each a full recompute of
 * its hour and day, what the job and an operator's replay do), as fast as it goes, so the figure is an upper bound
 * of what the hourly job costs.
 */
/**
 * Registry look-ups (autocannon) in rounds of two windows of `seconds` each, in ABBA order: without rollup
 * maintenance, and with one run of the coverage job's work at the window's start (one hour of the journal rolled up,
 * as the job does once an hour, and a dossier refresh, as it does every five minutes: so at least 12 times the job's
 * share of any window of the schedule); the cost is the median of the rounds' ratios. Then, once, a window with hours
 * replayed back to back for all of it against the window before it (the upper bound, far above the schedule).
 */
async function registryUnderRollups(
  pool: pg.Pool,
  rollups: RollupRepository,
  dossierRollups: DossierRollupService,
  seconds: number,
  rounds: number,
): Promise<Record<string, unknown>> {
  const { rows } = await pool.query<{ id_number: string }>('SELECT id_number FROM citizens TABLESAMPLE BERNOULLI (50) REPEATABLE (42) LIMIT 5000');
  let cursor = 0;
  const lookUp = (duration: number) =>
    autocannon({
      url: ORIGIN,
      connections: 50,
      duration,
      requests: [
        {
          setupRequest: (req) => ({
            ...req,
            method: 'GET',
            path: `/registry/v1/citizens/${rows[cursor++ % rows.length].id_number}?fields=fullName,dateOfBirth,sex,permanentAddress,currentAddress`,
            headers: { authorization: `Bearer ${BENCH_CONSUMER_KEY}`, 'x-service-code': 'SANDBOX-ALL', 'x-dossier-id': 'BENCH-1' },
          }),
        },
      ],
    });
  await lookUp(3);
  const lastClosed = hourOf(Date.now() - ROLLUP_GRACE_MS) - HOUR_MS;
  const without: number[] = [];
  const withJob: number[] = [];
  const jobMs: number[] = [];
  const withRollups: number[] = [];
  let hoursReplayed = 0;
  const checked = (result: autocannon.Result) => {
    if (result.non2xx > 0 || result.errors > 0) throw new Error(`registry look-ups failed: ${result.non2xx} non-2xx, ${result.errors} errors`);
    return Math.round(result.requests.average);
  };
  const withJobWindow = async () => {
    const job = (async () => {
      const started = performance.now();
      await rollups.rollUpHour(lastClosed);
      await dossierRollups.refresh();
      jobMs.push(Math.round(performance.now() - started));
    })();
    const result = checked(await lookUp(seconds));
    await job;
    return result;
  };
  // ABBA: a window's figure depends on what ran just before it (the journal's growth, a checkpoint, autovacuum), so
  // the order alternates, and each round's ratio is of its own two windows.
  const ratios: number[] = [];
  for (let round = 1; round <= rounds; round++) {
    if (round % 2 === 1) {
      without.push(checked(await lookUp(seconds)));
      withJob.push(await withJobWindow());
    } else {
      withJob.push(await withJobWindow());
      without.push(checked(await lookUp(seconds)));
    }
    ratios.push(withJob.at(-1)! / without.at(-1)!);
    console.log(`  round ${round}: ${without.at(-1)} req/s without, ${withJob.at(-1)} with one job run (${jobMs.at(-1)} ms)`);
  }
  // The upper bound, after the pairs (so that it precedes none of their windows): hours replayed back to back.
  const plainBeforeReplays = checked(await lookUp(seconds));
  let running = true;
  const maintenance = (async () => {
    for (let i = 0; running; i++) {
      await rollups.rollUpHour(lastClosed - (i % 24) * HOUR_MS);
      hoursReplayed += 1;
    }
  })();
  const loaded = await lookUp(seconds);
  running = false;
  await maintenance;
  withRollups.push(checked(loaded));
  console.log(`  replays: ${plainBeforeReplays} req/s without, ${withRollups.at(-1)} with hours replayed back to back`);
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  const jobCost = 1 - median(ratios);
  const replayCost = 1 - withRollups[0] / plainBeforeReplays;
  return {
    seconds,
    rounds,
    withoutRequestsPerSecond: without,
    withJobRequestsPerSecond: withJob,
    jobMs,
    jobShareOfWindow: Number((median(jobMs) / (seconds * 1000)).toFixed(4)),
    withReplaysRequestsPerSecond: withRollups,
    withoutBeforeReplaysRequestsPerSecond: plainBeforeReplays,
    hoursReplayed,
    jobMedianCost: Number(jobCost.toFixed(3)),
    replayCost: Number(replayCost.toFixed(3)),
    met: jobCost <= 0.05,
  };
}

/**
 * The dashboard's first view in headless Chromium: from opening /dashboard to `body[data-ready="true"]` after
 * signing in with the admin key through the form (the page then reads the coverage table and two series of the last
 * day); then the month view (30 days, the whole dataset) chosen from the period list, to its next data-ready.
 */
async function dashboardTimes(runs: number): Promise<{ firstViewMs: number[]; monthViewMs: number[]; consoleErrors: string[] }> {
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  const firstViewMs: number[] = [];
  const monthViewMs: number[] = [];
  const consoleErrors: string[] = [];
  try {
    for (let run = 0; run < runs; run++) {
      const context = await browser.newContext();
      const page = await context.newPage();
      page.on('console', (message) => message.type() === 'error' && consoleErrors.push(message.text()));
      const started = performance.now();
      await page.goto(`${ORIGIN}/dashboard?lang=en`);
      await page.fill('#key', ADMIN_KEY);
      await Promise.all([page.waitForURL(/\/dashboard\?lang=/), page.click('#login-submit')]);
      await page.waitForSelector('body[data-ready="true"]', { timeout: 60_000 });
      firstViewMs.push(round1(performance.now() - started));
      const monthStarted = performance.now();
      await page.evaluate(() => (document.body.dataset.ready = 'switching'));
      await page.selectOption('#period-select', 'month');
      await page.waitForSelector('body[data-ready="true"]', { timeout: 60_000 });
      monthViewMs.push(round1(performance.now() - monthStarted));
      await context.close();
    }
  } finally {
    await browser.close();
  }
  return { firstViewMs, monthViewMs, consoleErrors };
}

/**
 * `npm run bench:coverage [-- --rows N --days D --consumers C --citizens K --dossiers P --requests R --concurrency C
 * --browser-runs B --registry-seconds S --registry-rounds N]`: issue 10's figures over a database of its own.
 * - N journal rows (10,000,000) over the last D days (30), rolled up hour by hour, timed;
 * - R requests (200), C at a time (4), of GET /portal/v1/services/{code} (the baseline) and of every coverage
 *   endpoint, over the whole D days where a period is asked: target p95 ≤ 5 × the baseline's p95 and ≤ 200 ms;
 * - the dashboard's time to interactive in headless Chromium (B runs), beside the p95 of what it reads;
 * - with S > 0: the registry look-up's throughput with and without rollup maintenance running (target: cost ≤ 5 %).
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      rows: { type: 'string', default: '10000000' },
      days: { type: 'string', default: '30' },
      consumers: { type: 'string', default: '300' },
      citizens: { type: 'string', default: '20000' },
      dossiers: { type: 'string', default: '300000' },
      requests: { type: 'string', default: '200' },
      concurrency: { type: 'string', default: '4' },
      'browser-runs': { type: 'string', default: '5' },
      'registry-seconds': { type: 'string', default: '15' },
      'registry-rounds': { type: 'string', default: '6' },
      'endpoint-seconds': { type: 'string', default: '30' },
      reuse: { type: 'boolean', default: false },
    },
  });
  const [rows, days, consumerCount, citizens, dossiers, requests, concurrency] = [values.rows, values.days, values.consumers, values.citizens, values.dossiers, values.requests, values.concurrency].map(Number);
  const [browserRuns, registrySeconds, registryRounds] = [values['browser-runs'], values['registry-seconds'], values['registry-rounds']].map(Number);
  console.log(`bench:coverage on ${machineSummary()}: ${rows.toLocaleString('en')} journal rows over ${days} days, ${consumerCount} consumers, ${requests} requests per endpoint, ${concurrency} at a time`);

  // A database of its own, made afresh: the figures are those of this dataset and nothing else. `--reuse` keeps the
  // dataset of the last run (to measure again without generating it again): the period is then the journal's.
  const databaseUrl = `${BENCH_DATABASE_URL}_coverage`;
  if (!values.reuse) await dropDatabase(databaseUrl);
  const dataSource = createDataSource(databaseUrl, 4);
  await prepareDatabase(dataSource, databaseUrl);
  const pool = pgPoolOf(dataSource);
  const services = (JSON.parse(readFileSync(join(projectRoot(), 'config', 'public-services.json'), 'utf8')) as { services: CatalogService[] }).services;
  let consumerIds: string[];
  let from: number;
  let to: number;
  let journalSeconds: number | null = null;
  if (values.reuse) {
    consumerIds = (await pool.query<{ consumer_id: string }>(`SELECT consumer_id FROM consumers WHERE name LIKE 'bench-coverage-consumer-%'`)).rows.map((row) => row.consumer_id);
    const { rows: [span] } = await pool.query<{ first: Date; last: Date }>(`SELECT min(received_at) AS first, max(received_at) AS last FROM call_journal WHERE request_id LIKE 'bench-coverage-%'`);
    [from, to] = [span.first.getTime(), span.last.getTime() + 1];
    console.log(`reusing the dataset of ${new Date(from).toISOString()} to ${new Date(to).toISOString()}, ${consumerIds.length} consumers`);
    // The last run's registry phase journaled its look-ups in what is still an open hour: not the dataset's.
    await pool.query(`DELETE FROM call_journal WHERE request_id NOT LIKE 'bench-coverage-%'`);
    await pool.query('VACUUM ANALYZE call_journal');
  } else {
    console.log(`seeding ${citizens.toLocaleString('en')} citizens…`);
    await new RegistrySeeder(pool).reset({ seed: 'bench', citizens, referenceDate: '2026-11-28' });
    consumerIds = await seedConsumers(pool, consumerCount, services);
    await ensureRegistryConsumer(pool);
    to = Date.now();
    from = to - days * DAY_MS;
    // Every Vietnamese day of the period needs its partition (there is no default one); the API makes the days ahead.
    for (let day = vietnamDay(from); day <= vietnamDay(to); day = addDays(day, 1)) await pool.query('SELECT call_journal_ensure_partition($1::date)', [day]);
    console.log(`journal: ${rows.toLocaleString('en')} rows, ${services.length} services, ${consumerCount} consumers…`);
    journalSeconds = await seedJournal(pool, rows, from, to, consumerIds, services);
    console.log(`  ${journalSeconds.toFixed(1)} s; VACUUM ANALYZE…`);
    await pool.query('VACUUM ANALYZE call_journal');
    await pool.query('CHECKPOINT');
  }

  // Every closed hour, oldest first, a day at a time (24 hours per catch-up run) for the progress lines.
  const rollups = new RollupRepository(pool);
  const rollupService = new RollupService(rollups, { coverage: { rollupGraceMs: ROLLUP_GRACE_MS } } as AppConfig);
  const rollupStarted = performance.now();
  let rolledHours = 0;
  for (;;) {
    const run = await rollupService.catchUp(Date.now(), 24);
    rolledHours += run.hours.length;
    if (run.hours.length > 0) console.log(`  rolled up ${rolledHours} hours (to ${run.hours.at(-1)}), ${run.remaining} remaining, ${((performance.now() - rollupStarted) / 1000).toFixed(1)} s`);
    if (run.remaining === 0) break;
  }
  const rollupSeconds = (performance.now() - rollupStarted) / 1000;
  // The daily rollups are written once per day (when its 24 hours are rolled up), so the catch-up leaves no dead
  // versions to speak of; the statistics are what autovacuum would give the planner in steady state.
  for (const table of ['coverage_rollup_hourly', 'coverage_rollup_daily', 'coverage_service_hourly', 'coverage_service_daily', 'coverage_field_hourly', 'coverage_rolled_hours']) {
    await pool.query(`VACUUM ANALYZE ${table}`);
  }
  const sizes = await pool.query<{ relname: string; rows: string; size: string }>(
    `SELECT relname, n_live_tup::text AS rows, pg_size_pretty(pg_total_relation_size(relid)) AS size FROM pg_stat_user_tables WHERE relname LIKE 'coverage_%' ORDER BY relname`,
  );
  console.log(`rollup tables: ${sizes.rows.map((row) => `${row.relname} ${Number(row.rows).toLocaleString('en')} rows ${row.size}`).join('; ')}`);
  if (rolledHours > 0) console.log(`rollup: ${rolledHours} hours in ${rollupSeconds.toFixed(1)} s (${((rollupSeconds * 1000) / rolledHours).toFixed(0)} ms per hour)`);

  const env: Record<string, string> = {
    DATABASE_URL: databaseUrl,
    REDIS_URL,
    QUEUE_PREFIX: `bench-coverage-${Date.now()}`,
    ADMIN_API_KEY: ADMIN_KEY,
    SANDBOX_SEED_ON_START: 'false',
    WORKERS_IN_API: 'false',
    FOLLOWER_ENABLED: 'false',
    LOG_LEVEL: 'warn',
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    PORT: String(PORT),
    ROLLUP_GRACE_MS: String(ROLLUP_GRACE_MS),
    ACCESS_ADDRESS_LIMIT_PER_SECOND: '1000000',
  };
  const server = await startServer('src/main.js', env, `${ORIGIN}/health/ready`);
  const dossierRollups = new DossierRollupService(new DossierRollupRepository(pool), new DossierRepository(dataSource, pool), {
    coverage: { rollupGraceMs: ROLLUP_GRACE_MS },
  } as AppConfig);
  const table: Record<string, Latencies & { target?: boolean }> = {};
  let registry: Record<string, unknown> | null = null;
  let dashboard: Awaited<ReturnType<typeof dashboardTimes>> | null = null;
  try {
    // The catalog is written by the API at its start; the dossiers refer to it.
    if (!values.reuse) {
      console.log(`dossiers: ${dossiers.toLocaleString('en')}…`);
      await seedDossiers(pool, dossiers, from, to, services);
      await pool.query('VACUUM ANALYZE portal_dossiers');
    }
    // The coverage job's dossier step, as the worker runs it after the catch-up (the first one rolls up every hour).
    const refreshStarted = performance.now();
    let dossierHours = 0;
    for (let remaining = 1; remaining > 0; ) {
      const refreshed = await dossierRollups.refresh();
      dossierHours += refreshed.newHours + refreshed.changedHours;
      remaining = refreshed.remaining;
    }
    await pool.query('VACUUM ANALYZE coverage_dossier_hourly');
    await pool.query('VACUUM ANALYZE coverage_dossier_area_daily');
    console.log(`dossier rollups: ${dossierHours} hours in ${((performance.now() - refreshStarted) / 1000).toFixed(1)} s`);

    const period = `from=${encodeURIComponent(new Date(from).toISOString())}&to=${encodeURIComponent(new Date(to).toISOString())}`;
    const code = (i: number) => encodeURIComponent(services[i % services.length].code);
    const consumer = (i: number) => consumerIds[(i * 37) % consumerIds.length];
    const endpoints: [string, (i: number) => string][] = [
      ['GET /portal/v1/services/{code} (baseline)', (i) => `/portal/v1/services/${code(i)}`],
      ['GET /coverage/v1/services (24 h)', () => '/coverage/v1/services'],
      [`GET /coverage/v1/services (${days} d)`, () => `/coverage/v1/services?${period}`],
      [`GET /coverage/v1/services/{code} (${days} d)`, (i) => `/coverage/v1/services/${code(i)}?${period}`],
      [`GET /coverage/v1/agencies (${days} d)`, () => `/coverage/v1/agencies?${period}`],
      [`GET /coverage/v1/areas (${days} d, province)`, () => `/coverage/v1/areas?${period}`],
      [`GET /coverage/v1/areas (${days} d, commune)`, () => `/coverage/v1/areas?level=commune&${period}`],
      [`GET /coverage/v1/timeseries (hour, ${days} d, one service)`, (i) => `/coverage/v1/timeseries?measure=p95_latency_ms&interval=hour&service=${code(i)}&${period}`],
      [`GET /coverage/v1/timeseries (hour, ${days} d, all)`, () => `/coverage/v1/timeseries?measure=failed_calls&interval=hour&${period}`],
      [`GET /coverage/v1/timeseries (day, ${days} d, one service)`, (i) => `/coverage/v1/timeseries?measure=success_rate&interval=day&service=${code(i)}&${period}`],
      ['GET /coverage/v1/consumers/{id}/scenarios (7 d)', (i) => `/coverage/v1/consumers/${consumer(i)}/scenarios`],
      [`GET /coverage/v1/consumers/{id}/scenarios (${Math.min(days, 31)} d)`, (i) => `/coverage/v1/consumers/${consumer(i)}/scenarios?from=${encodeURIComponent(new Date(Math.max(from, to - 31 * DAY_MS)).toISOString())}&to=${encodeURIComponent(new Date(to).toISOString())}`],
    ];
    for (const [name, pathOf] of endpoints) {
      table[name] = await measure(pathOf, requests, concurrency, Number(values['endpoint-seconds']) * 1000);
      console.log(`  ${name}: ${table[name].requests} requests, p50 ${table[name].p50Ms} ms, p95 ${table[name].p95Ms} ms, p99 ${table[name].p99Ms} ms`);
    }
    const baselineP95 = table[endpoints[0][0]].p95Ms;
    const limit = Math.min(5 * baselineP95, 200);
    for (const [name] of endpoints.slice(1)) table[name].target = table[name].p95Ms <= limit;

    if (browserRuns > 0) {
      console.log(`dashboard: ${browserRuns} sign-ins in headless Chromium…`);
      dashboard = await dashboardTimes(browserRuns);
    }
    if (registrySeconds > 0) {
      console.log(`registry look-up with and without rollup maintenance (${registryRounds} rounds of ${registrySeconds} s each)…`);
      registry = await registryUnderRollups(pool, rollups, dossierRollups, registrySeconds, registryRounds);
    }

    console.log(`\n| endpoint | requests | p50 ms | p95 ms | p99 ms | target (p95 ≤ ${limit.toFixed(1)} ms) |\n|---|---:|---:|---:|---:|---|`);
    for (const [name, figures] of Object.entries(table)) {
      console.log(`| ${name} | ${figures.requests} | ${figures.p50Ms} | ${figures.p95Ms} | ${figures.p99Ms} | ${figures.target === undefined ? 'baseline' : figures.target ? 'met' : 'missed'} |`);
    }
    if (dashboard) {
      const sorted = (values: number[]) => [...values].sort((a, b) => a - b);
      console.log(`dashboard first view (sign-in to data-ready): ${dashboard.firstViewMs.join(', ')} ms (median ${sorted(dashboard.firstViewMs)[Math.floor(dashboard.firstViewMs.length / 2)]} ms); month view: ${dashboard.monthViewMs.join(', ')} ms; console errors: ${dashboard.consoleErrors.length}`);
    }
    if (registry) console.log(`registry look-up under rollup maintenance: ${JSON.stringify(registry)}`);
    recordResult('coverage', { rows, days, consumers: consumerCount, citizens, dossiers, requests, concurrency, reused: values.reuse, journalSeconds: journalSeconds === null ? null : round1(journalSeconds), rolledHours, rollupSeconds: round1(rollupSeconds), baselineP95Ms: baselineP95, limitMs: limit, table, dashboard, registry });
  } finally {
    await stopServer(server);
    await dataSource.destroy();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
