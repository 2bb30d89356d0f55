import { Inject, Injectable } from '@nestjs/common';
import type pg from 'pg';
import { Counter, Histogram } from 'prom-client';
import { MetricsRegistry } from '../common/metrics.module.js';
import { backingServiceOutage } from '../common/problem-details.js';
import { PG_POOL } from './pg-pool.token.js';

/** One access_audit row (the audit is append-only; see the CreateAccessAudit migration). */
export interface AuditRow {
  callId: string | null;
  requestId: string;
  consumerId: string | null;
  officerHmac: string | null;
  officerMasked: string | null;
  serviceCode: string | null;
  dossierId: string | null;
  operation: string;
  citizenHmac: string | null;
  citizenMasked: string | null;
  fields: readonly string[];
  outcome: string;
  reason: string | null;
}

/** One call_journal row (see the CreateCallJournal migration): no ID number, no citizen pseudonym. */
export interface JournalRow {
  callId: string;
  receivedAt: Date;
  requestId: string;
  transport: 'http' | 'in_process';
  consumerId: string | null;
  serviceCode: string | null;
  operation: string;
  dossierId: string | null;
  jobId: string | null;
  attempt: number | null;
  outcome: string;
  httpStatus: number | null;
  problemCode: string | null;
  /** The Retry-After the call was answered with, in seconds; null or absent when none. */
  retryAfterSeconds?: number | null;
  faultKind: string | null;
  latencyMs: number;
  fieldsRequested: readonly string[];
  fieldsReturned: readonly string[];
  batch: { ok: number; mismatch: number; notFound: number; invalid: number; refused: number } | null;
  personaKey: string | null;
  fingerprint: string;
}

/** What one call (or one refusal) commits: its journal row, if it is journaled, and its audit rows. */
export interface CommitBatch {
  journal: readonly JournalRow[];
  audit: readonly AuditRow[];
}

interface PendingAppend {
  batch: CommitBatch;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Each table's columns: its name, the row's property it comes from and the property's SQL type. The rows travel as one
 * JSON text per table, which `json_to_recordset` turns back into typed columns (arrays included): one
 * `JSON.stringify` in V8 instead of encoding every value of every row as a Postgres array element, which was a
 * tenth of an audited call's time in node-postgres (docs/BENCHMARKS.md).
 */
const AUDIT_COLUMNS: [column: string, property: keyof AuditRow, type: string][] = [
  ['call_id', 'callId', 'uuid'],
  ['request_id', 'requestId', 'text'],
  ['consumer_id', 'consumerId', 'uuid'],
  ['officer_hmac', 'officerHmac', 'text'],
  ['officer_masked', 'officerMasked', 'text'],
  ['service_code', 'serviceCode', 'text'],
  ['dossier_id', 'dossierId', 'text'],
  ['operation', 'operation', 'text'],
  ['citizen_hmac', 'citizenHmac', 'text'],
  ['citizen_masked', 'citizenMasked', 'text'],
  ['fields', 'fields', 'text[]'],
  ['outcome', 'outcome', 'text'],
  ['reason', 'reason', 'text'],
];

const JOURNAL_COLUMNS: [column: string, property: keyof JournalRow, type: string][] = [
  ['call_id', 'callId', 'uuid'],
  ['received_at', 'receivedAt', 'timestamptz'],
  ['request_id', 'requestId', 'text'],
  ['transport', 'transport', 'text'],
  ['consumer_id', 'consumerId', 'uuid'],
  ['service_code', 'serviceCode', 'text'],
  ['operation', 'operation', 'text'],
  ['dossier_id', 'dossierId', 'text'],
  ['job_id', 'jobId', 'text'],
  ['attempt', 'attempt', 'integer'],
  ['outcome', 'outcome', 'text'],
  ['http_status', 'httpStatus', 'integer'],
  ['problem_code', 'problemCode', 'text'],
  ['fault_kind', 'faultKind', 'text'],
  ['latency_ms', 'latencyMs', 'real'],
  ['fields_requested', 'fieldsRequested', 'text[]'],
  ['fields_returned', 'fieldsReturned', 'text[]'],
  ['persona_key', 'personaKey', 'text'],
  ['fingerprint', 'fingerprint', 'text'],
  ['retry_after_s', 'retryAfterSeconds', 'integer'],
];

/** The batch summary is one nested object of the row; each count has its own column. */
const BATCH_COLUMNS: [column: string, key: keyof NonNullable<JournalRow['batch']>][] = [
  ['batch_ok', 'ok'],
  ['batch_mismatch', 'mismatch'],
  ['batch_not_found', 'notFound'],
  ['batch_invalid', 'invalid'],
  ['batch_refused', 'refused'],
];

/** `INSERT ... SELECT ... FROM json_to_recordset($n)` for one table. */
function insertFrom(table: string, columns: [string, string, string][], parameter: number, extra: { columns: string[]; selects: string[]; definitions: string[] } = { columns: [], selects: [], definitions: [] }): string {
  const names = [...columns.map(([column]) => column), ...extra.columns];
  const selects = [...columns.map(([, property]) => `r."${property}"`), ...extra.selects];
  const definitions = [...columns.map(([, property, type]) => `"${property}" ${type}`), ...extra.definitions];
  return `INSERT INTO ${table} (${names.join(', ')})
          SELECT ${selects.join(', ')} FROM json_to_recordset($${parameter}::json) AS r(${definitions.join(', ')})`;
}

const BATCH = {
  columns: BATCH_COLUMNS.map(([column]) => column),
  selects: BATCH_COLUMNS.map(([, key]) => `(r."batch"->>'${key}')::integer`),
  definitions: ['"batch" json'],
};

const STATEMENT = `WITH journal AS (${insertFrom('call_journal', JOURNAL_COLUMNS, 1, BATCH)}),
                        audit AS (${insertFrom('access_audit', AUDIT_COLUMNS, 2)})
                   SELECT 1`;

/**
 * Appends journal and audit rows, both in one statement, so that a call's journal row and its audit rows commit
 * together or not at all. Callers await it before answering, so no answered call is left unaudited or unjournaled.
 *
 * Concurrent appends share commits: while one INSERT is being made durable, the rows of the calls that arrive
 * meanwhile wait and go together in the next one, each call still answered only after its own rows are committed. A
 * durable commit costs a WAL flush, which was the largest cost of an audited call (docs/BENCHMARKS.md); this turns
 * one flush per call into one flush per batch. Each table's rows are bound as one JSON text, so a batch binds two
 * parameters whatever its size (Postgres's 65,535-parameter limit never applies).
 */
@Injectable()
export class SharedCommitWriter {
  private queue: PendingAppend[] = [];
  private flushing = false;
  private readonly committedListeners: ((batch: CommitBatch) => void)[] = [];
  private readonly commitDuration: Histogram;
  private readonly commitRows: Histogram;
  private readonly commitFailures: Counter;
  private readonly unjournaled: Counter;

