import type { AuditRow } from '../database/shared-commit.writer.js';
import type { AuditOperation, AuditOutcome } from './access-audit.entity.js';
import type { KnownCall } from './access-context.js';

/** One audit record to append; the call supplies who, why and for which dossier. */
export interface AuditEntry {
  operation: AuditOperation;
  citizen: { hmac: string; masked: string } | null;
  fields: readonly string[];
  outcome: AuditOutcome;
  reason?: string | null;
}

/** The audit rows of a call's entries, each naming the call that made it. */
export function auditRowsOf(known: KnownCall, callId: string | null, entries: readonly AuditEntry[]): AuditRow[] {
  return entries.map((entry) => ({
    callId,
    requestId: known.requestId,
    consumerId: known.consumer?.consumerId ?? null,
    officerHmac: known.officer?.hmac ?? null,
    officerMasked: known.officer?.masked ?? null,
    serviceCode: known.service?.code ?? null,
    dossierId: known.dossierId ?? null,
    operation: entry.operation,
    citizenHmac: entry.citizen?.hmac ?? null,
    citizenMasked: entry.citizen?.masked ?? null,
    fields: entry.fields,
    outcome: entry.outcome,
    reason: entry.reason ?? null,
  }));
}
