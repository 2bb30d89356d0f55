import 'reflect-metadata';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import type pg from 'pg';
import { createDataSource } from '../src/database/data-source.js';
import { pgPoolOf, prepareDatabase } from '../src/database/database-bootstrap.js';
import { RegistrySeeder } from '../src/sandbox/seeding/registry-seeder.js';
import { hashApiKey, keyPrefixOf } from '../src/access/api-key.js';
import { BENCH_DATABASE_URL, machineSummary, recordResult, startServer, stopServer } from './bench-support.js';

const CONNECTIONS = 50;
/** Postgres on 2 cores serves more with 10 backends than with 20 (fewer processes contending); see BENCHMARKS.md. */
const POOL_SIZE = 10;

interface Sample {
  idNumber: string;
  fullName: string;
  dateOfBirth: string;
}

interface Figures {
  requestsPerSecond: number;
  p99Ms: number;
  non2xx: number;
  errors: number;
}

/** Makes sure the bench database holds the 1,000,000-citizen dataset (seeded once, reused by later runs). */
async function ensureDataset(pool: pg.Pool, citizens: number): Promise<void> {
  const loaded = await pool.query('SELECT citizens FROM registry_dataset WHERE seed = $1', ['bench']);
  if (loaded.rows[0]?.citizens === citizens) return;
  console.log(`seeding ${citizens.toLocaleString('en')} citizens into the bench database...`);
  await new RegistrySeeder(pool).reset({ seed: 'bench', citizens, referenceDate: '2026-11-28' });
}

/** 20,000 citizens spread over the whole table (BERNOULLI samples rows, not pages), so the load touches cold pages as real traffic would. */
async function sampleCitizens(pool: pg.Pool): Promise<Sample[]> {
  const result = await pool.query<Sample>(
    `SELECT id_number AS "idNumber", full_name AS "fullName", date_of_birth AS "dateOfBirth"
     FROM citizens TABLESAMPLE BERNOULLI (2) REPEATABLE (42) LIMIT 20000`,
  );
  return result.rows;
}

/** (a) The floor: a bare node-postgres primary-key look-up loop, CONNECTIONS in flight, prepared statement. */
async function bareLookupLoop(pool: pg.Pool, samples: Sample[], seconds: number): Promise<Figures> {
  const latencies: number[] = [];
  const deadline = performance.now() + seconds * 1000;
  let cursor = 0;
  const loop = async () => {
    while (performance.now() < deadline) {
      const sample = samples[cursor++ % samples.length];
      const started = performance.now();
      await pool.query({ name: 'bench_bare_lookup', text: 'SELECT * FROM citizens WHERE id_number = $1', values: [sample.idNumber] });
      latencies.push(performance.now() - started);
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: CONNECTIONS }, loop));
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    requestsPerSecond: Math.round(latencies.length / elapsed),
    p99Ms: Number(latencies[Math.floor(latencies.length * 0.99)].toFixed(1)),
    non2xx: 0,
    errors: 0,
  };
}

async function load(url: string, seconds: number, request: (sample: Sample) => autocannon.Request, samples: Sample[]): Promise<Figures> {
  let cursor = 0;
  const result = await autocannon({
    url,
    connections: CONNECTIONS,
    duration: seconds,
    requests: [{ setupRequest: (req) => ({ ...req, ...request(samples[cursor++ % samples.length]) }) }],
  });
  return { requestsPerSecond: Math.round(result.requests.average), p99Ms: result.latency.p99, non2xx: result.non2xx, errors: result.errors };
}

/** The bench consumer: a state agency granted the sandbox service, with limits far above what the bench sends. */
const BENCH_KEY = 'pgk_bench_consumer_key_0000000000000000';

async function ensureBenchConsumer(pool: pg.Pool): Promise<void> {
  await pool.query(
    `INSERT INTO consumers (name, kind, service_codes, key_hash, key_prefix, key_issued_at, rate_limit_per_second, daily_quota)
     VALUES ('bench', 'state', '{SANDBOX-ALL}', $1, $2, now(), 1000000, 1000000000)
     ON CONFLICT ((lower(name))) DO UPDATE SET service_codes = EXCLUDED.service_codes, key_hash = EXCLUDED.key_hash,
       key_prefix = EXCLUDED.key_prefix, key_revoked_at = NULL,
       rate_limit_per_second = EXCLUDED.rate_limit_per_second, daily_quota = EXCLUDED.daily_quota`,
    [hashApiKey(BENCH_KEY), keyPrefixOf(BENCH_KEY)],
  );
}

async function auditRows(pool: pg.Pool): Promise<number> {
  return Number((await pool.query<{ n: string }>('SELECT max(audit_id) AS n FROM access_audit')).rows[0].n ?? 0);
}

const FIELDS = 'fullName,dateOfBirth,sex,permanentAddress,currentAddress';
const lookupRequest = (headers: Record<string, string>) => (s: Sample): autocannon.Request => ({
  method: 'GET',
  path: `/registry/v1/citizens/${s.idNumber}?fields=${FIELDS}`,
  headers,
});
const verifyRequest = (headers: Record<string, string>) => (s: Sample): autocannon.Request => ({
  method: 'POST',
  path: '/registry/v1/citizens/verify',
  headers: { ...headers, 'content-type': 'application/json' },
  body: JSON.stringify({ idNumber: s.idNumber, fullName: s.fullName.toUpperCase(), dateOfBirth: s.dateOfBirth }),
});

/** Warm-up then measure one endpoint. */
async function measure(url: string, seconds: number, request: (s: Sample) => autocannon.Request, samples: Sample[]): Promise<Figures> {
  await load(url, 3, request, samples);
  return load(url, seconds, request, samples);
}

