import { Inject, Injectable } from '@nestjs/common';
import type pg from 'pg';
import { PG_POOL } from '../database/pg-pool.token.js';
import { timeOfUuidV7 } from '../access/call-record.js';
import type { JournalCallView, JournalCursor, JournalQuery } from './journal.dto.js';

const CALL_SELECT = `call_id, received_at, request_id, transport, consumer_id, service_code, operation, dossier_id, job_id, attempt,
  outcome, http_status, problem_code, fault_kind, latency_ms, fields_requested, fields_returned, batch_ok, batch_mismatch,
  batch_not_found, batch_invalid, batch_refused, persona_key, fingerprint, retry_after_s`;

interface CallRow {
  call_id: string;
  received_at: Date;
  request_id: string;
  transport: 'http' | 'in_process';
  consumer_id: string | null;
  service_code: string | null;
  operation: JournalCallView['operation'];
  dossier_id: string | null;
  job_id: string | null;
  attempt: number | null;
  outcome: JournalCallView['outcome'];
  http_status: number;
  problem_code: string | null;
  fault_kind: string | null;
  latency_ms: number;
  fields_requested: string[];
  fields_returned: string[];
  batch_ok: number | null;
  batch_mismatch: number | null;
  batch_not_found: number | null;
  batch_invalid: number | null;
  batch_refused: number | null;
  persona_key: string | null;
  fingerprint: string;
  retry_after_s: number | null;
}

/**
 * Reads of the call journal, newest first by keyset on (received_at, call_id): a cursor is the pair of the last call
 * of a page, so paging is stable while calls are being added, and a time range prunes the day partitions read.
 */
@Injectable()
export class JournalRepository {
  constructor(@Inject(PG_POOL) private readonly pool: pg.Pool) {}

  /** Calls matching every given filter, at most `limit + 1` (the extra one tells whether a next page exists). */
  async callsMatching(filter: Omit<JournalQuery, 'cursor' | 'limit'>, page: { cursor?: JournalCursor; limit: number }): Promise<JournalCallView[]> {
    const where: string[] = [];
    const values: unknown[] = [];
    const add = (condition: (placeholder: string) => string, value: unknown) => {
      values.push(value);
      where.push(condition(`$${values.length}`));
    };
    if (filter.consumerId) add((p) => `consumer_id = ${p}::uuid`, filter.consumerId);
    if (filter.serviceCode) add((p) => `service_code = ${p}`, filter.serviceCode);
    if (filter.operation) add((p) => `operation = ${p}`, filter.operation);
    if (filter.outcome) add((p) => `outcome = ${p}`, filter.outcome);
    if (filter.faultKind) add((p) => `fault_kind = ${p}`, filter.faultKind);
    if (filter.dossierId) add((p) => `dossier_id = ${p}`, filter.dossierId);
    if (filter.personaKey) add((p) => `persona_key = ${p}`, filter.personaKey);
    if (filter.requestId) add((p) => `request_id = ${p}`, filter.requestId);
    if (filter.from) add((p) => `received_at >= ${p}::timestamptz`, filter.from);
    if (filter.to) add((p) => `received_at <= ${p}::timestamptz`, filter.to);
    if (page.cursor) {
      values.push(page.cursor.receivedAt, page.cursor.callId);
      where.push(`(received_at, call_id) < ($${values.length - 1}::timestamptz, $${values.length}::uuid)`);
    }
    values.push(page.limit + 1);
    const result = await this.pool.query<CallRow>(
      `SELECT ${CALL_SELECT} FROM call_journal ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY received_at DESC, call_id DESC LIMIT $${values.length}`,
      values,
    );
    return result.rows.map(viewOf);
  }

  /**
   * One consumer's calls received in [from, to), newest first, at most `limit`, starting below `before` (the last
   * call of the previous page) when given: a keyset read of idx_call_journal_consumer (consumer_id, received_at,
   * call_id), read backwards, so each page costs its own rows and the time range prunes the day partitions.
   */
  async consumerCallsBackwards(consumerId: string, range: { from: Date; to: Date }, page: { before?: JournalCursor; limit: number }): Promise<JournalCallView[]> {
    const values: unknown[] = [consumerId, range.from.toISOString(), range.to.toISOString(), page.limit];
    let below = '';
    if (page.before) {
      values.push(page.before.receivedAt, page.before.callId);
      below = 'AND (received_at, call_id) < ($5::timestamptz, $6::uuid)';
    }
    const result = await this.pool.query<CallRow>(
      `SELECT ${CALL_SELECT} FROM call_journal
       WHERE consumer_id = $1::uuid AND received_at >= $2::timestamptz AND received_at < $3::timestamptz ${below}
       ORDER BY received_at DESC, call_id DESC LIMIT $4`,
      values,
    );
    return result.rows.map(viewOf);
  }

  /**
   * One call by its id, or undefined. A call id is a UUIDv7 of the millisecond the call was received (newCallId),
   * so the primary key (received_at, call_id) finds it exactly, in one partition, with no index on the id, which
   * every call would otherwise pay for. Calls journaled before ids carried that millisecond got theirs when the gate
   * opened them, moments after receipt: an id not found at its millisecond is looked for in the two seconds before
   * it (a bounded range of the primary key). Such an old call received more than two seconds before its id was made
   * (a body uploaded that slowly) is listed, but not found by id.
   */
  async callById(callId: string): Promise<JournalCallView | undefined> {
    const madeAt = timeOfUuidV7(callId);
    if (madeAt === undefined) return undefined;
    const at = new Date(madeAt).toISOString();
    const exact = await this.pool.query<CallRow>({
      name: 'journal_call_by_id',
      text: `SELECT ${CALL_SELECT} FROM call_journal WHERE received_at = $2::timestamptz AND call_id = $1::uuid`,
      values: [callId, at],
    });
    const row =
      exact.rows[0] ??
      (
        await this.pool.query<CallRow>({
          name: 'journal_call_by_id_before',
          text: `SELECT ${CALL_SELECT} FROM call_journal
                 WHERE received_at >= $2::timestamptz - interval '2 seconds' AND received_at < $2::timestamptz AND call_id = $1::uuid`,
          values: [callId, at],
        })
      ).rows[0];
    return row ? viewOf(row) : undefined;
  }
}

function viewOf(row: CallRow): JournalCallView {
  return {
    callId: row.call_id,
    receivedAt: row.received_at.toISOString(),
    requestId: row.request_id,
    transport: row.transport,
    consumerId: row.consumer_id,
    serviceCode: row.service_code,
    operation: row.operation,
    dossierId: row.dossier_id,
    jobId: row.job_id,
    attempt: row.attempt,
    outcome: row.outcome,
    httpStatus: row.http_status,
    problemCode: row.problem_code,
    faultKind: row.fault_kind,
    latencyMs: row.latency_ms,
    fieldsRequested: row.fields_requested,
    fieldsReturned: row.fields_returned,
    batch: row.batch_ok === null ? null : { ok: row.batch_ok, mismatch: row.batch_mismatch!, notFound: row.batch_not_found!, invalid: row.batch_invalid!, refused: row.batch_refused! },
    personaKey: row.persona_key,
    fingerprint: row.fingerprint,
    retryAfterSeconds: row.retry_after_s,
  };
}
