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

/** Columns and casts, in the order the statement binds them; each column is bound as one text[] parameter. */
const AUDIT_COLUMNS: [string, string, (row: AuditRow) => string | null][] = [
  ['call_id', 'uuid', (r) => r.callId],
  ['request_id', 'text', (r) => r.requestId],
  ['consumer_id', 'uuid', (r) => r.consumerId],
  ['officer_hmac', 'text', (r) => r.officerHmac],
  ['officer_masked', 'text', (r) => r.officerMasked],
  ['service_code', 'text', (r) => r.serviceCode],
  ['dossier_id', 'text', (r) => r.dossierId],
  ['operation', 'text', (r) => r.operation],
  ['citizen_hmac', 'text', (r) => r.citizenHmac],
  ['citizen_masked', 'text', (r) => r.citizenMasked],
  ['fields', 'text[]', (r) => r.fields.join(',')],
  ['outcome', 'text', (r) => r.outcome],
  ['reason', 'text', (r) => r.reason],
];

const JOURNAL_COLUMNS: [string, string, (row: JournalRow) => string | null][] = [
  ['call_id', 'uuid', (r) => r.callId],
  ['received_at', 'timestamptz', (r) => r.receivedAt.toISOString()],
  ['request_id', 'text', (r) => r.requestId],
  ['transport', 'text', (r) => r.transport],
  ['consumer_id', 'uuid', (r) => r.consumerId],
  ['service_code', 'text', (r) => r.serviceCode],
  ['operation', 'text', (r) => r.operation],
  ['dossier_id', 'text', (r) => r.dossierId],
  ['job_id', 'text', (r) => r.jobId],
  ['attempt', 'integer', (r) => (r.attempt === null ? null : String(r.attempt))],
  ['outcome', 'text', (r) => r.outcome],
  ['http_status', 'integer', (r) => (r.httpStatus === null ? null : String(r.httpStatus))],
  ['problem_code', 'text', (r) => r.problemCode],
  ['fault_kind', 'text', (r) => r.faultKind],
  ['latency_ms', 'real', (r) => String(r.latencyMs)],
  ['fields_requested', 'text[]', (r) => r.fieldsRequested.join(',')],
  ['fields_returned', 'text[]', (r) => r.fieldsReturned.join(',')],
  ['batch_ok', 'integer', (r) => (r.batch ? String(r.batch.ok) : null)],
  ['batch_mismatch', 'integer', (r) => (r.batch ? String(r.batch.mismatch) : null)],
  ['batch_not_found', 'integer', (r) => (r.batch ? String(r.batch.notFound) : null)],
  ['batch_invalid', 'integer', (r) => (r.batch ? String(r.batch.invalid) : null)],
  ['batch_refused', 'integer', (r) => (r.batch ? String(r.batch.refused) : null)],
  ['persona_key', 'text', (r) => r.personaKey],
  ['fingerprint', 'text', (r) => r.fingerprint],
];

/** `INSERT ... SELECT ... FROM unnest(...)` for one table, its parameters numbered from `first`. */
function insertFrom<T>(table: string, columns: [string, string, (row: T) => string | null][], first: number): string {
  const names = columns.map(([name]) => name);
  const params = columns.map((_, i) => `$${first + i}::text[]`);
  // A text[] column travels as one comma-joined text (field names hold no comma) and is split back here.
  const selects = columns.map(([name, type]) => (type === 'text[]' ? `coalesce(string_to_array(r.${name}, ','), '{}')` : `r.${name}::${type}`));
  return `INSERT INTO ${table} (${names.join(', ')})
          SELECT ${selects.join(', ')} FROM unnest(${params.join(', ')}) AS r(${names.join(', ')})`;
}

const STATEMENT = `WITH journal AS (${insertFrom('call_journal', JOURNAL_COLUMNS, 1)}),
                        audit AS (${insertFrom('access_audit', AUDIT_COLUMNS, JOURNAL_COLUMNS.length + 1)})
                   SELECT 1`;

/**
 * Appends journal and audit rows, both in one statement, so that a call's journal row and its audit rows commit
 * together or not at all. Callers await it before answering, so no answered call is left unaudited or unjournaled.
 *
 * Concurrent appends share commits: while one INSERT is being made durable, the rows of the calls that arrive
 * meanwhile wait and go together in the next one, each call still answered only after its own rows are committed. A
 * durable commit costs a WAL flush, which was the largest cost of an audited call (docs/BENCHMARKS.md); this turns
 * one flush per call into one flush per batch. Every column is bound as one array, so a batch binds 36 parameters
 * whatever its size (Postgres's 65,535-parameter limit never applies).
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
      values: [...JOURNAL_COLUMNS.map(([, , value]) => journal.map(value)), ...AUDIT_COLUMNS.map(([, , value]) => audit.map(value))],
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
