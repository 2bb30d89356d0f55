import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The portal's reconciliation runs of its records (issue 9), owned by the portal module:
 * - `portal_sync_runs`: one run of one service's records, `verify` (report) or `refresh` (also correct the records).
 *   At most one `running` and one `pending` run per service: two partial unique indexes decide, so that concurrent
 *   requests cannot both start a run (a check-then-insert could). `batches_done` is counted by the batch commits
 *   themselves (row lock on the run), so that the commit of the last batch is the one that completes the run.
 * - `portal_sync_batches`: the run's plan, keyset ranges of `record_id` within the service, written in one
 *   statement before any job is queued; `done_at` is set once, by the first commit of the batch, together with its
 *   counts (the run's report sums them).
 * - `portal_sync_results`: one row per (run, record), written in the transaction that marks the batch done:
 *   whether the record matched, its discrepancies (kind, field, the portal's value, the registry's) and whether the
 *   run corrected the record.
 * - `idx_portal_records_service_id_number`: a batch asks, for each of its records, whether an earlier record of the
 *   service holds the same ID number (a duplicate). Without this index the planner combined the service's
 *   (service_code, record_id) index, scanning every earlier record of the service, with the ID-number index: each
 *   batch cost more than the one before, and a run over 100,000 records slowed from 7 batches a second to one every
 *   two seconds. With it the question is one index probe per record.
 */
export class CreatePortalSyncRuns1796700060000 implements MigrationInterface {
  name = 'CreatePortalSyncRuns1796700060000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE portal_sync_runs (
        run_id uuid CONSTRAINT pk_portal_sync_runs PRIMARY KEY,
        service_code text NOT NULL CONSTRAINT fk_portal_sync_runs_service REFERENCES public_services (code),
        mode text NOT NULL CONSTRAINT ck_portal_sync_runs_mode CHECK (mode IN ('verify', 'refresh')),
        state text NOT NULL CONSTRAINT ck_portal_sync_runs_state CHECK (state IN ('pending', 'running', 'completed', 'cancelled', 'stopped')),
        requested_by text NOT NULL,
        batch_count integer,
        batches_done integer NOT NULL DEFAULT 0,
        record_count integer,
        stop_reason text,
        waiting_reason text,
        waiting_until timestamptz,
        requested_at timestamptz NOT NULL DEFAULT now(),
        started_at timestamptz,
        finished_at timestamptz
      )`);
    await queryRunner.query(`CREATE UNIQUE INDEX ux_portal_sync_runs_running ON portal_sync_runs (service_code) WHERE state = 'running'`);
    await queryRunner.query(`CREATE UNIQUE INDEX ux_portal_sync_runs_pending ON portal_sync_runs (service_code) WHERE state = 'pending'`);
    await queryRunner.query(`CREATE INDEX idx_portal_sync_runs_requested ON portal_sync_runs (requested_at DESC, run_id DESC)`);
    await queryRunner.query(`
      CREATE TABLE portal_sync_batches (
        run_id uuid NOT NULL CONSTRAINT fk_portal_sync_batches_run REFERENCES portal_sync_runs (run_id) ON DELETE CASCADE,
        batch_no integer NOT NULL,
        first_record_id bigint NOT NULL,
        last_record_id bigint NOT NULL,
        planned_count integer NOT NULL,
        scanned integer,
        matched integer,
        corrections integer,
        errors integer,
        kinds jsonb,
        done_at timestamptz,
        CONSTRAINT pk_portal_sync_batches PRIMARY KEY (run_id, batch_no)
      )`);
    await queryRunner.query(`CREATE INDEX idx_portal_sync_batches_open ON portal_sync_batches (run_id, batch_no) WHERE done_at IS NULL`);
    await queryRunner.query(`
      CREATE TABLE portal_sync_results (
        run_id uuid NOT NULL CONSTRAINT fk_portal_sync_results_run REFERENCES portal_sync_runs (run_id) ON DELETE CASCADE,
        record_id bigint NOT NULL,
        batch_no integer NOT NULL,
        matched boolean NOT NULL,
        kinds text[] NOT NULL,
        discrepancies jsonb NOT NULL,
        corrected boolean NOT NULL,
        error text,
        CONSTRAINT pk_portal_sync_results PRIMARY KEY (run_id, record_id)
      )`);
    await queryRunner.query(`CREATE INDEX idx_portal_sync_results_kinds ON portal_sync_results USING gin (kinds)`);
    await queryRunner.query(`CREATE INDEX idx_portal_records_service_id_number ON portal_records (service_code, id_number, record_id)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX idx_portal_records_service_id_number`);
    await queryRunner.query(`DROP TABLE portal_sync_results`);
    await queryRunner.query(`DROP TABLE portal_sync_batches`);
    await queryRunner.query(`DROP TABLE portal_sync_runs`);
  }
}
