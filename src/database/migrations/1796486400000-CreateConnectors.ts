import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Connectors and simulated faults: a connector per catalog service (its operations, state and the operator's fault
 * profile), the sandbox sessions of consumers, and the consumers' own fault profiles (per service or for all, per
 * session or for all of the consumer's calls). Rows are written from config/connectors.json on start and by the
 * /connectors and /sandbox APIs; the registry reads them from memory.
 */
export class CreateConnectors1796486400000 implements MigrationInterface {
  name = 'CreateConnectors1796486400000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE connectors (
        service_code text NOT NULL,
        state text NOT NULL,
        operations text[] NOT NULL,
        fault_profile jsonb,
        apply_faults_to_all_callers boolean NOT NULL DEFAULT false,
        profile_version uuid NOT NULL DEFAULT gen_random_uuid(),
        note text,
        source text NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_connectors PRIMARY KEY (service_code),
        CONSTRAINT fk_connectors_service FOREIGN KEY (service_code) REFERENCES public_services (code) ON DELETE CASCADE,
        CONSTRAINT chk_connectors_state CHECK (state IN ('enabled', 'maintenance', 'disabled')),
        CONSTRAINT chk_connectors_operations CHECK (operations <@ ARRAY['verify', 'verify-batch', 'look-up', 'households', 'changes']::text[]),
        CONSTRAINT chk_connectors_source CHECK (source IN ('config', 'api')),
        CONSTRAINT chk_connectors_profile CHECK (fault_profile IS NULL OR jsonb_typeof(fault_profile) = 'object')
      )`);
    await queryRunner.query(`
      CREATE TABLE sandbox_sessions (
        session_id uuid NOT NULL DEFAULT gen_random_uuid(),
        consumer_id uuid NOT NULL,
        label text,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_sandbox_sessions PRIMARY KEY (session_id),
        CONSTRAINT fk_sandbox_sessions_consumer FOREIGN KEY (consumer_id) REFERENCES consumers (consumer_id) ON DELETE CASCADE
      )`);
    await queryRunner.query(`CREATE INDEX idx_sandbox_sessions_consumer ON sandbox_sessions (consumer_id)`);
    // One profile per scope: a consumer's own (session null) or a session's, for one service or all (service null).
    // Nulls count as equal, so "all services of the consumer" is one row, not one per insert.
    await queryRunner.query(`
      CREATE TABLE fault_profiles (
        profile_version uuid NOT NULL DEFAULT gen_random_uuid(),
        consumer_id uuid NOT NULL,
        session_id uuid,
        service_code text,
        profile jsonb NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_fault_profiles PRIMARY KEY (profile_version),
        CONSTRAINT uq_fault_profiles_scope UNIQUE NULLS NOT DISTINCT (consumer_id, session_id, service_code),
        CONSTRAINT fk_fault_profiles_consumer FOREIGN KEY (consumer_id) REFERENCES consumers (consumer_id) ON DELETE CASCADE,
        CONSTRAINT fk_fault_profiles_session FOREIGN KEY (session_id) REFERENCES sandbox_sessions (session_id) ON DELETE CASCADE,
        CONSTRAINT fk_fault_profiles_service FOREIGN KEY (service_code) REFERENCES public_services (code) ON DELETE CASCADE,
        CONSTRAINT chk_fault_profiles_profile CHECK (jsonb_typeof(profile) = 'object')
      )`);
    await queryRunner.query(`CREATE INDEX idx_fault_profiles_session ON fault_profiles (session_id) WHERE session_id IS NOT NULL`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE fault_profiles`);
    await queryRunner.query(`DROP TABLE sandbox_sessions`);
    await queryRunner.query(`DROP TABLE connectors`);
  }
}