  constructor(
    @Inject(PG_POOL) private readonly pool: pg.Pool,
    metrics: MetricsRegistry,
  ) {
    const registers = [metrics.registry];
    this.commitDuration = new Histogram({
      name: 'popgate_audit_commit_seconds',
      help: 'Time to commit one shared audit and journal INSERT (every call in it waits for this before answering)',
      buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.5],
      registers,
    });
    this.commitRows = new Histogram({
      name: 'popgate_audit_commit_rows',
      help: 'Audit records per shared commit: how many calls shared one WAL flush',
      buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 5000],
      registers,
    });
    this.commitFailures = new Counter({
      name: 'popgate_audit_commit_failures_total',
      help: 'Shared audit commits that failed (every call in them was answered with an error, none unaudited)',
      registers,
    });
    this.unjournaled = new Counter({
      name: 'popgate_journal_unwritable_calls_total',
      help: 'Calls whose journal row could not be written because the database failed the commit (each was answered with a 5xx)',
      registers,
    });
  }

  /** Called after each commit with what it committed (metrics count there, so they never count a lost row). */
  onCommitted(listener: (batch: CommitBatch) => void): void {
    this.committedListeners.push(listener);
  }

  append(batch: CommitBatch): Promise<void> {
    if (batch.journal.length === 0 && batch.audit.length === 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.queue.push({ batch, resolve, reject });
      if (!this.flushing) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    while (this.queue.length > 0) {
      const pending = this.queue;
      this.queue = [];
      try {
        await this.commit(pending);
      } catch (error) {
        // The batch failed as a whole (one statement). When the database is down every call fails with it, none
        // answered unaudited; otherwise one call's rows may be at fault (a row outside every partition, say), and
        // the others must not fail with it: each is committed on its own.
        if (pending.length === 1 || backingServiceOutage(error) !== null) {
          this.failed(pending, error);
          continue;
        }
        for (const single of pending) await this.commit([single]).catch((alone: unknown) => this.failed([single], alone));
      }
    }
    this.flushing = false;
  }

  /** One statement for these appends; each is resolved once it is committed. */
  private async commit(pending: PendingAppend[]): Promise<void> {
    const journal = pending.flatMap((p) => p.batch.journal);
    const audit = pending.flatMap((p) => p.batch.audit);
    const started = performance.now();
    await this.pool.query({
      name: 'shared_commit_journal_audit',
      text: STATEMENT,
      values: [JSON.stringify(journal), JSON.stringify(audit)],
    });
    for (const p of pending) p.resolve();
    safely(() => {
      this.commitRows.observe(audit.length);
      this.commitDuration.observe((performance.now() - started) / 1000);
      for (const listener of this.committedListeners) listener({ journal, audit });
    });
  }

  private failed(pending: PendingAppend[], error: unknown): void {
    for (const p of pending) p.reject(error);
    safely(() => {
      this.commitFailures.inc();
      this.unjournaled.inc(pending.reduce((rows, p) => rows + p.batch.journal.length, 0));
    });
  }
}

/** Metrics are outside the commit's fate: a failure there loses a sample, never a call's answer or the writer's loop. */
function safely(count: () => void): void {
  try {
    count();
  } catch {
    // nothing to do: the sample is lost
  }
}
