import { Inject, Injectable } from '@nestjs/common';
import type pg from 'pg';
import { DataSource, type EntityManager } from 'typeorm';
import { PG_POOL } from '../database/database.module.js';
import { DATASET_EPOCH_SQL } from '../registry/registry.repository.js';
import { histogramSqlOf } from '../common/histogram.js';
import { SharedStatement } from '../common/shared-statement.js';
import type { Decision, DecisionReason } from './dossier-verification.js';
import type { Applicant, DossierQuery, DossierStatus } from './dossier.dto.js';

/** A dossier row as the portal reads it. */
export interface DossierRow {
  dossierId: string;
  serviceCode: string;
  filedBy: string;
  requestHash: string;
  applicant: Applicant;
  applicantCommuneCode: string | null;
  status: DossierStatus;
  reason: DecisionReason | null;
  reasonDetail: string | null;
  verification: Decision['verification'] | null;
  label: { kind: string; expected: string } | null;
  attempts: number;
  filedAt: Date;
  decidedAt: Date | null;
}

export interface NewDossier {
  dossierId: string;
  serviceCode: string;
  filedBy: string;
  idempotencyKey: string | null;
  requestHash: string;
  applicant: Applicant;
  applicantCommuneCode: string | null;
  label: { kind: string; expected: string } | null;
}

/** What a decision did: taken; not taken since the dossier had one; not taken since the registry was reset meanwhile. */
export type DecideResult = { kind: 'decided' } | { kind: 'already_decided' } | { kind: 'stale'; datasetEpoch: number };

/** One run of a dossier's job, as the dossier's history of attempts keeps it. */
export interface AttemptRecord {
  dossierId: string;
  jobId: string;
  attempt: number;
  startedAt: Date;
  outcome: 'decided' | 'retry' | 'delayed' | 'dead_letter' | 'discarded';
  problemCode: string | null;
  calls: Array<{ callId: string | null; operation: string; outcome: string }>;
}

export interface DeadLetterRow {
  deadLetterId: string;
  dossierId: string;
  serviceCode: string;
  jobId: string;
  reasonClass: 'registry_unreachable' | 'unprocessable' | 'worker_lost';
  error: string;
  attempts: number;
  failedAt: Date;
  redrivenAt: Date | null;
}

/** A dossier's outbox row: filed and undecided; `enqueuedAt` once Redis took its job. */
export interface OutboxRow {
  dossierId: string;
  createdAt: Date;
  enqueuedAt: Date | null;
}

export interface DeadLetterFilter {
  serviceCode?: string;
  dossierId?: string;
  reasonClass?: DeadLetterRow['reasonClass'];
  from?: string;
  to?: string;
  /** Open dead letters only (not re-driven yet): the default of the list and of a re-drive. */
  openOnly: boolean;
}

const DOSSIER_COLUMNS = `
  dossier_id AS "dossierId", service_code AS "serviceCode", filed_by AS "filedBy", request_hash AS "requestHash",
  applicant, applicant_commune_code AS "applicantCommuneCode", status, reason, reason_detail AS "reasonDetail",
  verification, label, attempts, filed_at AS "filedAt", decided_at AS "decidedAt"`;

const DEAD_LETTER_COLUMNS = `
  dead_letter_id::text AS "deadLetterId", dossier_id AS "dossierId", service_code AS "serviceCode", job_id AS "jobId",
  reason_class AS "reasonClass", error, attempts, failed_at AS "failedAt", redriven_at AS "redrivenAt"`;

/** Appends a dossier's next history event; the caller holds the dossier row's lock (it wrote the row first). */
const APPEND_EVENT = `
  INSERT INTO portal_dossier_events (dossier_id, seq, status, reason, note)
  SELECT $1, coalesce(max(seq), 0) + 1, $2, $3, $4 FROM portal_dossier_events WHERE dossier_id = $1`;

/**
 * The portal's dossiers, their history, attempts, outbox and dead letters: every write that must go together goes
 * in one transaction (a dossier with its outbox row; a decision with its event, its attempt and the outbox row's
 * removal), and a decision is taken only by a dossier that has none, so that a job run twice decides once.
 */