/**
 * `npm run bench:registry [-- --seconds S]`: look-up and verify over 1,000,000 citizens with autocannon at 50
 * connections, in one run:
 * - (a) a bare node-postgres primary-key look-up loop, and (b) a minimal NestJS endpoint doing only that look-up;
 * - the registry endpoints without the access layer (bench-only wiring: bench/registry-without-access.server.ts);
 * - popgate as shipped: key, purpose, allow-list, limits, and an audit row per call.
 * Targets: issue 2, ≥ 5,000 req/s and p99 ≤ 30 ms (the registry); issue 3, ≥ 4,000 req/s and p99 ≤ 40 ms with the
 * access layer on.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({ options: { seconds: { type: 'string', default: '15' }, citizens: { type: 'string', default: '1000000' } } });
  const seconds = Number(values.seconds);
  const dataSource = createDataSource(BENCH_DATABASE_URL, POOL_SIZE);
  await prepareDatabase(dataSource, BENCH_DATABASE_URL);
  const pool = pgPoolOf(dataSource);
  await ensureDataset(pool, Number(values.citizens));
  await ensureBenchConsumer(pool);
  const samples = await sampleCitizens(pool);
  console.log(`bench:registry — ${samples.length} sampled citizens, ${CONNECTIONS} connections, ${seconds} s per run, on ${machineSummary()}`);

  const bare = await bareLookupLoop(pool, samples, seconds);
  console.log('bare node-postgres look-up loop', bare);

  // All 50 connections come from 127.0.0.1, at several times the default per-address limit (1,000 calls/s): the
  // bench measures the gateway, not that limit, so it lifts it as it lifts its consumer's own limits.
  const serverEnv = {
    BENCH_DATABASE_URL,
    DATABASE_URL: BENCH_DATABASE_URL,
    DATABASE_POOL_SIZE: String(POOL_SIZE),
    SANDBOX_SEED_ON_START: 'false',
    WORKERS_IN_API: 'false',
    HOST: '127.0.0.1',
    ACCESS_ADDRESS_LIMIT_PER_SECOND: '1000000',
  };
  const minimal = await startServer('bench/minimal-lookup.server.js', { ...serverEnv, PORT: '3101' }, 'http://127.0.0.1:3101/ready');
  const minimalFigures = await measure('http://127.0.0.1:3101', seconds, (s) => ({ method: 'GET', path: `/citizens/${s.idNumber}` }), samples);
  await stopServer(minimal);
  console.log('minimal NestJS look-up endpoint', minimalFigures);

  const unguarded = await startServer('bench/registry-without-access.server.js', { ...serverEnv, PORT: '3102' }, 'http://127.0.0.1:3102/registry/v1/ready');
  const registryLookup = await measure('http://127.0.0.1:3102', seconds, lookupRequest({}), samples);
  const registryVerify = await measure('http://127.0.0.1:3102', seconds, verifyRequest({}), samples);
  await stopServer(unguarded);
  console.log('registry without access layer: look-up', registryLookup, 'verify', registryVerify);

  const gateway = await startServer('src/main.js', { ...serverEnv, PORT: '3100' }, 'http://127.0.0.1:3100/health');
  const credentials = { authorization: `Bearer ${BENCH_KEY}`, 'x-service-code': 'SANDBOX-ALL', 'x-dossier-id': 'BENCH-1' };
  const auditBefore = await auditRows(pool);
  const auditStarted = performance.now();
  const lookup = await measure('http://127.0.0.1:3100', seconds, lookupRequest(credentials), samples);
  const verify = await measure('http://127.0.0.1:3100', seconds, verifyRequest(credentials), samples);
  const auditSeconds = (performance.now() - auditStarted) / 1000;
  const auditWritten = (await auditRows(pool)) - auditBefore;
  await stopServer(gateway);
  await dataSource.destroy();
  console.log('popgate with access layer: look-up', lookup, 'verify', verify);

  const ratio = (a: number, b: number) => Number((a / b).toFixed(2));
  const summary = {
    bareLoop: bare,
    minimalNest: minimalFigures,
    registryWithoutAccess: {
      lookup: { ...registryLookup, ofBare: ratio(registryLookup.requestsPerSecond, bare.requestsPerSecond), ofMinimalNest: ratio(registryLookup.requestsPerSecond, minimalFigures.requestsPerSecond) },
      verify: { ...registryVerify, ofBare: ratio(registryVerify.requestsPerSecond, bare.requestsPerSecond), ofMinimalNest: ratio(registryVerify.requestsPerSecond, minimalFigures.requestsPerSecond) },
    },
    withAccess: {
      lookup: { ...lookup, ofWithoutAccess: ratio(lookup.requestsPerSecond, registryLookup.requestsPerSecond), ofMinimalNest: ratio(lookup.requestsPerSecond, minimalFigures.requestsPerSecond) },
      verify: { ...verify, ofWithoutAccess: ratio(verify.requestsPerSecond, registryVerify.requestsPerSecond), ofMinimalNest: ratio(verify.requestsPerSecond, minimalFigures.requestsPerSecond) },
      auditRowsPerSecond: Math.round(auditWritten / auditSeconds),
      auditRowsWritten: auditWritten,
    },
    targets: {
      issue2: '≥ 5,000 req/s and p99 ≤ 30 ms (registry look-up and verify)',
      issue2Met: [registryLookup, registryVerify].every((f) => f.requestsPerSecond >= 5_000 && f.p99Ms <= 30 && f.non2xx === 0),
      issue3: '≥ 4,000 req/s and p99 ≤ 40 ms with access and audit on',
      issue3Met: [lookup, verify].every((f) => f.requestsPerSecond >= 4_000 && f.p99Ms <= 40 && f.non2xx === 0),
    },
  };
  console.log(JSON.stringify(summary, null, 2));
  recordResult('registry', summary);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
