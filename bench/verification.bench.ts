import 'reflect-metadata';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { loadConfig } from '../src/config/app-config.js';
import { createDataSource } from '../src/database/data-source.js';
import { pgPoolOf, prepareDatabase } from '../src/database/database-bootstrap.js';
import { DossierRepository } from '../src/portal/dossier.repository.js';
import { toNewDossier } from '../src/portal/dossiers.service.js';
import { VerificationProducer } from '../src/portal/verification.producer.js';
import { JOB_PRESETS } from '../src/queue/job-options.js';
import { QueueName } from '../src/queue/queue-names.js';
import { bullConnection } from '../src/queue/queue.module.js';
import { projectRoot } from '../src/reference/project-root.js';
import { RegistrySeeder } from '../src/sandbox/seeding/registry-seeder.js';
import { BENCH_DATABASE_URL, machineSummary, recordResult, startProcess, startServer, startWorker, stopAll, stopServer } from './bench-support.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const ADMIN_KEY = 'bench-verification-admin-key-000000000';
const PORT = 3491;
const SERVICE = 'BENCH-VERIFY';
const LOGNORMAL = { medianMs: 50, p99Ms: 200 };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until `done()` reaches `total`, printing progress; returns the seconds it took from `startedAt`. */
async function until(label: string, total: number, startedAt: number, done: () => Promise<number>): Promise<number> {
  let last = 0;
  for (;;) {
    const count = await done();
    if (count >= total) return (performance.now() - startedAt) / 1000;
    if (performance.now() - last > 2_000) {
      last = performance.now();
      process.stdout.write(`  ${label}: ${count} / ${total} (${Math.round(count / ((performance.now() - startedAt) / 1000))} /s)\n`);
    }
    await sleep(100);
  }
}