@Injectable()
export class DossierRepository {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(PG_POOL) private readonly pool: pg.Pool,
  ) {}

  /**
   * Files a dossier with its first event and its outbox row, or finds the dossier this filer filed before under
   * the same Idempotency-Key (decided by the unique index, so that ten racing retries make one dossier).
   */
  async file(dossier: NewDossier): Promise<{ row: DossierRow; created: boolean }> {
    return this.dataSource.transaction(async (manager) => {
      const inserted: Array<{ dossierId: string }> = await manager.query(
        `INSERT INTO portal_dossiers (dossier_id, service_code, filed_by, idempotency_key, request_hash, applicant, applicant_commune_code, label)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (filed_by, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
         RETURNING dossier_id AS "dossierId"`,
        [dossier.dossierId, dossier.serviceCode, dossier.filedBy, dossier.idempotencyKey, dossier.requestHash, dossier.applicant, dossier.applicantCommuneCode, dossier.label],
      );
      if (inserted.length === 0) {
        const [row]: DossierRow[] = await manager.query(`SELECT ${DOSSIER_COLUMNS} FROM portal_dossiers WHERE filed_by = $1 AND idempotency_key = $2`, [
          dossier.filedBy,
          dossier.idempotencyKey,
        ]);
        return { row, created: false };
      }
      await manager.query(APPEND_EVENT, [dossier.dossierId, 'received', null, null]);
      await manager.query(`INSERT INTO portal_outbox (dossier_id) VALUES ($1)`, [dossier.dossierId]);
      const [row]: DossierRow[] = await manager.query(`SELECT ${DOSSIER_COLUMNS} FROM portal_dossiers WHERE dossier_id = $1`, [dossier.dossierId]);
      return { row, created: true };
    });
  }

  /** Files many dossiers at once (the sandbox's generator): one transaction, events and outbox rows set-based. */
  async fileMany(dossiers: readonly NewDossier[]): Promise<void> {
    if (dossiers.length === 0) return;
    await this.dataSource.transaction(async (manager) => {
      await manager.query(
        `INSERT INTO portal_dossiers (dossier_id, service_code, filed_by, request_hash, applicant, applicant_commune_code, label)
         SELECT d."dossierId", d."serviceCode", d."filedBy", d."requestHash", d.applicant, d."applicantCommuneCode", d.label
         FROM jsonb_to_recordset($1::jsonb) AS d("dossierId" uuid, "serviceCode" text, "filedBy" text, "requestHash" text, applicant jsonb, "applicantCommuneCode" text, label jsonb)`,
        [JSON.stringify(dossiers)],
      );
      const ids = dossiers.map((dossier) => dossier.dossierId);
      await manager.query(`INSERT INTO portal_dossier_events (dossier_id, seq, status) SELECT id, 1, 'received' FROM unnest($1::uuid[]) AS id`, [ids]);
      await manager.query(`INSERT INTO portal_outbox (dossier_id) SELECT unnest($1::uuid[])`, [ids]);
    });
  }

  async markEnqueued(dossierIds: readonly string[]): Promise<void> {
    if (dossierIds.length > 0) await this.dataSource.query(`UPDATE portal_outbox SET enqueued_at = now() WHERE dossier_id = ANY ($1::uuid[])`, [dossierIds]);
  }

  async find(dossierId: string): Promise<DossierRow | null> {
    const [row]: DossierRow[] = await this.dataSource.query(`SELECT ${DOSSIER_COLUMNS} FROM portal_dossiers WHERE dossier_id = $1`, [dossierId]);
    return row ?? null;
  }

  async history(dossierId: string): Promise<Array<{ status: DossierStatus; reason: DecisionReason | null; note: string | null; at: Date }>> {
    return this.dataSource.query(`SELECT status, reason, note, at FROM portal_dossier_events WHERE dossier_id = $1 ORDER BY seq`, [dossierId]);
  }

  async attempts(dossierId: string): Promise<Array<AttemptRecord & { finishedAt: Date }>> {
    return this.dataSource.query(
      `SELECT dossier_id AS "dossierId", job_id AS "jobId", attempt, started_at AS "startedAt", finished_at AS "finishedAt", outcome,
              problem_code AS "problemCode", calls
       FROM portal_verification_attempts WHERE dossier_id = $1 ORDER BY attempt_id`,
      [dossierId],
    );
  }

  /** Newest first (dossier ids are UUIDv7, so their order is filing order), `limit + 1` rows to tell if more follow. */
  async list(query: DossierQuery): Promise<DossierRow[]> {
    const where: string[] = [];
    const values: unknown[] = [];
    const add = (condition: (placeholder: string) => string, value: unknown) => {
      values.push(value);
      where.push(condition(`$${values.length}`));
    };
    if (query.serviceCode) add((p) => `service_code = ${p}`, query.serviceCode);
    if (query.status) add((p) => `status = ${p}`, query.status);
    if (query.communeCode) add((p) => `applicant_commune_code = ${p}`, query.communeCode);
    if (query.reason) add((p) => `reason = ${p}`, query.reason);
    if (query.from) add((p) => `filed_at >= ${p}`, query.from);
    if (query.to) add((p) => `filed_at < ${p}`, query.to);
    if (query.cursor) add((p) => `dossier_id < ${p}`, query.cursor);
    values.push(query.limit + 1);
    return this.dataSource.query(
      `SELECT ${DOSSIER_COLUMNS} FROM portal_dossiers ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY dossier_id DESC LIMIT $${values.length}`,
      values,
    );
  }

  /**
   * A job's first statement: the dossier as it was, the registry's dataset epoch, and, if the dossier was `received`,
   * its move to `verifying` with the event. The claims of concurrent jobs share one statement (SharedStatement: one
   * round trip for all). That commit need not wait for the disk (`synchronous_commit` off for it alone): lost in a
   * crash, the dossier is `received` again and its job, still queued or in the outbox, moves it again.
   */
  claim(dossierId: string): Promise<{ dossier: DossierRow; datasetEpoch: number } | null> {
    return this.claims.submit(dossierId);
  }

  private readonly claims = new SharedStatement<string, { dossier: DossierRow; datasetEpoch: number } | null>(async (ids) => {
    const { rows } = await this.pool.query<DossierRow & { commit: string; epoch: string }>({
      name: 'portal_claim_dossiers',
      text: `WITH input AS (
               SELECT DISTINCT unnest($1::uuid[]) AS dossier_id
             ), moved AS (
               UPDATE portal_dossiers SET status = 'verifying', updated_at = now()
               WHERE dossier_id IN (SELECT dossier_id FROM input) AND status = 'received' RETURNING dossier_id
             ), event AS (
               INSERT INTO portal_dossier_events (dossier_id, seq, status)
               SELECT moved.dossier_id, (SELECT coalesce(max(e.seq), 0) + 1 FROM portal_dossier_events e WHERE e.dossier_id = moved.dossier_id), 'verifying'
               FROM moved
             ), lazy AS (
               SELECT set_config('synchronous_commit', 'off', true) AS setting
             )
             SELECT ${DOSSIER_COLUMNS}, ${DATASET_EPOCH_SQL} AS epoch, (SELECT setting FROM lazy) AS commit
             FROM portal_dossiers WHERE dossier_id IN (SELECT dossier_id FROM input)`,
      values: [ids],
    });
    const byId = new Map(rows.map(({ commit: _commit, epoch, ...dossier }) => [dossier.dossierId, { dossier, datasetEpoch: Number(epoch) }]));
    return ids.map((id) => byId.get(id) ?? null);
  });

  /** An attempt that did not decide (a retry, a delay, a discarded answer), kept for the dossier's view. */
  async recordAttempt(attempt: AttemptRecord): Promise<void> {
    await this.insertAttempt(this.dataSource.manager, attempt);
  }

  /**
   * Decides the dossier, with its event and attempt, and removes its outbox row, in one transaction; only a dossier
   * without a decision takes one, so a job that ran twice (a worker stalled, another took over) decides once.
   * Returns whether this call decided.
   */
  /**
   * Decides the dossier, with its event and attempt, and removes its outbox row; only a dossier without a decision
   * takes one, so a job that ran twice decides once, and only if the registry still holds the dataset the answers
   * came from. The decisions of concurrent jobs share one statement (one round trip, one commit): the events, the
   * attempts and the outbox rows' removal happen only for the rows the UPDATE decided (they read its RETURNING), and
   * all of it commits or none.
   */
  decide(dossierId: string, decision: Decision, datasetEpoch: number, attempt: AttemptRecord): Promise<DecideResult> {
    return this.decisions.submit({ dossierId, decision, datasetEpoch, attempt });
  }

  private readonly decisions = new SharedStatement<{ dossierId: string; decision: Decision; datasetEpoch: number; attempt: AttemptRecord }, DecideResult>(async (items) => {
    const input = items.map(({ dossierId, decision, datasetEpoch, attempt }) => ({
      dossier_id: dossierId,
      status: decision.status,
      reason: decision.reason,
      detail: decision.detail,
      verification: decision.verification,
      epoch: datasetEpoch,
      attempts: attempt.attempt,
      job_id: attempt.jobId,
      started_at: attempt.startedAt.toISOString(),
      outcome: attempt.outcome,
      problem_code: attempt.problemCode,
      calls: attempt.calls,
    }));
    const { rows } = await this.pool.query<{ dossierId: string; decided: boolean; status: DossierStatus | null; epoch: string }>({
      name: 'portal_decide_dossiers',
      text: `WITH input AS (
               SELECT * FROM json_to_recordset($1::json) AS x(
                 dossier_id uuid, status text, reason text, detail text, verification jsonb, epoch bigint, attempts integer,
                 job_id text, started_at timestamptz, outcome text, problem_code text, calls jsonb)
             ), current_epoch AS (
               SELECT ${DATASET_EPOCH_SQL} AS epoch
             ), decided AS (
               UPDATE portal_dossiers d
               SET status = i.status, reason = i.reason, reason_detail = i.detail, verification = i.verification, dataset_epoch = i.epoch,
                   attempts = i.attempts, decided_at = now(), updated_at = now()
               FROM input i, current_epoch c
               WHERE d.dossier_id = i.dossier_id AND d.status IN ('received', 'verifying') AND i.epoch = c.epoch
               RETURNING d.dossier_id
             ), event AS (
               INSERT INTO portal_dossier_events (dossier_id, seq, status, reason, note)
               SELECT i.dossier_id, (SELECT coalesce(max(e.seq), 0) + 1 FROM portal_dossier_events e WHERE e.dossier_id = i.dossier_id), i.status, i.reason, i.detail
               FROM input i JOIN decided USING (dossier_id)
             ), attempt AS (
               INSERT INTO portal_verification_attempts (dossier_id, job_id, attempt, started_at, outcome, problem_code, calls)
               SELECT i.dossier_id, i.job_id, i.attempts, i.started_at, i.outcome, i.problem_code, i.calls FROM input i JOIN decided USING (dossier_id)
             ), outbox AS (
               DELETE FROM portal_outbox WHERE dossier_id IN (SELECT dossier_id FROM decided)
             )
             SELECT i.dossier_id AS "dossierId", (d.dossier_id IS NOT NULL) AS decided, p.status, c.epoch
             FROM input i CROSS JOIN current_epoch c LEFT JOIN decided d USING (dossier_id) LEFT JOIN portal_dossiers p ON p.dossier_id = i.dossier_id`,
      values: [JSON.stringify(input)],
    });
    const byId = new Map(rows.map((row) => [row.dossierId, row]));
    return items.map(({ dossierId }): DecideResult => {
      const row = byId.get(dossierId);
      if (row?.decided) return { kind: 'decided' };
      // Not decided here: by another run (the status, as the statement began, is a decision), or for a reset meanwhile.
      return row && (row.status === 'received' || row.status === 'verifying') ? { kind: 'stale', datasetEpoch: Number(row.epoch) } : { kind: 'already_decided' };
    });
  }, 500, 2);

  /**
   * A job that gave up: the dossier goes to `needs_review` with the reason, the dead letter is kept for operators,
   * and the outbox row goes, in one transaction. A dossier decided meanwhile keeps its decision (and gets no dead
   * letter). Returns whether the dead letter was written.
   */
  async deadLetter(
    dossierId: string,
    letter: { reasonClass: DeadLetterRow['reasonClass']; error: string; attempts: number; jobId: string },
    attempt: AttemptRecord | null,
  ): Promise<boolean> {
    const detail = {
      registry_unreachable: `The registry could not be reached after ${letter.attempts} attempts: ${letter.error}`,
      unprocessable: `The verification job cannot run: ${letter.error}`,
      worker_lost: `The workers running the verification job died more often than a job may stall: ${letter.error}`,
    }[letter.reasonClass].slice(0, 1_000);
    // One statement, as a decision is: the event, the attempt (if any), the dead letter and the outbox row's removal
    // happen only when the UPDATE moved the dossier (they read its RETURNING).
    const { rows } = await this.pool.query<{ moved: number }>({
      name: 'portal_dead_letter',
      text: `WITH moved AS (
               UPDATE portal_dossiers SET status = 'needs_review', reason = $2, reason_detail = $3, attempts = $4, decided_at = now(), updated_at = now()
               WHERE dossier_id = $1 AND status IN ('received', 'verifying') RETURNING dossier_id, service_code
             ), event AS (
               INSERT INTO portal_dossier_events (dossier_id, seq, status, reason, note)
               SELECT dossier_id, (SELECT coalesce(max(seq), 0) + 1 FROM portal_dossier_events WHERE dossier_id = $1), 'needs_review', $2, $3 FROM moved
             ), attempt AS (
               INSERT INTO portal_verification_attempts (dossier_id, job_id, attempt, started_at, outcome, problem_code, calls)
               SELECT dossier_id, a.job_id, a.attempt, a.started_at, a.outcome, a.problem_code, a.calls
               FROM moved, json_to_recordset($7::json) AS a(job_id text, attempt integer, started_at timestamptz, outcome text, problem_code text, calls jsonb)
             ), letter AS (
               INSERT INTO portal_dead_letters (dossier_id, service_code, job_id, reason_class, error, attempts)
               SELECT dossier_id, service_code, $5, $2, $6, $4 FROM moved
               ON CONFLICT (dossier_id) WHERE redriven_at IS NULL DO NOTHING
             ), outbox AS (
               DELETE FROM portal_outbox WHERE dossier_id IN (SELECT dossier_id FROM moved)
             )
             SELECT count(*)::int AS moved FROM moved`,
      values: [
        dossierId,
        letter.reasonClass,
        detail,
        letter.attempts,
        letter.jobId,
        letter.error.slice(0, 1_000),
        JSON.stringify(
          attempt
            ? [{ job_id: attempt.jobId, attempt: attempt.attempt, started_at: attempt.startedAt.toISOString(), outcome: attempt.outcome, problem_code: attempt.problemCode, calls: attempt.calls }]
            : [],
        ),
      ],
    });
    return rows[0].moved === 1;
  }

  /**
   * The reconciler's pages of outbox rows, in id order after `after`: every row, except those not yet queued that
   * were filed after `before` (their filing or re-drive is adding the job now); with `unqueuedOnly`, only rows not
   * yet queued, filed before `before` (the partial index holds just the unqueued ones).
   */
  async pendingOutbox(before: Date, after: string | null, limit: number, unqueuedOnly = false): Promise<OutboxRow[]> {
    return this.dataSource.query(
      `SELECT dossier_id AS "dossierId", created_at AS "createdAt", enqueued_at AS "enqueuedAt" FROM portal_outbox
       WHERE ($2::uuid IS NULL OR dossier_id > $2) AND ${unqueuedOnly ? 'enqueued_at IS NULL AND created_at < $1' : '(created_at < $1 OR enqueued_at IS NOT NULL)'}
       ORDER BY dossier_id LIMIT $3`,
      [before, after, limit],
    );
  }

  /** The outbox rows of these dossiers (those still undecided), but not those filed after `before` and not yet queued. */
  async outboxRowsOf(dossierIds: readonly string[], before: Date): Promise<OutboxRow[]> {
    return this.dataSource.query(
      `SELECT dossier_id AS "dossierId", created_at AS "createdAt", enqueued_at AS "enqueuedAt" FROM portal_outbox
       WHERE dossier_id = ANY ($1::uuid[]) AND (created_at < $2 OR enqueued_at IS NOT NULL) ORDER BY dossier_id`,
      [dossierIds, before],
    );
  }

  /** A service's newest dossiers' ids (newest first), for the job search. */
  async newestOfService(serviceCode: string, limit: number): Promise<string[]> {
    const rows: Array<{ dossierId: string }> = await this.dataSource.query(
      `SELECT dossier_id AS "dossierId" FROM portal_dossiers WHERE service_code = $1 ORDER BY dossier_id DESC LIMIT $2`,
      [serviceCode, limit],
    );
    return rows.map((row) => row.dossierId);
  }

  async countOutbox(): Promise<number> {
    const [{ count }]: Array<{ count: string }> = await this.dataSource.query(`SELECT count(*) AS count FROM portal_outbox`);
    return Number(count);
  }

  async deadLetters(filter: DeadLetterFilter, cursor: string | null, limit: number): Promise<DeadLetterRow[]> {
    const { where, values } = deadLetterWhere(filter);
    if (cursor) {
      values.push(cursor);
      where.push(`dead_letter_id < $${values.length}`);
    }
    values.push(limit + 1);
    return this.dataSource.query(
      `SELECT ${DEAD_LETTER_COLUMNS} FROM portal_dead_letters ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY dead_letter_id DESC LIMIT $${values.length}`,
      values,
    );
  }

  /**
   * Re-drives the open dead letters that match: each is marked re-driven, its dossier goes back to `received` (an
   * event says so) with a new outbox row, in one transaction. Returns the dossiers to enqueue.
   */
  async redrive(filter: DeadLetterFilter): Promise<Array<{ dossierId: string; jobId: string }>> {
    const { where, values } = deadLetterWhere({ ...filter, openOnly: true });
    // One statement: the letters marked, their dossiers moved back with an event each and a new outbox row.
    const { rows } = await this.pool.query<{ dossierId: string; jobId: string }>(
      `WITH letters AS (
         UPDATE portal_dead_letters SET redriven_at = now() WHERE dead_letter_id IN (
           SELECT dead_letter_id FROM portal_dead_letters WHERE ${where.join(' AND ')} FOR UPDATE SKIP LOCKED
         ) RETURNING dossier_id, job_id
       ), moved AS (
         UPDATE portal_dossiers SET status = 'received', reason = NULL, reason_detail = NULL, verification = NULL, decided_at = NULL, updated_at = now()
         WHERE dossier_id IN (SELECT dossier_id FROM letters) RETURNING dossier_id
       ), event AS (
         INSERT INTO portal_dossier_events (dossier_id, seq, status, note)
         SELECT m.dossier_id, (SELECT coalesce(max(e.seq), 0) + 1 FROM portal_dossier_events e WHERE e.dossier_id = m.dossier_id), 'received', 're-driven by an operator'
         FROM moved m
       ), outbox AS (
         INSERT INTO portal_outbox (dossier_id) SELECT dossier_id FROM moved ON CONFLICT DO NOTHING
       )
       SELECT dossier_id AS "dossierId", job_id AS "jobId" FROM letters`,
      values,
    );
    return rows;
  }

  async countOpenDeadLetters(): Promise<number> {
    const [{ count }]: Array<{ count: string }> = await this.dataSource.query(`SELECT count(*) AS count FROM portal_dead_letters WHERE redriven_at IS NULL`);
    return Number(count);
  }

  private async insertAttempt(manager: EntityManager, attempt: AttemptRecord): Promise<void> {
    await manager.query(
      `INSERT INTO portal_verification_attempts (dossier_id, job_id, attempt, started_at, outcome, problem_code, calls) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [attempt.dossierId, attempt.jobId, attempt.attempt, attempt.startedAt, attempt.outcome, attempt.problemCode, JSON.stringify(attempt.calls)],
    );
  }
  /**
   * Per UTC hour of filing and service (coverage, issue 10), the dossiers filed in `ranges` (disjoint): how many, those
   * decided without review (verified or rejected; `needs_review` waits for an officer), those decided, and the
   * histogram of the decided ones' filing-to-decision time in DECISION_BUCKET_BOUNDS_S with its minimum and maximum. Each range is
   * an index range scan of `idx_portal_dossiers_filed_at`.
   */
  async figuresByFilingHour(ranges: readonly { from: Date; to: Date }[]): Promise<DossierFilingHourRow[]> {
    if (ranges.length === 0) return [];
    const decisionSeconds = 'extract(epoch FROM d.decided_at - d.filed_at)';
    const { rows } = await this.pool.query<DossierFilingHourRow>(
      `SELECT date_trunc('hour', d.filed_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS "hourStart", d.service_code AS "serviceCode",
              count(*)::int AS filed,
              count(*) FILTER (WHERE d.status IN ('verified', 'rejected'))::int AS "decidedAutomatically",
              count(*) FILTER (WHERE d.decided_at IS NOT NULL)::int AS decided,
              ${histogramSqlOf(decisionSeconds, DECISION_BUCKET_BOUNDS_S)} AS "decisionBuckets",
              coalesce(min(${decisionSeconds}), 0)::double precision AS "decisionMinSeconds",
              coalesce(max(${decisionSeconds}), 0)::double precision AS "decisionMaxSeconds"
       FROM unnest($1::timestamptz[], $2::timestamptz[]) AS r (range_from, range_to)
       JOIN portal_dossiers d ON d.filed_at >= r.range_from AND d.filed_at < r.range_to
       GROUP BY 1, 2`,
      [ranges.map((range) => range.from), ranges.map((range) => range.to)],
    );
    return rows;
  }

  /**
   * The UTC hours of filing in [from, before) of the dossiers changed (filed, verified, decided, flagged, redriven:
   * every write sets `updated_at`) at or after `since`, by `idx_portal_dossiers_updated_at`: what coverage's dossier
   * rollups of those hours may not hold yet. The gateway never deletes a dossier.
   */
  async filingHoursChangedSince(since: Date, from: Date, before: Date): Promise<number[]> {
    if (from >= before) return [];
    const { rows } = await this.pool.query<{ hour: Date }>(
      `SELECT DISTINCT date_trunc('hour', filed_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS hour
       FROM portal_dossiers WHERE updated_at >= $1 AND filed_at >= $2 AND filed_at < $3`,
      [since, from, before],
    );
    return rows.map((row) => row.hour.getTime()).sort((a, b) => a - b);
  }

  /** The time the first dossier filed at or after `after` was filed (the first of all without it), or null. */
  async firstFiledAt(after?: Date): Promise<Date | null> {
    const { rows } = await this.pool.query<{ first: Date | null }>('SELECT min(filed_at) AS first FROM portal_dossiers WHERE filed_at >= $1', [after ?? new Date(0)]);
    return rows[0].first;
  }

  /** Per service, the dossiers not yet decided (received or verifying), whenever filed: by `idx_portal_dossiers_status`. */
  async backlogByService(): Promise<{ serviceCode: string; backlog: number }[]> {
    const { rows } = await this.pool.query<{ serviceCode: string; backlog: number }>(
      `SELECT service_code AS "serviceCode", count(*)::int AS backlog FROM portal_dossiers WHERE status IN ('received', 'verifying') GROUP BY service_code`,
    );
    return rows;
  }

  /**
   * Per commune of the applicants (coverage per area, issue 10), and per Vietnamese day of filing with `perDay`: the
   * dossiers filed in `ranges` (disjoint), those decided without review, and those of them not yet decided. A dossier
   * without a commune code is under null.
   */
  async figuresByCommune(ranges: readonly { from: Date; to: Date }[], options: { perDay?: boolean } = {}): Promise<DossierAreaRow[]> {
    if (ranges.length === 0) return [];
    const day = options.perDay ? `to_char(d.filed_at AT TIME ZONE 'Asia/Ho_Chi_Minh', 'YYYY-MM-DD')` : 'NULL::text';
    const { rows } = await this.pool.query<DossierAreaRow>(
      `SELECT ${day} AS day, d.applicant_commune_code AS "communeCode", count(*)::int AS filed,
              count(*) FILTER (WHERE d.status IN ('verified', 'rejected'))::int AS "decidedAutomatically",
              count(*) FILTER (WHERE d.status IN ('received', 'verifying'))::int AS backlog
       FROM unnest($1::timestamptz[], $2::timestamptz[]) AS r (range_from, range_to)
       JOIN portal_dossiers d ON d.filed_at >= r.range_from AND d.filed_at < r.range_to
       GROUP BY 1, 2`,
      [ranges.map((range) => range.from), ranges.map((range) => range.to)],
    );
    return rows;
  }
}

function deadLetterWhere(filter: DeadLetterFilter): { where: string[]; values: unknown[] } {
  const where: string[] = [];
  const values: unknown[] = [];
  const add = (condition: (placeholder: string) => string, value: unknown) => {
    values.push(value);
    where.push(condition(`$${values.length}`));
  };
  if (filter.openOnly) where.push('redriven_at IS NULL');
  if (filter.serviceCode) add((p) => `service_code = ${p}`, filter.serviceCode);
  if (filter.dossierId) add((p) => `dossier_id = ${p}`, filter.dossierId);
  if (filter.reasonClass) add((p) => `reason_class = ${p}`, filter.reasonClass);
  if (filter.from) add((p) => `failed_at >= ${p}`, filter.from);
  if (filter.to) add((p) => `failed_at < ${p}`, filter.to);
  if (where.length === 0) where.push('true');
  return { where, values };

}

/**
 * The buckets of the filing-to-decision time, in seconds (coverage's decision percentiles, summed across hours): from a
 * second (an automatic decision) to 30 days (a review), about three per decade up to a day, then at the working
 * deadlines procedures are held to (1, 2, 3, 5, 7, 10, 15 and 30 days), so that a percentile in days is read within
 * the deadlines either side of it. Fixed, like the latency buckets: changing one would need every dossier rollup
 * recomputed (delete coverage_dossier_state and the next refresh does).
 */
export const DECISION_BUCKET_BOUNDS_S = [
  1, 2, 5, 10, 30, 60, 120, 300, 600, 1_800, 3_600, 7_200, 21_600, 43_200, 86_400, 172_800, 259_200, 432_000, 604_800, 864_000, 1_296_000, 2_592_000,
] as const;

/** The dossiers filed in one UTC hour for one service (DossierRepository.figuresByFilingHour). */
export interface DossierFilingHourRow {
  hourStart: Date;
  serviceCode: string;
  filed: number;
  decidedAutomatically: number;
  decided: number;
  /** Histogram of the decided ones' filing-to-decision seconds, in DECISION_BUCKET_BOUNDS_S (one more bucket above). */
  decisionBuckets: number[];
  /** The shortest and longest of those times (0 without decided dossiers). */
  decisionMinSeconds: number;
  decisionMaxSeconds: number;
}

/** What coverage reads of the dossiers of one commune (DossierRepository.figuresByCommune). */
export interface DossierAreaRow {
  /** The Vietnamese day of filing (YYYY-MM-DD) with `perDay`, else null. */
  day: string | null;
  communeCode: string | null;
  filed: number;
  decidedAutomatically: number;
  backlog: number;
}
