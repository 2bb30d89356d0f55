import type { DataSource } from 'typeorm';

/**
 * Every table a client's call could write to, except the audit (append-only, checked on its own). Table names come
 * from src/database/migrations/; registry_changes is the changes feed.
 */
const WRITABLE_TABLES = ['citizens', 'households', 'consumers', 'consents', 'public_services', 'registry_changes', 'registry_dataset'] as const;

export type WritableState = Record<(typeof WRITABLE_TABLES)[number], { rows: number; md5: string }>;

/**
 * Row count and a digest of the contents of each writable table: the digest also catches an UPDATE, which a count
 * alone would miss (a half-applied event changes a citizen without adding a row).
 */
export async function writableState(db: DataSource): Promise<WritableState> {
  const state = {} as WritableState;
  for (const table of WRITABLE_TABLES) {
    const [row] = await db.query(`SELECT count(*)::int AS rows, md5(coalesce(string_agg(t::text, ',' ORDER BY t::text), '')) AS md5 FROM ${table} t`);
    state[table] = row;
  }
  return state;
}

/** The newest audit_id, or '0' on an empty audit; bigint, so kept as text. */
export async function lastAuditId(db: DataSource): Promise<string> {
  const [row] = await db.query(`SELECT coalesce(max(audit_id), 0)::text AS id FROM access_audit`);
  return row.id;
}

export interface AuditRow {
  requestId: string;
  outcome: string;
  reason: string | null;
}

/** The audit rows appended after `auditId`, oldest first. */
export async function auditRowsAfter(db: DataSource, auditId: string): Promise<AuditRow[]> {
  return db.query(`SELECT request_id AS "requestId", outcome, reason FROM access_audit WHERE audit_id > $1 ORDER BY audit_id`, [auditId]);
}
