import 'reflect-metadata';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import type pg from 'pg';
import { createDataSource } from '../src/database/data-source.js';
import { pgPoolOf, prepareDatabase } from '../src/database/database-bootstrap.js';
import { RegistrySeeder } from '../src/registry/seeding/registry-seeder.js';
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

/**
 * `npm run bench:registry [-- --seconds S]`: look-up and verify through popgate over 1,000,000 citizens with
 * autocannon at 50 connections, against (a) a bare node-postgres look-up loop and (b) a minimal NestJS endpoint
 * doing only that look-up, all in one run. Target (issue 2): ≥ 5,000 req/s and p99 ≤ 30 ms for each endpoint.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({ options: { seconds: { type: 'string', default: '15' }, citizens: { type: 'string', default: '1000000' } } });
  const seconds = Number(values.seconds);
  const dataSource = createDataSource(BENCH_DATABASE_URL, POOL_SIZE);
  await prepareDatabase(dataSource, BENCH_DATABASE_URL);
  const pool = pgPoolOf(dataSource);
  await ensureDataset(pool, Number(values.citizens));
  const samples = await sampleCitizens(pool);
  console.log(`bench:registry — ${samples.length} sampled citizens, ${CONNECTIONS} connections, ${seconds} s per run, on ${machineSummary()}`);

  const bare = await bareLookupLoop(pool, samples, seconds);
  await dataSource.destroy();
  console.log('bare node-postgres look-up loop', bare);

  const minimal = await startServer('bench/minimal-lookup.server.js', { PORT: '3101', BENCH_DATABASE_URL, DATABASE_POOL_SIZE: String(POOL_SIZE) }, 'http://127.0.0.1:3101/ready');
  const lookupRequest = (s: Sample): autocannon.Request => ({ method: 'GET', path: `/citizens/${s.idNumber}` });
  await load('http://127.0.0.1:3101', 3, lookupRequest, samples);
  const minimalFigures = await load('http://127.0.0.1:3101', seconds, lookupRequest, samples);
  await stopServer(minimal);
  console.log('minimal NestJS look-up endpoint', minimalFigures);

  const gateway = await startServer(
    'src/main.js',
    { PORT: '3100', HOST: '127.0.0.1', DATABASE_URL: BENCH_DATABASE_URL, SANDBOX_SEED_ON_START: 'false', WORKERS_IN_API: 'false', DATABASE_POOL_SIZE: String(POOL_SIZE) },
    'http://127.0.0.1:3100/health',
  );
  const gatewayLookup = (s: Sample): autocannon.Request => ({
    method: 'GET',
    path: `/registry/v1/citizens/${s.idNumber}?fields=fullName,dateOfBirth,sex,permanentAddress,currentAddress`,
  });
  const gatewayVerify = (s: Sample): autocannon.Request => ({
    method: 'POST',
    path: '/registry/v1/citizens/verify',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ idNumber: s.idNumber, fullName: s.fullName.toUpperCase(), dateOfBirth: s.dateOfBirth }),
  });
  await load('http://127.0.0.1:3100', 3, gatewayLookup, samples);
  const lookup = await load('http://127.0.0.1:3100', seconds, gatewayLookup, samples);
  console.log('popgate look-up', lookup);
  await load('http://127.0.0.1:3100', 3, gatewayVerify, samples);
  const verify = await load('http://127.0.0.1:3100', seconds, gatewayVerify, samples);
  console.log('popgate verify', verify);
  await stopServer(gateway);

  const ratio = (a: number, b: number) => Number((a / b).toFixed(2));
  const summary = {
    bareLoop: bare,
    minimalNest: minimalFigures,
    lookup: { ...lookup, ofBare: ratio(lookup.requestsPerSecond, bare.requestsPerSecond), ofMinimalNest: ratio(lookup.requestsPerSecond, minimalFigures.requestsPerSecond) },
    verify: { ...verify, ofBare: ratio(verify.requestsPerSecond, bare.requestsPerSecond), ofMinimalNest: ratio(verify.requestsPerSecond, minimalFigures.requestsPerSecond) },
    target: '≥ 5,000 req/s and p99 ≤ 30 ms for look-up and verify',
    met: [lookup, verify].every((f) => f.requestsPerSecond >= 5_000 && f.p99Ms <= 30 && f.non2xx === 0 && f.errors === 0),
  };
  console.log(JSON.stringify(summary, null, 2));
  recordResult('registry', summary);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
