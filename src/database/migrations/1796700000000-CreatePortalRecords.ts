import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The portal's own copies of citizen data (issue 9), owned by the portal module:
 * - `portal_records`: the citizen data one service (or one commune's office, `holder_commune_code`) holds: the
 *   portal's values, which may have drifted from the registry. `label` is the sandbox generator's note of the drift
 *   it injected (null for a faithful copy), so that a reconciliation report can be checked against it; `source`
 *   says where the record's values came from and `confirmed_at` when they were last confirmed against the registry.
 *   Records are read in keyset ranges of `record_id` per service (the sync runs' batches) and by ID number (the
 *   changes follower).
 */
export class CreatePortalRecords1796700000000 implements MigrationInterface {
  name = 'CreatePortalRecords1796700000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE portal_records (
        record_id bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT pk_portal_records PRIMARY KEY,
        service_code text NOT NULL CONSTRAINT fk_portal_records_service REFERENCES public_services (code),
        holder_commune_code text,
        id_number char(12) NOT NULL CONSTRAINT ck_portal_records_id_number CHECK (id_number ~ '^[0-9]{12}$'),
        full_name text NOT NULL,
        date_of_birth text NOT NULL,
        sex text NOT NULL CONSTRAINT ck_portal_records_sex CHECK (sex IN ('male', 'female')),
        permanent_address jsonb NOT NULL,
        current_address jsonb NOT NULL,
        marital_status text NOT NULL,
        status text NOT NULL DEFAULT 'alive' CONSTRAINT ck_portal_records_status CHECK (status IN ('alive', 'deceased', 'missing')),
        status_date date,
        card_issue_date date,
        card_expiry_date date,
        source text NOT NULL CONSTRAINT ck_portal_records_source CHECK (source IN ('generated', 'sync_run', 'follower', 'portal')),
        label jsonb,
        confirmed_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE INDEX idx_portal_records_service ON portal_records (service_code, record_id)`);
    await queryRunner.query(`CREATE INDEX idx_portal_records_id_number ON portal_records (id_number)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE portal_records`);
  }
}
