import { Inject, Injectable } from '@nestjs/common';
import type pg from 'pg';
import { PG_POOL } from '../database/database.module.js';
import type { AuditOperation, AuditOutcome } from './access-audit.entity.js';
import type { AccessContext } from './access-context.js';
import { AccessMetrics } from './access-metrics.js';

/** One audit record to append; the context supplies who, why and for which dossier. */
export interface AuditEntry {
  operation: AuditOperation;
  citizen: { hmac: string; masked: string } | null;
  fields: readonly string[];
  outcome: AuditOutcome;
  reason?: string | null;
}

/** The columns every audit insert writes, in order; statements that audit inside a CTE use the same list. */
export const AUDIT_COLUMNS =
  'request_id, consumer_id, officer_hmac, officer_masked, service_code, dossier_id, operation, citizen_hmac, citizen_masked, fields, outcome, reason';

/** The context's share of an audit row: the first six columns of AUDIT_COLUMNS. */
export function contextValues(context: Partial<AccessContext> & { requestId: string }): unknown[] {
  return [
    context.requestId,
    context.consumer?.consumerId ?? null,
    context.officer?.hmac ?? null,
    context.officer?.masked ?? null,
    context.service?.code ?? null,
    context.dossierId ?? null,
  ];
}

/** One audit row, flattened for the batch insert. */
type AuditRow = [string, string | null, string | null, string | null, string | null, string | null, string, string | null, string | null, string, string, string | null];

interface PendingAppend {
  rows: AuditRow[];
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Appends audit records (the table is append-only; see the CreateAccessAudit migration). Callers await it before
 * answering, so no answered call is left unaudited.
 *
 * Concurrent appends share commits: while one INSERT is being made durable, the records of the requests that arrive
 * meanwhile wait and go together in the next one, each request still answered only after its own record is
 * committed. A durable commit costs a WAL flush, which was the largest cost of an audited call (docs/BENCHMARKS.md);
 * this turns one flush per call into one flush per batch. All rows go in one statement through unnest, so a batch
 * binds 12 array parameters whatever its size.
 */
@Injectable()
export class AuditWriter {
  private queue: PendingAppend[] = [];
  private flushing = false;

  constructor(
    @Inject(PG_POOL) private readonly pool: pg.Pool,
    private readonly metrics: AccessMetrics,
  ) {}

  append(context: Partial<AccessContext> & { requestId: string }, entries: readonly AuditEntry[]): Promise<void> {
    if (entries.length === 0) return Promise.resolve();
    const head = contextValues(context) as AuditRow extends [...infer H, unknown, unknown, unknown, unknown, unknown, unknown] ? H : never;
    const rows = entries.map(
      (e): AuditRow => [...head, e.operation, e.citizen?.hmac ?? null, e.citizen?.masked ?? null, e.fields.join(','), e.outcome, e.reason ?? null] as AuditRow,
    );
    return new Promise((resolve, reject) => {
      this.queue.push({ rows, resolve, reject });
      if (!this.flushing) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    while (this.queue.length > 0) {
      const batch = this.queue;
      this.queue = [];
      const rows = batch.flatMap((pending) => pending.rows);
      const started = performance.now();
      try {
        await this.pool.query({
          name: 'audit_append_batch',
          text: `INSERT INTO access_audit (${AUDIT_COLUMNS})
                 SELECT r.request_id, r.consumer_id::uuid, r.officer_hmac, r.officer_masked, r.service_code, r.dossier_id,
                        r.operation, r.citizen_hmac, r.citizen_masked, string_to_array(r.fields, ','), r.outcome, r.reason
                 FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
                             $9::text[], $10::text[], $11::text[], $12::text[])
                      AS r(request_id, consumer_id, officer_hmac, officer_masked, service_code, dossier_id, operation,
                           citizen_hmac, citizen_masked, fields, outcome, reason)`,
          values: Array.from({ length: 12 }, (_, column) => rows.map((row) => row[column])),
        });
      } catch (error) {
        // The batch failed as a whole (one transaction): every request in it fails, none is answered unaudited.
        for (const pending of batch) pending.reject(error);
        countSafely(() => this.metrics.auditCommitFailed());
        continue;
      }
      for (const pending of batch) pending.resolve();
      // Counted once committed, so the metrics never count a record the audit does not hold.
      countSafely(() => {
        this.metrics.auditCommitted(rows.length, (performance.now() - started) / 1000);
        for (const row of rows) this.metrics.countAccess(row[6], row[10], row[4], row[11]);
      });
    }
    this.flushing = false;
  }
}

/** Metrics are outside the audit's fate: a failure there loses a sample, never a call's answer or the writer's loop. */
function countSafely(count: () => void): void {
  try {
    count();
  } catch {
    // nothing to do: the sample is lost
  }
}