/**
 * `npm run bench:verification [-- --dossiers N --citizens N --concurrency C --workers W]`: dossiers decided per second
 * end to end (from their jobs' enqueueing to the last decision committed), over W worker processes of `npm run
 * worker` with C verification jobs each, against the floor of the same run: bare BullMQ add-and-process of no-op jobs
 * with the same job options, concurrency and number of processes. Then the same with a lognormal latency (median 50
 * ms) on the service's connector, against min(the faults-off rate, W × C ÷ the mean injected delay). Targets (issue
 * 8): at least 0.3 × the floor, and at least 0.8 × that bound.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { dossiers: { type: 'string', default: '100000' }, citizens: { type: 'string', default: '1000000' }, concurrency: { type: 'string', default: '32' }, workers: { type: 'string', default: '2' } },
  });
  const [count, citizens, concurrency, workerCount] = [Number(values.dossiers), Number(values.citizens), Number(values.concurrency), Number(values.workers)];
  const prefix = `bench-verification-${Date.now()}`;
  console.log(`bench:verification on ${machineSummary()}: ${count} dossiers over ${citizens} citizens, ${workerCount} workers × ${concurrency}`);

  const dataSource = createDataSource(BENCH_DATABASE_URL, 10);
  await prepareDatabase(dataSource, BENCH_DATABASE_URL);
  const [dataset] = await dataSource.query(`SELECT citizens FROM registry_dataset`);
  if (dataset?.citizens !== citizens) {
    console.log(`seeding ${citizens} citizens…`);
    await new RegistrySeeder(pgPoolOf(dataSource)).reset({ seed: 'bench', citizens, referenceDate: '2026-11-28' });
  }
  const env = {
    DATABASE_URL: BENCH_DATABASE_URL,
    REDIS_URL,
    QUEUE_PREFIX: prefix,
    ADMIN_API_KEY: ADMIN_KEY,
    SANDBOX_SEED_ON_START: 'false',
    LOG_LEVEL: 'warn',
    NODE_ENV: 'production',
    VERIFICATION_CONCURRENCY: String(concurrency),
    PORTAL_RATE_LIMIT_PER_SECOND: '1000000',
    PORTAL_DAILY_QUOTA: '1000000000',
    ...(process.env.BENCH_POOL ? { DATABASE_POOL_SIZE: process.env.BENCH_POOL } : {}),
  };
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });

  // The floor: no-op jobs, same options, same processes and concurrency.
  const floorQueue = new Queue('floor', { connection: bullConnection(REDIS_URL), prefix });
  const floorWorkers = await Promise.all(
    Array.from({ length: workerCount }, () => startProcess([join(projectRoot(), 'dist/bench/noop-worker.js'), 'floor', prefix, String(concurrency)], env, 'ready')),
  );
  const floorStarted = performance.now();
  for (let start = 0; start < count; start += 1_000) {
    await floorQueue.addBulk(Array.from({ length: Math.min(1_000, count - start) }, (_, i) => ({ name: 'noop', data: { dossierId: `${start + i}` }, opts: { ...JOB_PRESETS.registryCall, jobId: `noop-${start + i}` } })));
  }
  // Completed jobs are kept 10,000 at most (the preset's removeOnComplete): count what is left to do instead.
  const floorSeconds = await until('floor', count, floorStarted, async () => count - (await floorQueue.getJobCountByTypes('waiting', 'active', 'delayed', 'prioritized')));
  await stopAll(floorWorkers);
  await floorQueue.obliterate({ force: true });
  await floorQueue.close();
  const floorRate = count / floorSeconds;
  console.log(`floor: ${Math.round(floorRate)} jobs/s`);

  // popgate: a service of the bench's own (verify only, so one registry call per dossier), its connector set by API.
  const api = await startServer('src/main.js', { ...env, PORT: String(PORT), WORKERS_IN_API: 'false' }, `http://127.0.0.1:${PORT}/health/ready`);
  const admin = { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' };
  const setConnector = (faultProfile: object | null) =>
    fetch(`http://127.0.0.1:${PORT}/connectors/v1/${SERVICE}`, { method: 'PUT', headers: admin, body: JSON.stringify({ state: 'enabled', operations: ['verify'], faultProfile, applyFaultsToAllCallers: false, note: 'bench:verification' }) });
  await fetch(`http://127.0.0.1:${PORT}/portal/v1/services/${SERVICE}`, {
    method: 'PUT',
    headers: admin,
    body: JSON.stringify({ nameVi: 'Thử tải', nameEn: 'Benchmark procedure', leadAgency: 'popgate', allowedFields: ['idNumber', 'fullName', 'dateOfBirth', 'sex'] }),
  });
  const workers = await Promise.all(
    Array.from({ length: workerCount }, () => startWorker({ ...env, LOG_LEVEL: 'info' })),
  );
  const config = loadConfig({ ...process.env, ...env });
  const repository = new DossierRepository(dataSource, pgPoolOf(dataSource));
  const queue = new Queue(QueueName.Verification, { connection: bullConnection(REDIS_URL), prefix });
  const producer = new VerificationProducer(queue, repository, redis, config);

  const phase = async (label: string, profile: object | null, size: number): Promise<number> => {
    const response = await setConnector(profile);
    if (!response.ok) throw new Error(`PUT connector: ${response.status} ${await response.text()}`);
    await sleep(3_000); // the workers see a connector change within ConnectorDirectory.REFRESH_MS
    const filedBy = `bench-${label}-${Date.now()}`;
    const people: Array<{ idNumber: string; fullName: string; dateOfBirth: string; sex: 'male' | 'female' }> = await dataSource.query(
      `SELECT id_number AS "idNumber", full_name AS "fullName", date_of_birth AS "dateOfBirth", sex FROM citizens WHERE length(date_of_birth) = 10 ORDER BY md5($1 || id_number) LIMIT $2`,
      [filedBy, size],
    );
    const ids: string[] = [];
    for (let start = 0; start < people.length; start += 5_000) {
      const rows = people.slice(start, start + 5_000).map((applicant) => toNewDossier({ serviceCode: SERVICE, applicant }, filedBy, null, '0'.repeat(64), null));
      await repository.fileMany(rows);
      ids.push(...rows.map((row) => row.dossierId));
    }
    const started = performance.now();
    for (let start = 0; start < ids.length; start += 1_000) await producer.enqueue(ids.slice(start, start + 1_000));
    const seconds = await until(label, people.length, started, async () => Number((await dataSource.query(`SELECT count(*) AS n FROM portal_dossiers WHERE filed_by = $1 AND decided_at IS NOT NULL`, [filedBy]))[0].n));
    const rate = people.length / seconds;
    console.log(`${label}: ${Math.round(rate)} dossiers/s`);
    return rate;
  };

  try {
    // Not measured: the workers' first jobs pay for connections, prepared statements and the JIT.
    await phase('warm-up', null, Math.min(2_000, Math.max(200, Math.round(count / 10))));
    const plainRate = await phase('faults-off', null, count);
    const sigma = Math.log(LOGNORMAL.p99Ms / LOGNORMAL.medianMs) / 2.326;
    const meanDelayS = (LOGNORMAL.medianMs * Math.exp((sigma * sigma) / 2)) / 1000;
    const latencyRate = await phase('lognormal', { seed: 'bench', latency: { distribution: 'lognormal', ...LOGNORMAL } }, count);
    const bound = Math.min(plainRate, (workerCount * concurrency) / meanDelayS);
    const result = {
      dossiers: count,
      citizens,
      workers: workerCount,
      concurrency,
      floorJobsPerSecond: Math.round(floorRate),
      faultsOffDossiersPerSecond: Math.round(plainRate),
      faultsOffRatio: Number((plainRate / floorRate).toFixed(3)),
      lognormalDossiersPerSecond: Math.round(latencyRate),
      lognormalBound: Math.round(bound),
      lognormalRatio: Number((latencyRate / bound).toFixed(3)),
    };
    console.log(JSON.stringify(result, null, 2));
    console.log(`faults off: ${result.faultsOffRatio} × the floor (target ≥ 0.3); lognormal: ${result.lognormalRatio} × min(faults-off, concurrency ÷ mean delay ${Math.round(meanDelayS * 1000)} ms) (target ≥ 0.8)`);
    recordResult('verification', result);
  } finally {
    await stopAll(workers);
    await stopServer(api);
    await queue.obliterate({ force: true }).catch(() => undefined);
    await queue.close();
    redis.disconnect();
    await dataSource.destroy();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
