import 'reflect-metadata';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import type pg from 'pg';
import { createDataSource } from '../src/database/data-source.js';
import { pgPoolOf, prepareDatabase } from '../src/database/database-bootstrap.js';
import { RegistrySeeder } from '../src/sandbox/seeding/registry-seeder.js';
import { hashApiKey, keyPrefixOf } from '../src/access/api-key.js';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectRoot } from '../src/reference/project-root.js';
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

async function ensureBenchConsumer(pool: pg.Pool): Promise<string> {
  const result = await pool.query<{ consumer_id: string }>(
    `INSERT INTO consumers (name, kind, service_codes, key_hash, key_prefix, key_issued_at, rate_limit_per_second, daily_quota)
     VALUES ('bench', 'state', '{SANDBOX-ALL}', $1, $2, now(), 1000000, 1000000000)
     ON CONFLICT ((lower(name))) DO UPDATE SET service_codes = EXCLUDED.service_codes, key_hash = EXCLUDED.key_hash,
       key_prefix = EXCLUDED.key_prefix, key_revoked_at = NULL,
       rate_limit_per_second = EXCLUDED.rate_limit_per_second, daily_quota = EXCLUDED.daily_quota
     RETURNING consumer_id`,
    [hashApiKey(BENCH_KEY), keyPrefixOf(BENCH_KEY)],
  );
  return result.rows[0].consumer_id;
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

/** Runs the in-process entry point's bench worker (bench/in-process-verify.worker.ts) and reads its figures. */
async function inProcessVerify(env: Record<string, string>, samples: Sample[], seconds: number, consumerId: string): Promise<Figures> {
  const child = spawn(process.execPath, ['--max-semi-space-size=64', join(projectRoot(), 'dist', 'bench', 'in-process-verify.worker.js')], {
    env: { ...process.env, ...env, BENCH_SAMPLES_FILE: samplesFile(samples), BENCH_SECONDS: String(seconds), BENCH_CONNECTIONS: String(CONNECTIONS), BENCH_CONSUMER_ID: consumerId },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  const code = await new Promise((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`the in-process bench worker exited with ${code}`);
  const figures = JSON.parse(output.trim().split('\n').pop()!) as { callsPerSecond: number; p99Ms: number; failures: number };
  return { requestsPerSecond: figures.callsPerSecond, p99Ms: figures.p99Ms, non2xx: figures.failures, errors: 0 };
}

/** The samples, written once to a file the worker reads (an environment variable holds too little). */
let writtenSamples: string | undefined;
function samplesFile(samples: Sample[]): string {
  writtenSamples ??= join(mkdtempSync(join(tmpdir(), 'popgate-bench-')), 'samples.json');
  writeFileSync(writtenSamples, JSON.stringify(samples));
  return writtenSamples;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};
const ratio = (a: number, b: number) => Number((a / b).toFixed(2));

/** One round: every phase once, in sequence, on servers that stay up for the whole run. */
interface Round {
  bare: Figures;
  minimalNest: Figures;
  withoutAccess: { lookup: Figures; verify: Figures };
  shipped: { lookup: Figures; verify: Figures };
  inProcessVerify: Figures;
}

/**
 * `npm run bench:registry [-- --seconds S --rounds R]`: look-up and verify over 1,000,000 citizens with autocannon at
 * 50 connections. Every phase runs once per round, in the same order, and the rounds alternate (3 by default):
 * two passes of the same bench on one machine have differed by a factor of 1.7 in the shipped/without ratio, so a
 * ratio is only worth its median over rounds measured side by side. The phases:
 * - (a) a bare node-postgres primary-key look-up loop, and (b) a minimal NestJS endpoint doing only that look-up;
 * - the registry endpoints without the access layer (bench-only wiring: bench/registry-without-access.server.ts);
 * - popgate as shipped: key, purpose, allow-list, limits, an audit row per citizen and a journal row per call;
 * - the in-process entry point (what a job calls), verify of one citizen, at the same concurrency.
 * Targets (issue 7): shipped look-up and verify at least 0.45 x without the access layer and 1.0 x the minimal Nest
 * endpoint (medians), p99 at most 20 ms.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({ options: { seconds: { type: 'string', default: '15' }, citizens: { type: 'string', default: '1000000' }, rounds: { type: 'string', default: '3' } } });
  const seconds = Number(values.seconds);
  const rounds = Number(values.rounds);
  const dataSource = createDataSource(BENCH_DATABASE_URL, POOL_SIZE);
  await prepareDatabase(dataSource, BENCH_DATABASE_URL);
  const pool = pgPoolOf(dataSource);
  await ensureDataset(pool, Number(values.citizens));
  const consumerId = await ensureBenchConsumer(pool);
  const samples = await sampleCitizens(pool);
  console.log(`bench:registry — ${samples.length} sampled citizens, ${CONNECTIONS} connections, ${seconds} s per phase, ${rounds} rounds, on ${machineSummary()}`);

  // All 50 connections come from 127.0.0.1, at several times the default per-address limit (1,000 calls/s): the
  // bench measures the gateway, not that limit, so it lifts it as it lifts its consumer's own limits.
  const serverEnv = {
    BENCH_DATABASE_URL,
    DATABASE_URL: BENCH_DATABASE_URL,
    DATABASE_POOL_SIZE: String(POOL_SIZE),
    SANDBOX_SEED_ON_START: 'false',
    WORKERS_IN_API: 'false',
    HOST: '127.0.0.1',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
    ACCESS_ADDRESS_LIMIT_PER_SECOND: '1000000',
  };
  const minimal = await startServer('bench/minimal-lookup.server.js', { ...serverEnv, PORT: '3101' }, 'http://127.0.0.1:3101/ready');
  const unguarded = await startServer('bench/registry-without-access.server.js', { ...serverEnv, PORT: '3102' }, 'http://127.0.0.1:3102/registry/v1/ready');
  const gateway = await startServer('src/main.js', { ...serverEnv, PORT: '3100' }, 'http://127.0.0.1:3100/health');
  const credentials = { authorization: `Bearer ${BENCH_KEY}`, 'x-service-code': 'SANDBOX-ALL', 'x-dossier-id': 'BENCH-1' };

  const results: Round[] = [];
  for (let round = 1; round <= rounds; round++) {
    const bare = await bareLookupLoop(pool, samples, seconds);
    const minimalNest = await measure('http://127.0.0.1:3101', seconds, (s) => ({ method: 'GET', path: `/citizens/${s.idNumber}` }), samples);
    const withoutAccess = { lookup: await measure('http://127.0.0.1:3102', seconds, lookupRequest({}), samples), verify: await measure('http://127.0.0.1:3102', seconds, verifyRequest({}), samples) };
    const shipped = { lookup: await measure('http://127.0.0.1:3100', seconds, lookupRequest(credentials), samples), verify: await measure('http://127.0.0.1:3100', seconds, verifyRequest(credentials), samples) };
    const inProcess = await inProcessVerify(serverEnv, samples, seconds, consumerId);
    const result: Round = { bare, minimalNest, withoutAccess, shipped, inProcessVerify: inProcess };
    results.push(result);
    console.log(`round ${round}:`, JSON.stringify({
      bare: bare.requestsPerSecond,
      minimalNest: minimalNest.requestsPerSecond,
      withoutAccess: [withoutAccess.lookup.requestsPerSecond, withoutAccess.verify.requestsPerSecond],
      shipped: [shipped.lookup, shipped.verify].map((f) => `${f.requestsPerSecond} req/s p99 ${f.p99Ms} ms`),
      inProcessVerify: `${inProcess.requestsPerSecond} calls/s p99 ${inProcess.p99Ms} ms`,
      ratios: roundRatios(result),
    }));
  }
  await Promise.all([stopServer(minimal), stopServer(unguarded), stopServer(gateway)]);
  await dataSource.destroy();

  const perRound = results.map(roundRatios);
  const medians = Object.fromEntries(Object.keys(perRound[0]).map((key) => [key, median(perRound.map((r) => r[key as keyof typeof r]))]));
  const shippedP99 = results.flatMap((r) => [r.shipped.lookup.p99Ms, r.shipped.verify.p99Ms]);
  const summary = {
    rounds: results,
    ratiosPerRound: perRound,
    medianRatios: medians,
    targets: {
      issue7: 'shipped look-up and verify ≥ 0.45 × without the access layer and ≥ 1.0 × the minimal Nest endpoint (medians), p99 ≤ 20 ms',
      issue7Met:
        medians.lookupOfWithoutAccess >= 0.45 && medians.verifyOfWithoutAccess >= 0.45 && medians.lookupOfMinimalNest >= 1 && medians.verifyOfMinimalNest >= 1 &&
        median(shippedP99) <= 20 && results.every((r) => r.shipped.lookup.non2xx === 0 && r.shipped.verify.non2xx === 0),
    },
  };
  console.log(JSON.stringify({ medianRatios: medians, targets: summary.targets }, null, 2));
  recordResult('registry', summary);
}

function roundRatios(r: Round) {
  return {
    lookupOfWithoutAccess: ratio(r.shipped.lookup.requestsPerSecond, r.withoutAccess.lookup.requestsPerSecond),
    verifyOfWithoutAccess: ratio(r.shipped.verify.requestsPerSecond, r.withoutAccess.verify.requestsPerSecond),
    lookupOfMinimalNest: ratio(r.shipped.lookup.requestsPerSecond, r.minimalNest.requestsPerSecond),
    verifyOfMinimalNest: ratio(r.shipped.verify.requestsPerSecond, r.minimalNest.requestsPerSecond),
    inProcessVerifyOfHttpVerify: ratio(r.inProcessVerify.requestsPerSecond, r.shipped.verify.requestsPerSecond),
  };
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
