import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Consumers (client systems) with their hashed API key and granted services, and citizens' consents for non-state
 * consumers. A key is stored only as its SHA-256; a revoked key leaves `key_hash` null.
 */
export class CreateConsumersAndConsents1795830360000 implements MigrationInterface {
  name = 'CreateConsumersAndConsents1795830360000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE consumers (
        consumer_id uuid NOT NULL DEFAULT gen_random_uuid(),
        name text NOT NULL,
        kind text NOT NULL,
        service_codes text[] NOT NULL DEFAULT '{}',
        key_hash char(64),
        key_prefix text,
        key_issued_at timestamptz,
        key_revoked_at timestamptz,
        is_developer boolean NOT NULL DEFAULT false,
        rate_limit_per_second integer,
        daily_quota integer,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_consumers PRIMARY KEY (consumer_id),
        CONSTRAINT uq_consumers_key_hash UNIQUE (key_hash),
        CONSTRAINT chk_consumers_kind CHECK (kind IN ('state', 'non_state')),
        CONSTRAINT chk_consumers_limits CHECK (coalesce(rate_limit_per_second, 1) > 0 AND coalesce(daily_quota, 1) > 0)
      )`);
    await queryRunner.query(`CREATE UNIQUE INDEX uq_consumers_developer ON consumers (is_developer) WHERE is_developer`);
    await queryRunner.query(`
      CREATE TABLE consents (
        consent_id uuid NOT NULL DEFAULT gen_random_uuid(),
        citizen_hmac char(64) NOT NULL,
        citizen_masked text NOT NULL,
        consumer_id uuid NOT NULL,
        service_code text NOT NULL,
        fields text[] NOT NULL,
        expires_at timestamptz NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        revoked_at timestamptz,
        CONSTRAINT pk_consents PRIMARY KEY (consent_id),
        CONSTRAINT fk_consents_consumer FOREIGN KEY (consumer_id) REFERENCES consumers (consumer_id),
        CONSTRAINT fk_consents_service FOREIGN KEY (service_code) REFERENCES public_services (code)
      )`);
    await queryRunner.query(`CREATE INDEX idx_consents_lookup ON consents (citizen_hmac, consumer_id, service_code)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE consents`);
    await queryRunner.query(`DROP TABLE consumers`);
  }
}
