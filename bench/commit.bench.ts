import 'reflect-metadata';
import { readdirSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Registry } from 'prom-client';
import { createHmac, randomBytes } from 'node:crypto';
import { createDataSource } from '../src/database/data-source.js';
import { pgPoolOf, prepareDatabase } from '../src/database/database-bootstrap.js';
import { SharedCommitWriter, type CommitBatch } from '../src/database/shared-commit.writer.js';
import { newCallId } from '../src/access/call-record.js';
import { newTimeOrderedId } from '../src/common/time-ordered-id.js';
import type { MetricsRegistry } from '../src/common/metrics.module.js';
import { BENCH_DATABASE_URL, machineSummary, recordResult } from './bench-support.js';

/**
 * `npm run bench:commit [-- --commits N]`: what committing registry calls costs PostgreSQL, on its own. The real
 * SharedCommitWriter appends a look-up's journal row and audit row per call to the bench database, in batches of
 * 1, 17 (what the shipped path shares under 50 connections) and 100 calls, one batch at a time; for each size it
 * reports the time per commit and the CPU that PostgreSQL's processes spent per call (read from /proc), which is the
 * part of an audited call no Node-side work can remove. The floor of the same run is a bare `SELECT 1` round trip.
 * The rows stay in the bench database (the audit is append-only): about 57,000 audit rows a run.
 */

const FIELDS = ['fullName', 'dateOfBirth', 'sex', 'permanentAddress', 'currentAddress'];
const CLOCK_TICKS_PER_SECOND = 100;

function postgresPids(): string[] {
  return readdirSync('/proc').filter((entry) => {
    if (!/^\d+$/.test(entry)) return false;
    try {
      return readFileSync(`/proc/${entry}/comm`, 'utf8').startsWith('postgres');
    } catch {
      return false;
    }
  });
}

/** utime + stime of the processes, in clock ticks (a process that exited meanwhile counts from neither end). */
function cpuTicks(pids: string[]): Map<string, number> {
  const ticks = new Map<string, number>();
  for (const pid of pids) {
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
      ticks.set(pid, Number(fields[11]) + Number(fields[12]));
    } catch {
      // gone
    }
  }
  return ticks;
}

function ticksBetween(before: Map<string, number>, after: Map<string, number>): number {
  let total = 0;
  for (const [pid, ticks] of after) if (before.has(pid)) total += ticks - before.get(pid)!;
  return total;
}

function lookupCall(consumerId: string, key: Buffer): CommitBatch {
  const receivedAtMs = Date.now();
  const callId = newCallId(receivedAtMs);
  const requestId = newTimeOrderedId();
  const citizenHmac = createHmac('sha256', key).update(randomBytes(6)).digest('hex');
  return {
    journal: [{
      callId, receivedAt: new Date(receivedAtMs), requestId, transport: 'http', consumerId, serviceCode: 'SANDBOX-ALL', operation: 'lookup',
      dossierId: 'BENCH-1', jobId: null, attempt: null, outcome: 'ok', httpStatus: 200, problemCode: null, faultKind: null, latencyMs: 3.2,
      fieldsRequested: FIELDS, fieldsReturned: FIELDS, batch: null, personaKey: null, fingerprint: createHmac('sha256', key).update(requestId).digest('hex'),
    }],
    audit: [{
      callId, requestId, consumerId, officerHmac: null, officerMasked: null, serviceCode: 'SANDBOX-ALL', dossierId: 'BENCH-1', operation: 'lookup',
      citizenHmac, citizenMasked: '001*******12', fields: FIELDS, outcome: 'ok', reason: null,
    }],
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { commits: { type: 'string', default: '1500' } } });
  const commits = Number(values.commits);
  const dataSource = createDataSource(BENCH_DATABASE_URL, 2);
  await prepareDatabase(dataSource, BENCH_DATABASE_URL);
  const pool = pgPoolOf(dataSource);
  const consumer = await pool.query<{ consumer_id: string }>(
    `INSERT INTO consumers (name, kind, service_codes) VALUES ('bench-commit', 'state', '{SANDBOX-ALL}')
     ON CONFLICT ((lower(name))) DO UPDATE SET name = EXCLUDED.name RETURNING consumer_id`,
  );
  const consumerId = consumer.rows[0].consumer_id;
  const writer = new SharedCommitWriter(pool, { registry: new Registry() } as unknown as MetricsRegistry);
  const key = randomBytes(32);
  console.log(`bench:commit — ${commits} commits per size, on ${machineSummary()}`);

  const pids = postgresPids();
  const rows: Record<string, unknown>[] = [];
  // The floor: a round trip that writes nothing.
  {
    const before = cpuTicks(pids);
    const started = performance.now();
    for (let i = 0; i < commits; i++) await pool.query('SELECT 1');
    const elapsed = performance.now() - started;
    rows.push({ what: 'floor: SELECT 1 round trip', msPerStatement: Number((elapsed / commits).toFixed(3)), postgresCpuMicrosPerCall: Number(((ticksBetween(before, cpuTicks(pids)) * 1e6) / CLOCK_TICKS_PER_SECOND / commits).toFixed(1)) });
  }
  for (const size of [1, 17, 100]) {
    const rounds = size >= 100 ? Math.max(20, Math.round(commits / 5)) : commits;
    // One append of `size` calls' rows: one statement each time (appends made one by one would go as 1 + the rest).
    const batchOf = (): CommitBatch => {
      const calls = Array.from({ length: size }, () => lookupCall(consumerId, key));
      return { journal: calls.flatMap((c) => c.journal), audit: calls.flatMap((c) => c.audit) };
    };
    await writer.append(batchOf()); // warm-up, prepares the statement
    const before = cpuTicks(pids);
    const started = performance.now();
    for (let round = 0; round < rounds; round++) await writer.append(batchOf());
    const elapsed = performance.now() - started;
    const calls = rounds * size;
    rows.push({
      what: `commit of ${size} look-up call(s): journal row + audit row each`,
      msPerStatement: Number((elapsed / rounds).toFixed(3)),
      postgresCpuMicrosPerCall: Number(((ticksBetween(before, cpuTicks(pids)) * 1e6) / CLOCK_TICKS_PER_SECOND / calls).toFixed(1)),
      callsPerSecond: Math.round(calls / (elapsed / 1000)),
    });
  }
  console.table(rows);
  recordResult('commit', { rows });
  await dataSource.destroy();
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
