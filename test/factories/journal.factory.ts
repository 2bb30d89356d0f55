import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';

/** A call journal row as the coverage tests write it directly (a verify over HTTP, without a consumer). */
export interface JournalRowValues {
  serviceCode: string;
  outcome: string;
  latencyMs: number;
  /** When it was received, epoch ms. */
  at: number;
  /** Its request id, made unique: a test removes or finds its rows by the prefix. */
  requestIdPrefix: string;
  /** The request fingerprint, one character repeated (the tests tell their rows apart by it). */
  fingerprintChar?: string;
  /** The simulated fault the call met (the journal's fault_kind); absent: none. */
  faultKind?: string;
}

/** The row: answered 200 with the field asked for when `ok`, else 503 without it. */
export function journalRow({ serviceCode, outcome, latencyMs, at, requestIdPrefix, fingerprintChar = 'c', faultKind }: JournalRowValues) {
  return {
    call_id: uuidv7(),
    received_at: new Date(at).toISOString(),
    request_id: `${requestIdPrefix}${randomUUID()}`,
    transport: 'http',
    consumer_id: null,
    service_code: serviceCode,
    operation: 'verify',
    outcome,
    http_status: outcome === 'ok' ? 200 : 503,
    latency_ms: latencyMs,
    fields_requested: ['fullName'],
    fields_returned: outcome === 'ok' ? ['fullName'] : [],
    fingerprint: fingerprintChar.repeat(64),
    fault_kind: faultKind ?? null,
  };
}

/** Inserts journal rows in one statement (one JSON parameter, whatever their number). */
export async function insertJournalRows(db: DataSource, rows: readonly object[]): Promise<void> {
  await db.query(`INSERT INTO call_journal SELECT * FROM json_populate_recordset(NULL::call_journal, $1::json)`, [JSON.stringify(rows)]);
}
