import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { Queue } from 'bullmq';
import { createDataSource } from '../src/database/data-source.js';
import { pgPoolOf, prepareDatabase } from '../src/database/database-bootstrap.js';
import { syncBatchJobId } from '../src/portal/sync-run.producer.js';
import { QueueName } from '../src/queue/queue-names.js';
import { bullConnection } from '../src/queue/queue.module.js';
import { RegistrySeeder } from '../src/sandbox/seeding/registry-seeder.js';
import { BENCH_DATABASE_URL, dropDatabase, machineSummary, recordResult, startServer, startWorker, stopAll, stopServer } from './bench-support.js';
import { measureFollower, type FollowerFigures } from './follower-rate.js';
import { differingResults, runFloor } from './sync-floor.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const ADMIN_KEY = 'bench-sync-admin-key-0000000000000000';
const PORT = 3492;
/** Every field a portal record holds: the run verifies, then looks up addresses, marital status and status. */
const EVERY_HELD_FIELD = ['idNumber', 'fullName', 'dateOfBirth', 'sex', 'permanentAddress', 'currentAddress', 'maritalStatus', 'citizenStatus', 'statusDate'];
const DRIFT_RATE = 0.05;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const admin = { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' };
const api = (path: string, init: { method?: string; body?: unknown } = {}) =>
  fetch(`http://127.0.0.1:${PORT}${path}`, { method: init.method ?? 'GET', headers: admin, body: init.body === undefined ? undefined : JSON.stringify(init.body) }).then(async (response) => {
    const text = await response.text();
    if (!response.ok) throw new Error(`${init.method ?? 'GET'} ${path}: ${response.status} ${text}`);
    return text ? JSON.parse(text) : null;
  });

/** A catalog service of the bench's own, every held field allowed, its connector enabling verify-batch and look-up. */
async function benchService(code: string): Promise<void> {
  await api(`/portal/v1/services/${code}`, { method: 'PUT', body: { nameVi: 'Đối soát thử tải', nameEn: 'Sync benchmark', leadAgency: 'popgate', allowedFields: EVERY_HELD_FIELD } });
  await api(`/connectors/v1/${code}`, { method: 'PUT', body: { state: 'enabled', operations: ['verify', 'verify-batch', 'look-up'], faultProfile: null, applyFaultsToAllCallers: false, note: 'bench:sync' } });
}

/** Generates `count` records for the service through the API (a job) and waits, printing its progress. */
async function generate(serviceCode: string, count: number): Promise<void> {
  const { jobId } = await api('/sandbox/portal/records/generate', { method: 'POST', body: { serviceCode, count, driftRate: DRIFT_RATE, seed: `bench-${serviceCode}` } });
  const started = performance.now();
  for (let last = -1; ; await sleep(1_000)) {
    const job = await api(`/sandbox/portal/records/jobs/${jobId}`);
    if (job.state === 'completed') break;
    if (job.state === 'failed') throw new Error(`generating ${serviceCode}: ${JSON.stringify(job)}`);
    if (job.progress !== last) process.stdout.write(`  generating ${count} records for ${serviceCode}: ${(last = job.progress)} %\n`);
  }
  console.log(`  ${count} records for ${serviceCode} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

interface RunFigures {
  runId: string;
  records: number;
  seconds: number;
  recordsPerSecond: number;
  msPerRecord: number;
  kinds: Record<string, number>;
  batches: number;
  /** Of the worker slots' time over the run, the share no batch was being processed: the queue's own time. */
  queueShare: number;
  /** The mean time from a batch job's creation to a worker taking it, in seconds (most of it is waiting its turn). */
  meanWaitS: number;
}

/**
 * One `verify` run of the service, from its POST to its completion as the API reports it. The queue's share comes
 * from the batch jobs BullMQ kept (the preset keeps the last 10,000 completed): each job's processing time (from
 * processedOn to finishedOn, set by the worker) summed, against the slots (workers × SYNC_CONCURRENCY) × the time
 * from the run's first job taken to its last finished. What the slots did not spend processing, they spent waiting
 * for the queue to hand them a job and to record the last one.
 */
async function run(serviceCode: string, queue: Queue, slots: number): Promise<RunFigures> {
  const started = performance.now();
  const { runs } = await api('/portal/v1/sync-runs', { method: 'POST', body: { serviceCode, mode: 'verify' } });
  const runId: string = runs[0].runId;
  let view: Record<string, any>;
  for (let last = 0; ; await sleep(250)) {
    view = await api(`/portal/v1/sync-runs/${runId}`);
    if (view.state === 'completed') break;
    if (view.state !== 'running' && view.state !== 'pending') throw new Error(`sync run ${runId} ended ${view.state}: ${view.stopReason}`);
    if (performance.now() - last > 5_000) {
      last = performance.now();
      process.stdout.write(`  ${serviceCode}: ${view.records.scanned} / ${view.records.planned ?? '?'} records, ${view.throughput?.recordsPerSecond ?? 0} /s, ETA ${view.eta ?? '?'}\n`);
    }
  }
  const seconds = (performance.now() - started) / 1000;
  const records = view.records.scanned as number;
  const batchCount = view.batches.planned as number;
  const jobs = (await Promise.all(Array.from({ length: batchCount }, (_, batchNo) => queue.getJob(syncBatchJobId(runId, batchNo))))).filter((job) => job?.processedOn && job.finishedOn);
  const busy = jobs.reduce((sum, job) => sum + (job!.finishedOn! - job!.processedOn!), 0);
  const firstTaken = Math.min(...jobs.map((job) => job!.processedOn!));
  const lastFinished = Math.max(...jobs.map((job) => job!.finishedOn!));
  const meanWait = jobs.reduce((sum, job) => sum + (job!.processedOn! - job!.timestamp), 0) / jobs.length;
  if (jobs.length < batchCount) console.log(`  (${batchCount - jobs.length} batch jobs were no longer kept; the queue's share counts the ${jobs.length} kept)`);
  const kinds = Object.fromEntries(Object.entries(view.discrepancies.byKind as Record<string, number>).filter(([, n]) => n > 0));
  return {
    runId,
    records,
    seconds: Number(seconds.toFixed(2)),
    recordsPerSecond: Math.round(records / seconds),
    msPerRecord: Number(((seconds * 1000) / records).toFixed(4)),
    kinds,
    batches: batchCount,
    queueShare: Number((1 - busy / (slots * (lastFinished - firstTaken))).toFixed(3)),
    meanWaitS: Number((meanWait / 1000).toFixed(1)),
  };
}

const sameCounts = (a: Record<string, number>, b: Record<string, number>) => JSON.stringify(Object.entries(a).sort()) === JSON.stringify(Object.entries(b).sort());

/**
 * `npm run bench:sync [-- --records N --small N --citizens N --workers W --events N]`: issue 9's figures.
 * - A `verify` run over N portal records (of a service allowed every field a record holds, 5 % drifted) through W
 *   worker processes of `npm run worker`, records per second from its request to its completion, against the floor
 *   of the same run: one set-based SQL statement that computes the same discrepancies and writes the same result
 *   and audit rows (sync-floor.ts). Target: at least 0.25 × the floor; the queue's share of the run at most a fifth.
 * - The same run over `small` records: the cost per record must stay within ±20 % from small to N.
 * - The changes follower: E events recorded in the registry, applied by the follower's own steps, in events per
 *   second, against the rate at which the same events are read from the feed alone (follower-rate.ts). Target: at
 *   least 0.25 × the read rate.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      records: { type: 'string', default: '1000000' },
      small: { type: 'string', default: '100000' },
      citizens: { type: 'string', default: '1000000' },
      workers: { type: 'string', default: '2' },
      events: { type: 'string', default: '20000' },
      'skip-sync': { type: 'boolean', default: false },
    },
  });
  const [large, small, citizens, workerCount, events] = [Number(values.records), Number(values.small), Number(values.citizens), Number(values.workers), Number(values.events)];
  const prefix = `bench-sync-${Date.now()}`;
  console.log(`bench:sync on ${machineSummary()}: verify runs over ${small} and ${large} records (${citizens} citizens), ${workerCount} workers; the follower over ${events} events`);

  // A database of its own, made afresh: what earlier runs left (millions of audit and result rows, the follower's
  // events recorded into the registry) would otherwise weigh on this run's figures.
  const databaseUrl = `${BENCH_DATABASE_URL}_sync`;
  await dropDatabase(databaseUrl);
  const dataSource = createDataSource(databaseUrl, 10);
  await prepareDatabase(dataSource, databaseUrl);
  const pool = pgPoolOf(dataSource);
  console.log(`seeding ${citizens} citizens…`);
  await new RegistrySeeder(pool).reset({ seed: 'bench', citizens, referenceDate: '2026-11-28' });
  const env: Record<string, string> = {
    DATABASE_URL: databaseUrl,
    REDIS_URL,
    QUEUE_PREFIX: prefix,
    ADMIN_API_KEY: ADMIN_KEY,
    SANDBOX_SEED_ON_START: 'false',
    LOG_LEVEL: 'warn',
    NODE_ENV: 'production',
    FOLLOWER_ENABLED: 'false',
    PORTAL_RATE_LIMIT_PER_SECOND: '1000000',
    PORTAL_DAILY_QUOTA: '1000000000',
    ...(process.env.BENCH_POOL ? { DATABASE_POOL_SIZE: process.env.BENCH_POOL } : {}),
  };
  const sync: Record<string, unknown> = {};
  if (!values['skip-sync']) {
    const server = await startServer('src/main.js', { ...env, PORT: String(PORT), WORKERS_IN_API: 'false' }, `http://127.0.0.1:${PORT}/health/ready`);
    const workers = await Promise.all(Array.from({ length: workerCount }, () => startWorker({ ...env, LOG_LEVEL: 'info' })));
    const queue = new Queue(QueueName.Sync, { connection: bullConnection(REDIS_URL), prefix });
    const slots = workerCount * Number(process.env.SYNC_CONCURRENCY ?? 4);
    try {
      const services = { warm: 'BENCH-SYNC-WARM', small: 'BENCH-SYNC-S', large: 'BENCH-SYNC-L' };
      for (const code of Object.values(services)) await benchService(code);
      await sleep(3_000); // the workers see a connector change within ConnectorDirectory.REFRESH_MS
      for (const [code, count] of [[services.warm, 5_000], [services.small, small], [services.large, large]] as const) await generate(code, count);
      // The runs do not pay for the generation: its rows vacuumed and analysed, its dirty pages written out.
      await dataSource.query('VACUUM ANALYZE portal_records');
      await dataSource.query('CHECKPOINT');
      // Not measured: the workers' first batches pay for connections, prepared statements and the JIT.
      await run(services.warm, queue, slots);
      const smallRun = await run(services.small, queue, slots);
      console.log(`  ${smallRun.records} records: ${smallRun.recordsPerSecond} records/s, queue ${(smallRun.queueShare * 100).toFixed(1)} %`);
      const largeRun = await run(services.large, queue, slots);
      console.log(`  ${largeRun.records} records: ${largeRun.recordsPerSecond} records/s, queue ${(largeRun.queueShare * 100).toFixed(1)} %`);
      const [{ consumerId }] = await dataSource.query(`SELECT consumer_id AS "consumerId" FROM consumers WHERE name = 'City portal (dossier verification)'`);
      console.log(`floor: one statement over the ${largeRun.records} records…`);
      const floorRunId = randomUUID();
      const floor = await runFloor(pool, services.large, consumerId, floorRunId);
      const floorRate = floor.results / floor.seconds;
      console.log(`  floor: ${Math.round(floorRate)} records/s (${floor.seconds.toFixed(1)} s, ${floor.auditRows} audit rows)`);
      // The floor counts only if it computed what the run did, record by record.
      const differing = await differingResults(pool, largeRun.runId, floorRunId);
      if (differing > 0 || !sameCounts(floor.kinds, largeRun.kinds)) {
        throw new Error(`the floor's results differ from the run's on ${differing} records (kinds ${JSON.stringify(floor.kinds)} against ${JSON.stringify(largeRun.kinds)})`);
      }
      Object.assign(sync, {
        smallRun,
        largeRun,
        floor: { ...floor, recordsPerSecond: Math.round(floorRate) },
        floorResultsEqualRun: true,
        runRatio: Number((largeRun.recordsPerSecond / floorRate).toFixed(3)),
        costPerRecordLargeOverSmall: Number((largeRun.msPerRecord / smallRun.msPerRecord).toFixed(3)),
      });
    } finally {
      await stopAll(workers);
      await stopServer(server);
      await queue.obliterate({ force: true }).catch(() => undefined);
      await queue.close();
    }
  }

  let follower: FollowerFigures | null = null;
  if (events > 0) {
    console.log(`follower: recording ${events} events…`);
    follower = await measureFollower({ ...env, PORT: String(PORT) }, pool, events, 'BENCH-SYNC-L');
    console.log(`  read alone: ${follower.readEventsPerSecond} events/s; applied by the follower: ${follower.applyEventsPerSecond} events/s`);
  }

  const result = { ...sync, ...(follower ? { follower, followerRatio: Number((follower.applyEventsPerSecond / follower.readEventsPerSecond).toFixed(3)) } : {}) };
  console.log(JSON.stringify(result, null, 2));
  if ('runRatio' in sync) {
    console.log(`run: ${sync.runRatio} × the floor (target ≥ 0.25); queue ${(((sync.largeRun as RunFigures).queueShare) * 100).toFixed(1)} % of the run (target ≤ 20 %); cost per record ${large} ÷ ${small}: ${sync.costPerRecordLargeOverSmall} (target 0.8-1.2)`);
  }
  if (follower) console.log(`follower: ${(result as { followerRatio: number }).followerRatio} × the feed's read rate (target ≥ 0.25)`);
  recordResult('sync', { large, small, citizens, workers: workerCount, events, ...result });
  await dataSource.destroy();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
