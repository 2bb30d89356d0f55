import { Inject, Injectable } from '@nestjs/common';
import type pg from 'pg';
import { PG_POOL } from '../database/database.module.js';
import { newTimeOrderedId } from '../common/time-ordered-id.js';
import type { Discrepancy, PortalRecordRow } from './sync-discrepancies.js';

export type SyncMode = 'verify' | 'refresh';
export type SyncRunState = 'pending' | 'running' | 'completed' | 'cancelled' | 'stopped';

/** A run as the portal reads it, with its batches' counts summed. */
export interface SyncRunRow {
  runId: string;
  serviceCode: string;
  mode: SyncMode;
  state: SyncRunState;
  requestedBy: string;
  batchCount: number | null;
  batchesDone: number;
  recordCount: number | null;
  stopReason: string | null;
  waitingReason: string | null;
  waitingUntil: Date | null;
  requestedAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  scanned: number;
  matched: number;
  corrections: number;
  errors: number;
  kinds: Record<string, number>;
  lastDoneAt: Date | null;
}

/** A batch of a run, with what its job needs to know of the run. */
export interface SyncBatchRow {
  runId: string;
  batchNo: number;
  serviceCode: string;
  mode: SyncMode;
  runState: SyncRunState;
  firstRecordId: string;
  lastRecordId: string;
  done: boolean;
}

/** One record's result, as a batch commits it. */
export interface SyncResult {
  recordId: string;
  matched: boolean;
  discrepancies: Discrepancy[];
  /** What refresh mode writes to the record (registry field → value); null in verify mode or when nothing is written. */
  corrections: Record<string, unknown> | null;
  /** Whether the record was checked (refresh mode confirms it, `confirmed_at`). */
  checked: boolean;
  error: string | null;
}

/** What a batch's commit did: done now; done already by an earlier commit; not done since its run is not running. */
export type CompleteBatchResult = { kind: 'done'; runState: SyncRunState; serviceCode: string } | { kind: 'already_done' } | { kind: 'not_running' };

/** One line of a run's discrepancy list. */
export interface DiscrepancyLine extends Discrepancy {
  recordId: string;
  corrected: boolean;
}

const RUN_COLUMNS = `
  r.run_id AS "runId", r.service_code AS "serviceCode", r.mode, r.state, r.requested_by AS "requestedBy",
  r.batch_count AS "batchCount", r.batches_done AS "batchesDone", r.record_count AS "recordCount", r.stop_reason AS "stopReason",
  r.waiting_reason AS "waitingReason", r.waiting_until AS "waitingUntil", r.requested_at AS "requestedAt",
  r.started_at AS "startedAt", r.finished_at AS "finishedAt"`;

/** The counts of a run's done batches, summed (a few thousand batch rows for a million records). */
const RUN_TOTALS = `
  LEFT JOIN LATERAL (
    SELECT coalesce(sum(b.scanned), 0)::int AS scanned, coalesce(sum(b.matched), 0)::int AS matched,
           coalesce(sum(b.corrections), 0)::int AS corrections, coalesce(sum(b.errors), 0)::int AS errors,
           max(b.done_at) AS "lastDoneAt",
           coalesce((SELECT jsonb_object_agg(k.key, k.total) FROM (
             SELECT e.key, sum(e.value::int) AS total FROM portal_sync_batches b2, jsonb_each_text(b2.kinds) e
             WHERE b2.run_id = r.run_id AND b2.done_at IS NOT NULL GROUP BY e.key) k), '{}'::jsonb) AS kinds
    FROM portal_sync_batches b WHERE b.run_id = r.run_id AND b.done_at IS NOT NULL
  ) t ON true`;

const RECORD_COLUMNS = `
  p.record_id::text AS "recordId", p.id_number AS "idNumber", p.full_name AS "fullName", p.date_of_birth AS "dateOfBirth", p.sex,
  p.permanent_address AS "permanentAddress", p.current_address AS "currentAddress", p.marital_status AS "maritalStatus",
  p.status, p.status_date::text AS "statusDate"`;

/**
 * The sync runs' tables (portal_sync_runs, portal_sync_batches, portal_sync_results) and the portal records they
 * read and correct. Each write that must hold together (a run started with its plan; a batch marked done with its
 * results, its corrections and the run's count) is one transaction.
 */
@Injectable()
export class SyncRunRepository {
  constructor(@Inject(PG_POOL) private readonly pool: pg.Pool) {}

