import { Inject, Injectable } from '@nestjs/common';
import type pg from 'pg';
import { PG_POOL } from '../database/database.module.js';
import type { AuditOperation, AuditOutcome } from './access-audit.entity.js';
import type { AccessContext } from './access-context.js';

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

/**
 * Appends audit records (the table is append-only; see the CreateAccessAudit migration). Callers await it before
 * answering, so no answered call is left unaudited. Many entries go in one statement (unnest), never a loop.
 */
@Injectable()
export class AuditWriter {
  constructor(@Inject(PG_POOL) private readonly pool: pg.Pool) {}

  async append(context: Partial<AccessContext> & { requestId: string }, entries: readonly AuditEntry[]): Promise<void> {
    if (entries.length === 0) return;
    // A batch is at most 1,000 entries (the verify-batch limit), far below any parameter limit: arrays are bound
    // as 6 parameters whatever their length.
    await this.pool.query({
      name: 'audit_append',
      text: `INSERT INTO access_audit (${AUDIT_COLUMNS})
             SELECT $1, $2, $3, $4, $5, $6, e.operation, e.citizen_hmac, e.citizen_masked,
                    string_to_array(e.fields, ','), e.outcome, e.reason
             FROM unnest($7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[])
                  AS e(operation, citizen_hmac, citizen_masked, fields, outcome, reason)`,
      values: [
        ...contextValues(context),
        entries.map((e) => e.operation),
        entries.map((e) => e.citizen?.hmac ?? null),
        entries.map((e) => e.citizen?.masked ?? null),
        entries.map((e) => e.fields.join(',')),
        entries.map((e) => e.outcome),
        entries.map((e) => e.reason ?? null),
      ],
    });
  }
}
