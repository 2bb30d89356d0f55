import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The append-only audit of registry access (Decree 278/2025 traces all mandatory sharing). The database itself
 * refuses UPDATE, DELETE and TRUNCATE on it, whatever the API does. Citizens and officers are recorded as an HMAC of
 * their ID number (for "who read my data" queries) plus the masked number; the HMAC key is generated here, once.
 */
export class CreateAccessAudit1795830420000 implements MigrationInterface {
  name = 'CreateAccessAudit1795830420000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE access_audit (
        audit_id bigint GENERATED ALWAYS AS IDENTITY,
        occurred_at timestamptz NOT NULL DEFAULT now(),
        request_id text NOT NULL,
        consumer_id uuid,
        officer_hmac char(64),
        officer_masked text,
        service_code text,
        dossier_id text,
        operation text NOT NULL,
        citizen_hmac char(64),
        citizen_masked text,
        fields text[] NOT NULL DEFAULT '{}',
        outcome text NOT NULL,
        reason text,
        CONSTRAINT pk_access_audit PRIMARY KEY (audit_id),
        CONSTRAINT chk_access_audit_outcome CHECK (outcome IN ('ok', 'match', 'mismatch', 'not_found', 'refused'))
      )`);
    await queryRunner.query(`CREATE INDEX idx_access_audit_citizen ON access_audit (citizen_hmac, audit_id) WHERE citizen_hmac IS NOT NULL`);
    await queryRunner.query(`CREATE INDEX idx_access_audit_consumer ON access_audit (consumer_id, audit_id)`);
    await queryRunner.query(`CREATE INDEX idx_access_audit_dossier ON access_audit (dossier_id) WHERE dossier_id IS NOT NULL`);
    // Rows arrive in time order, so a BRIN index serves "since midnight" and time-range filters for a few pages.
    await queryRunner.query(`CREATE INDEX idx_access_audit_occurred_at ON access_audit USING brin (occurred_at)`);
    await queryRunner.query(`
      CREATE FUNCTION access_audit_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'access_audit is append-only: % is not allowed', TG_OP USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await queryRunner.query(`
      CREATE TRIGGER trg_access_audit_append_only BEFORE UPDATE OR DELETE ON access_audit
      FOR EACH ROW EXECUTE FUNCTION access_audit_is_append_only()`);
    await queryRunner.query(`
      CREATE TRIGGER trg_access_audit_no_truncate BEFORE TRUNCATE ON access_audit
      FOR EACH STATEMENT EXECUTE FUNCTION access_audit_is_append_only()`);
    await queryRunner.query(`
      CREATE TABLE access_secrets (
        name text NOT NULL,
        value text NOT NULL,
        CONSTRAINT pk_access_secrets PRIMARY KEY (name)
      )`);
    // gen_random_uuid() draws from the server's strong random source; two of them give 244 random bits.
    await queryRunner.query(
      `INSERT INTO access_secrets (name, value) VALUES ('citizen_hmac_key', replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', ''))`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE access_secrets`);
    await queryRunner.query(`DROP TABLE access_audit`);
    await queryRunner.query(`DROP FUNCTION access_audit_is_append_only()`);
  }
}