  /**
   * A run requested for a service: a new pending run, or the pending run already there (the partial unique index on
   * pending runs decides between concurrent requests, not a check-then-insert). Returns the run's id and whether
   * this request created it.
   */
  async request(serviceCode: string, mode: SyncMode, requestedBy: string): Promise<{ runId: string; created: boolean }> {
    for (;;) {
      const inserted = await this.pool.query<{ runId: string }>(
        `INSERT INTO portal_sync_runs (run_id, service_code, mode, state, requested_by) VALUES ($1, $2, $3, 'pending', $4)
         ON CONFLICT (service_code) WHERE state = 'pending' DO NOTHING RETURNING run_id AS "runId"`,
        [newTimeOrderedId(), serviceCode, mode, requestedBy],
      );
      if (inserted.rows.length > 0) return { runId: inserted.rows[0].runId, created: true };
      const pending = await this.pool.query<{ runId: string }>(`SELECT run_id AS "runId" FROM portal_sync_runs WHERE service_code = $1 AND state = 'pending'`, [serviceCode]);
      // The pending run was started between the two statements: this request may make the next one.
      if (pending.rows.length > 0) return { runId: pending.rows[0].runId, created: false };
    }
  }

  /**
   * Starts the service's pending run unless one is running (the unique index on running runs decides), and plans its
   * batches in the same transaction: keyset ranges of `record_id` within the service, `batchSize` records each, in
   * one statement. A service without records completes at once. Returns the started run and its batch numbers.
   */
  async start(serviceCode: string, batchSize: number): Promise<{ runId: string; state: SyncRunState; batchNos: number[] } | null> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const started = await client.query<{ runId: string }>(
        `UPDATE portal_sync_runs SET state = 'running', started_at = now()
         WHERE service_code = $1 AND state = 'pending'
           AND NOT EXISTS (SELECT 1 FROM portal_sync_runs WHERE service_code = $1 AND state = 'running')
         RETURNING run_id AS "runId"`,
        [serviceCode],
      );
      if (started.rows.length === 0) {
        await client.query('ROLLBACK');
        return null;
      }
      const { runId } = started.rows[0];
      const planned = await client.query<{ batchNo: number }>(
        `INSERT INTO portal_sync_batches (run_id, batch_no, first_record_id, last_record_id, planned_count)
         SELECT $1, (n - 1) / $3, min(record_id), max(record_id), count(*)
         FROM (SELECT record_id, row_number() OVER (ORDER BY record_id) AS n FROM portal_records WHERE service_code = $2) numbered
         GROUP BY (n - 1) / $3
         RETURNING batch_no AS "batchNo"`,
        [runId, serviceCode, batchSize],
      );
      const { rows } = await client.query<{ state: SyncRunState }>(
        `UPDATE portal_sync_runs SET batch_count = $2,
           record_count = (SELECT coalesce(sum(planned_count), 0) FROM portal_sync_batches WHERE run_id = $1),
           state = CASE WHEN $2 = 0 THEN 'completed' ELSE state END, finished_at = CASE WHEN $2 = 0 THEN now() END
         WHERE run_id = $1 RETURNING state`,
        [runId, planned.rows.length],
      );
      await client.query('COMMIT');
      return { runId, state: rows[0].state, batchNos: planned.rows.map((row) => row.batchNo).sort((a, b) => a - b) };
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      // Another request started a run of this service meanwhile: the running index refused the second.
      if ((error as { code?: string }).code === '23505') return null;
      throw error;
    } finally {
      client.release();
    }
  }

  async find(runId: string): Promise<SyncRunRow | null> {
    const { rows } = await this.pool.query<SyncRunRow>(`SELECT ${RUN_COLUMNS}, t.* FROM portal_sync_runs r ${RUN_TOTALS} WHERE r.run_id = $1`, [runId]);
    return rows[0] ?? null;
  }

  /** The last completed run of each service (coverage: its drift), by the run id, which is time-ordered. */
  async lastCompletedPerService(): Promise<SyncRunRow[]> {
    const { rows } = await this.pool.query<SyncRunRow>(
      `SELECT ${RUN_COLUMNS}, t.* FROM (
         SELECT DISTINCT ON (service_code) * FROM portal_sync_runs WHERE state = 'completed' ORDER BY service_code, run_id DESC) r ${RUN_TOTALS}`,
    );
    return rows;
  }

  /** Runs newest first, keyset-paged on the run id (time-ordered). */
  async list(filter: { serviceCode?: string; state?: SyncRunState; before?: string; limit: number }): Promise<SyncRunRow[]> {
    const { rows } = await this.pool.query<SyncRunRow>(
      `SELECT ${RUN_COLUMNS}, t.* FROM portal_sync_runs r ${RUN_TOTALS}
       WHERE ($1::text IS NULL OR r.service_code = $1) AND ($2::text IS NULL OR r.state = $2) AND ($3::uuid IS NULL OR r.run_id < $3)
       ORDER BY r.run_id DESC LIMIT $4`,
      [filter.serviceCode ?? null, filter.state ?? null, filter.before ?? null, filter.limit],
    );
    return rows;
  }

  /** The services that hold portal records, among those given (a run of "all"). */
  async servicesWithRecords(serviceCodes: readonly string[]): Promise<string[]> {
    const { rows } = await this.pool.query<{ code: string }>(
      `SELECT code FROM unnest($1::text[]) AS code WHERE EXISTS (SELECT 1 FROM portal_records WHERE service_code = code) ORDER BY code`,
      [serviceCodes],
    );
    return rows.map((row) => row.code);
  }

  /** A batch with its run's service, mode and state; null when the run has no such batch. */
  async batch(runId: string, batchNo: number): Promise<SyncBatchRow | null> {
    const { rows } = await this.pool.query<SyncBatchRow>(
      `SELECT b.run_id AS "runId", b.batch_no AS "batchNo", r.service_code AS "serviceCode", r.mode, r.state AS "runState",
              b.first_record_id::text AS "firstRecordId", b.last_record_id::text AS "lastRecordId", b.done_at IS NOT NULL AS done
       FROM portal_sync_batches b JOIN portal_sync_runs r USING (run_id) WHERE b.run_id = $1 AND b.batch_no = $2`,
      [runId, batchNo],
    );
    return rows[0] ?? null;
  }

  /**
   * The records of a batch's range, in order, each with whether an earlier record of the service holds the same ID
   * number (a duplicate within the service: the first record is the one kept), one probe each of the index on
   * (service_code, id_number, record_id).
   */
  async recordsOf(serviceCode: string, firstRecordId: string, lastRecordId: string): Promise<PortalRecordRow[]> {
    const { rows } = await this.pool.query<PortalRecordRow>(
      `SELECT ${RECORD_COLUMNS},
              (SELECT min(d.record_id) FROM portal_records d WHERE d.service_code = p.service_code AND d.id_number = p.id_number) < p.record_id AS duplicate
       FROM portal_records p WHERE p.service_code = $1 AND p.record_id BETWEEN $2 AND $3 ORDER BY p.record_id`,
      [serviceCode, firstRecordId, lastRecordId],
    );
    return rows;
  }

  /**
   * Marks a batch done with its results, in one transaction: only the first commit counts (the batch row is updated
   * only while `done_at` is unset, and its row lock makes a concurrent second commit wait and then find it done), so
   * a batch that runs twice changes nothing the second time. The same transaction upserts the results per (run,
   * record), writes refresh mode's corrections to the records, and counts the batch on the run (whose row lock
   * orders the batch commits of one run, so that exactly one of them completes it).
   */
  async completeBatch(runId: string, batchNo: number, results: readonly SyncResult[]): Promise<CompleteBatchResult> {
    const kinds: Record<string, number> = {};
    for (const result of results) for (const { kind } of result.discrepancies) kinds[kind] = (kinds[kind] ?? 0) + 1;
    const corrections = results.reduce((sum, result) => sum + result.discrepancies.filter((d) => d.registryValue !== null && d.registryValue !== undefined).length, 0);
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      // The run's row is locked first (FOR UPDATE: the commit updates the run's counters anyway, and two share locks
      // upgraded at once would deadlock), so a cancel or a stop that commits meanwhile is seen: a batch of a run that
      // is no longer running writes nothing (the join alone would read the run as the statement's snapshot had it).
      await client.query(`SELECT 1 FROM portal_sync_runs WHERE run_id = $1 FOR UPDATE`, [runId]);
      const marked = await client.query<{ state: SyncRunState }>(
        `UPDATE portal_sync_batches b SET done_at = now(), scanned = $3, matched = $4, corrections = $5, errors = $6, kinds = $7
         FROM portal_sync_runs r
         WHERE b.run_id = $1 AND b.batch_no = $2 AND b.done_at IS NULL AND r.run_id = b.run_id AND r.state = 'running'
         RETURNING r.state`,
        [runId, batchNo, results.length, results.filter((r) => r.matched).length, corrections, results.filter((r) => r.error !== null).length, JSON.stringify(kinds)],
      );
      if (marked.rows.length === 0) {
        const { rows } = await client.query<{ done: boolean }>(`SELECT done_at IS NOT NULL AS done FROM portal_sync_batches WHERE run_id = $1 AND batch_no = $2`, [runId, batchNo]);
        await client.query('ROLLBACK');
        return rows[0]?.done ? { kind: 'already_done' } : { kind: 'not_running' };
      }
      // Parameters are per column (arrays), not per row: a batch of any size is nine parameters.
      await client.query(
        `INSERT INTO portal_sync_results (run_id, record_id, batch_no, matched, kinds, discrepancies, corrected, error)
         SELECT $1, t.record_id, $2, t.matched, ARRAY(SELECT jsonb_array_elements_text(t.kinds)), t.discrepancies, t.corrected, t.error
         FROM unnest($3::bigint[], $4::boolean[], $5::jsonb[], $6::jsonb[], $7::boolean[], $8::text[]) AS t (record_id, matched, kinds, discrepancies, corrected, error)
         ON CONFLICT (run_id, record_id) DO UPDATE SET batch_no = EXCLUDED.batch_no, matched = EXCLUDED.matched, kinds = EXCLUDED.kinds,
           discrepancies = EXCLUDED.discrepancies, corrected = EXCLUDED.corrected, error = EXCLUDED.error`,
        [
          runId,
          batchNo,
          results.map((r) => r.recordId),
          results.map((r) => r.matched),
          results.map((r) => JSON.stringify(r.discrepancies.map((d) => d.kind))),
          results.map((r) => JSON.stringify(r.discrepancies)),
          results.map((r) => r.corrections !== null && Object.keys(r.corrections).length > 0),
          results.map((r) => r.error),
        ],
      );
      const confirmed = results.filter((r) => r.corrections !== null && r.checked);
      if (confirmed.length > 0) {
        await client.query(
          `UPDATE portal_records p SET
             full_name = CASE WHEN c.v ? 'fullName' THEN c.v->>'fullName' ELSE p.full_name END,
             date_of_birth = CASE WHEN c.v ? 'dateOfBirth' THEN c.v->>'dateOfBirth' ELSE p.date_of_birth END,
             sex = CASE WHEN c.v ? 'sex' THEN c.v->>'sex' ELSE p.sex END,
             permanent_address = CASE WHEN c.v ? 'permanentAddress' THEN c.v->'permanentAddress' ELSE p.permanent_address END,
             current_address = CASE WHEN c.v ? 'currentAddress' THEN c.v->'currentAddress' ELSE p.current_address END,
             marital_status = CASE WHEN c.v ? 'maritalStatus' THEN c.v->>'maritalStatus' ELSE p.marital_status END,
             status = CASE WHEN c.v ? 'citizenStatus' THEN c.v->>'citizenStatus' ELSE p.status END,
             status_date = CASE WHEN c.v ? 'statusDate' THEN (c.v->>'statusDate')::date ELSE p.status_date END,
             source = CASE WHEN c.v <> '{}'::jsonb THEN 'sync_run' ELSE p.source END,
             confirmed_at = now(),
             updated_at = CASE WHEN c.v <> '{}'::jsonb THEN now() ELSE p.updated_at END
           FROM unnest($1::bigint[], $2::jsonb[]) AS c (record_id, v)
           WHERE p.record_id = c.record_id`,
          [confirmed.map((r) => r.recordId), confirmed.map((r) => JSON.stringify(r.corrections))],
        );
      }
      const { rows } = await client.query<{ state: SyncRunState; serviceCode: string }>(
        `UPDATE portal_sync_runs SET batches_done = batches_done + 1, waiting_reason = NULL, waiting_until = NULL,
           state = CASE WHEN state = 'running' AND batches_done + 1 >= batch_count THEN 'completed' ELSE state END,
           finished_at = CASE WHEN state = 'running' AND batches_done + 1 >= batch_count THEN now() ELSE finished_at END
         WHERE run_id = $1 RETURNING state, service_code AS "serviceCode"`,
        [runId],
      );
      await client.query('COMMIT');
      return { kind: 'done', runState: rows[0].state, serviceCode: rows[0].serviceCode };
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  /** Cancels a pending or running run (its open batches are then skipped); null when it had finished already. */
  async cancel(runId: string): Promise<{ serviceCode: string; wasRunning: boolean } | null> {
    const { rows } = await this.pool.query<{ serviceCode: string; wasRunning: boolean }>(
      `UPDATE portal_sync_runs r SET state = 'cancelled', finished_at = now()
       FROM (SELECT run_id, state AS old_state FROM portal_sync_runs WHERE run_id = $1 FOR UPDATE) old
       WHERE r.run_id = old.run_id AND r.state IN ('pending', 'running')
       RETURNING r.service_code AS "serviceCode", old.old_state = 'running' AS "wasRunning"`,
      [runId],
    );
    return rows[0] ?? null;
  }

  /** Stops a running run with its reason (a limit it will not wait out, a refusal that retrying will not change). */
  async stop(runId: string, reason: string): Promise<string | null> {
    const { rows } = await this.pool.query<{ serviceCode: string }>(
      `UPDATE portal_sync_runs SET state = 'stopped', stop_reason = $2, finished_at = now(), waiting_reason = NULL, waiting_until = NULL
       WHERE run_id = $1 AND state = 'running' RETURNING service_code AS "serviceCode"`,
      [runId, reason],
    );
    return rows[0]?.serviceCode ?? null;
  }

  /** Notes on the run that it waits on a limit, and until when (the next batch commit clears it). */
  async noteWaiting(runId: string, reason: string, until: Date): Promise<void> {
    await this.pool.query(`UPDATE portal_sync_runs SET waiting_reason = $2, waiting_until = $3 WHERE run_id = $1 AND state = 'running'`, [runId, reason, until]);
  }

  /** The open batches of every running run, and the services with a pending run and none running (for the reconciler). */
  async openWork(): Promise<{ batches: Array<{ runId: string; batchNo: number }>; idleServices: string[] }> {
    const batches = await this.pool.query<{ runId: string; batchNo: number }>(
      `SELECT b.run_id AS "runId", b.batch_no AS "batchNo" FROM portal_sync_runs r JOIN portal_sync_batches b ON b.run_id = r.run_id AND b.done_at IS NULL
       WHERE r.state = 'running' ORDER BY b.run_id, b.batch_no`,
    );
    const idle = await this.pool.query<{ serviceCode: string }>(
      `SELECT p.service_code AS "serviceCode" FROM portal_sync_runs p WHERE p.state = 'pending'
       AND NOT EXISTS (SELECT 1 FROM portal_sync_runs r WHERE r.service_code = p.service_code AND r.state = 'running')`,
    );
    return { batches: batches.rows, idleServices: idle.rows.map((row) => row.serviceCode) };
  }

  /** The batches of a run not done yet. */
  async openBatchNos(runId: string): Promise<number[]> {
    const { rows } = await this.pool.query<{ batchNo: number }>(`SELECT batch_no AS "batchNo" FROM portal_sync_batches WHERE run_id = $1 AND done_at IS NULL ORDER BY batch_no`, [runId]);
    return rows.map((row) => row.batchNo);
  }

  /**
   * A page of a run's discrepancies, one line per (record, kind), in record order: `limit` records with at least
   * one discrepancy (of `kind`, when given) after the cursor record, keyset on the results' primary key.
   */
  async discrepancies(runId: string, kind: string | null, afterRecordId: string | null, limit: number): Promise<{ lines: DiscrepancyLine[]; lastRecordId: string | null; more: boolean }> {
    const { rows } = await this.pool.query<DiscrepancyLine>(
      `WITH page AS (
         SELECT record_id, discrepancies, corrected FROM portal_sync_results
         WHERE run_id = $1 AND cardinality(kinds) > 0 AND ($2::text IS NULL OR $2 = ANY (kinds)) AND ($3::bigint IS NULL OR record_id > $3)
         ORDER BY record_id LIMIT $4)
       SELECT page.record_id::text AS "recordId", d->>'kind' AS kind, d->>'field' AS field, d->'portalValue' AS "portalValue",
              d->'registryValue' AS "registryValue", page.corrected
       FROM page CROSS JOIN LATERAL jsonb_array_elements(page.discrepancies) d
       WHERE $2::text IS NULL OR d->>'kind' = $2
       ORDER BY page.record_id, d->>'kind'`,
      [runId, kind, afterRecordId, limit + 1],
    );
    const records = [...new Set(rows.map((row) => row.recordId))];
    const more = records.length > limit;
    const kept = new Set(records.slice(0, limit));
    return { lines: rows.filter((row) => kept.has(row.recordId)), lastRecordId: more ? records[limit - 1] : null, more };
  }
}
