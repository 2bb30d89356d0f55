import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The portal's dossiers and their verification:
 * - `portal_dossiers`: what the applicant typed, the status, the decision with its reason and per-field result;
 *   an Idempotency-Key is unique per filer, so a retried filing finds the first dossier.
 * - `portal_dossier_events`: every status change, timestamped, in order.
 * - `portal_verification_attempts`: each run of a dossier's job, with the journal's call ids.
 * - `portal_outbox`: a dossier filed and not yet decided. Written with the dossier, deleted with its decision: what
 *   is here must have a job in Redis, and the reconciler makes sure it has.
 * - `portal_dead_letters`: jobs that gave up (every attempt spent, or a job that can never run), for operators.
 */
export class CreatePortalDossiers1796600120000 implements MigrationInterface {
  name = 'CreatePortalDossiers1796600120000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE portal_dossiers (
        dossier_id uuid CONSTRAINT pk_portal_dossiers PRIMARY KEY,
        service_code text NOT NULL CONSTRAINT fk_portal_dossiers_service REFERENCES public_services (code),
        filed_by text NOT NULL,
        idempotency_key text,
        request_hash char(64) NOT NULL,
        applicant jsonb NOT NULL,
        applicant_commune_code text,
        status text NOT NULL DEFAULT 'received'
          CONSTRAINT ck_portal_dossiers_status CHECK (status IN ('received', 'verifying', 'verified', 'needs_review', 'rejected')),
        reason text,
        reason_detail text,
        verification jsonb,
        label jsonb,
        dataset_epoch bigint,
        attempts integer NOT NULL DEFAULT 0,
        filed_at timestamptz NOT NULL DEFAULT now(),
        decided_at timestamptz,
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT ck_portal_dossiers_decided CHECK ((status IN ('verified', 'needs_review', 'rejected')) = (decided_at IS NOT NULL))
      )`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX uq_portal_dossiers_idempotency ON portal_dossiers (filed_by, idempotency_key) WHERE idempotency_key IS NOT NULL`,
    );
    await queryRunner.query(`CREATE INDEX idx_portal_dossiers_service ON portal_dossiers (service_code, dossier_id)`);
    await queryRunner.query(`CREATE INDEX idx_portal_dossiers_status ON portal_dossiers (status, dossier_id)`);
    await queryRunner.query(`
      CREATE TABLE portal_dossier_events (
        dossier_id uuid NOT NULL CONSTRAINT fk_portal_dossier_events_dossier REFERENCES portal_dossiers (dossier_id) ON DELETE CASCADE,
        seq integer NOT NULL,
        status text NOT NULL,
        reason text,
        note text,
        at timestamptz NOT NULL DEFAULT clock_timestamp(),
        CONSTRAINT pk_portal_dossier_events PRIMARY KEY (dossier_id, seq)
      )`);
    await queryRunner.query(`
      CREATE TABLE portal_verification_attempts (
        attempt_id bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT pk_portal_verification_attempts PRIMARY KEY,
        dossier_id uuid NOT NULL CONSTRAINT fk_portal_verification_attempts_dossier REFERENCES portal_dossiers (dossier_id) ON DELETE CASCADE,
        job_id text NOT NULL,
        attempt integer NOT NULL,
        started_at timestamptz NOT NULL,
        finished_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        outcome text NOT NULL,
        problem_code text,
        calls jsonb NOT NULL DEFAULT '[]'
      )`);
    await queryRunner.query(`CREATE INDEX idx_portal_verification_attempts_dossier ON portal_verification_attempts (dossier_id, attempt_id)`);
    await queryRunner.query(`
      CREATE TABLE portal_outbox (
        dossier_id uuid CONSTRAINT pk_portal_outbox PRIMARY KEY
          CONSTRAINT fk_portal_outbox_dossier REFERENCES portal_dossiers (dossier_id) ON DELETE CASCADE,
        created_at timestamptz NOT NULL DEFAULT now(),
        enqueued_at timestamptz
      )`);
    await queryRunner.query(`
      CREATE TABLE portal_dead_letters (
        dead_letter_id bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT pk_portal_dead_letters PRIMARY KEY,
        dossier_id uuid NOT NULL CONSTRAINT fk_portal_dead_letters_dossier REFERENCES portal_dossiers (dossier_id) ON DELETE CASCADE,
        service_code text NOT NULL,
        job_id text NOT NULL,
        reason_class text NOT NULL CONSTRAINT ck_portal_dead_letters_reason CHECK (reason_class IN ('registry_unreachable', 'unprocessable', 'worker_lost')),
        error text NOT NULL,
        attempts integer NOT NULL,
        failed_at timestamptz NOT NULL DEFAULT now(),
        redriven_at timestamptz
      )`);
    await queryRunner.query(`CREATE INDEX idx_portal_dead_letters_failed ON portal_dead_letters (failed_at, dead_letter_id)`);
    await queryRunner.query(`CREATE UNIQUE INDEX uq_portal_dead_letters_open ON portal_dead_letters (dossier_id) WHERE redriven_at IS NULL`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE portal_dead_letters`);
    await queryRunner.query(`DROP TABLE portal_outbox`);
    await queryRunner.query(`DROP TABLE portal_verification_attempts`);
    await queryRunner.query(`DROP TABLE portal_dossier_events`);
    await queryRunner.query(`DROP TABLE portal_dossiers`);
  }
}
