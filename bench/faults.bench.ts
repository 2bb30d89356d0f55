import 'reflect-metadata';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import type pg from 'pg';
import { hashApiKey, keyPrefixOf } from '../src/access/api-key.js';
import { createDataSource } from '../src/database/data-source.js';
import { pgPoolOf, prepareDatabase } from '../src/database/database-bootstrap.js';
import { RegistrySeeder } from '../src/sandbox/seeding/registry-seeder.js';
import { BENCH_DATABASE_URL, machineSummary, recordResult, startServer, stopServer } from './bench-support.js';

const CONNECTIONS = 50;
const POOL_SIZE = 10;
const FIELDS = 'fullName,dateOfBirth,sex,permanentAddress,currentAddress';

/** Two bench consumers alike but for the fault profile: one with none, one with a profile at 0 % (one INCR per call). */
const PLAIN_KEY = 'pgk_bench_faults_plain_0000000000000000';
const PROFILED_KEY = 'pgk_bench_faults_profiled_000000000000';

async function ensureConsumer(pool: pg.Pool, name: string, key: string): Promise<void> {
  await pool.query(
    `INSERT INTO consumers (name, kind, service_codes, key_hash, key_prefix, key_issued_at, rate_limit_per_second, daily_quota)
     VALUES ($1, 'state', '{SANDBOX-ALL}', $2, $3, now(), 1000000, 1000000000)
     ON CONFLICT ((lower(name))) DO UPDATE SET key_hash = EXCLUDED.key_hash, key_prefix = EXCLUDED.key_prefix, key_revoked_at = NULL`,
    [name, hashApiKey(key), keyPrefixOf(key)],
  );
}

interface Figures {
  requestsPerSecond: number;
  p99Ms: number;
  non2xx: number;
}

async function look(url: string, key: string, seconds: number, idNumbers: string[]): Promise<Figures> {
  let cursor = 0;
  const result = await autocannon({
    url,
    connections: CONNECTIONS,
    duration: seconds,
    requests: [
      {
        setupRequest: (req) => ({
          ...req,
          method: 'GET',
          path: `/registry/v1/citizens/${idNumbers[cursor++ % idNumbers.length]}?fields=${FIELDS}`,
          headers: { authorization: `Bearer ${key}`, 'x-service-code': 'SANDBOX-ALL' },
        }),
      },
    ],
  });
  return { requestsPerSecond: Math.round(result.requests.average), p99Ms: result.latency.p99, non2xx: result.non2xx };
}

/**
 * `npm run build -s && node dist/bench/faults.bench.js [-- --seconds S --rounds R]`: the look-up path of a consumer
 * with a fault profile at 0 % (counted: one Redis INCR per call) against one with no profile (no I/O for faults),
 * on one gateway, in rounds of alternating order so that drift hits both alike. Target (issue: connectors and faults): the
 * profiled path within 0.9x of the plain one.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({ options: { seconds: { type: 'string', default: '10' }, rounds: { type: 'string', default: '4' }, citizens: { type: 'string', default: '1000000' } } });
  const seconds = Number(values.seconds);
  const dataSource = createDataSource(BENCH_DATABASE_URL, POOL_SIZE);
  await prepareDatabase(dataSource, BENCH_DATABASE_URL);
  const pool = pgPoolOf(dataSource);
  const citizens = Number(values.citizens);
  const loaded = await pool.query('SELECT citizens FROM registry_dataset WHERE seed = $1', ['bench']);
  if (loaded.rows[0]?.citizens !== citizens) await new RegistrySeeder(pool).reset({ seed: 'bench', citizens, referenceDate: '2026-11-28' });
  await ensureConsumer(pool, 'bench faults plain', PLAIN_KEY);
  await ensureConsumer(pool, 'bench faults profiled', PROFILED_KEY);
  const { rows } = await pool.query<{ id_number: string }>('SELECT id_number FROM citizens TABLESAMPLE BERNOULLI (2) REPEATABLE (42) LIMIT 20000');
  const idNumbers = rows.map((row) => row.id_number);
  await dataSource.destroy();

  // All connections come from 127.0.0.1, far above the default per-address limit (1,000 calls/s): lifted, as
  // bench:registry does, or every call past the limit would be a quick 429 and the figures would measure refusals.
  const env = {
    DATABASE_URL: BENCH_DATABASE_URL,
    DATABASE_POOL_SIZE: String(POOL_SIZE),
    SANDBOX_SEED_ON_START: 'false',
    WORKERS_IN_API: 'false',
    HOST: '127.0.0.1',
    PORT: '3103',
    LOG_LEVEL: 'warn',
    ACCESS_ADDRESS_LIMIT_PER_SECOND: '1000000',
  };
  const gateway = await startServer('src/main.js', env, 'http://127.0.0.1:3103/health');
  const url = 'http://127.0.0.1:3103';
  try {
    const put = await fetch(`${url}/sandbox/faults`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${PROFILED_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ profile: { seed: 'bench', errors: [{ kind: 'unavailable', probability: 0 }] } }),
    });
    if (!put.ok) throw new Error(`PUT /sandbox/faults answered ${put.status}: ${await put.text()}`);
    console.log(`bench:faults — ${idNumbers.length} sampled citizens, ${CONNECTIONS} connections, ${seconds} s per run, on ${machineSummary()}`);
    await look(url, PLAIN_KEY, 3, idNumbers);
    await look(url, PROFILED_KEY, 3, idNumbers);
    const rounds: { plain: Figures; profiled: Figures; ratio: number }[] = [];
    for (let round = 0; round < Number(values.rounds); round += 1) {
      // ABBA order: a drift of the machine during the run weighs on both alike.
      const first = round % 2 === 0 ? PLAIN_KEY : PROFILED_KEY;
      const a = await look(url, first, seconds, idNumbers);
      const b = await look(url, first === PLAIN_KEY ? PROFILED_KEY : PLAIN_KEY, seconds, idNumbers);
      const [plain, profiled] = first === PLAIN_KEY ? [a, b] : [b, a];
      rounds.push({ plain, profiled, ratio: Number((profiled.requestsPerSecond / plain.requestsPerSecond).toFixed(3)) });
      console.log(`round ${round + 1}`, rounds.at(-1));
    }
    const sum = (pick: (r: (typeof rounds)[number]) => number) => rounds.reduce((total, r) => total + pick(r), 0);
    const summary = {
      rounds,
      ratio: Number((sum((r) => r.profiled.requestsPerSecond) / sum((r) => r.plain.requestsPerSecond)).toFixed(3)),
      target: 'profiled look-up at 0 % within 0.9x of no profile',
    };
    // A figure that counts refusals or errors measures them, not the look-up path: such a run meets nothing.
    const clean = rounds.every((r) => r.plain.non2xx === 0 && r.profiled.non2xx === 0);
    if (!clean) console.error('bench:faults — some answers were not 2xx: the figures are not of the look-up path');
    console.log(JSON.stringify({ ...summary, clean, met: clean && summary.ratio >= 0.9 }, null, 2));
    recordResult('faults', { ...summary, clean, met: clean && summary.ratio >= 0.9 });
  } finally {
    await stopServer(gateway);
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
