import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A citizen has at most one live consent per consumer and service (ConsentsService). Databases made before that rule
 * may hold several, left by retried creates: a client revoking the one it knows would leave another live. All but
 * the newest live one of each are revoked here, so the rule holds for the data already there.
 */
export class OneLiveConsent1796040120000 implements MigrationInterface {
  name = 'OneLiveConsent1796040120000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      UPDATE consents k SET revoked_at = now()
      FROM (SELECT consent_id,
                   row_number() OVER (PARTITION BY citizen_hmac, consumer_id, service_code ORDER BY created_at DESC, consent_id DESC) AS n
            FROM consents WHERE revoked_at IS NULL AND expires_at > now()) d
      WHERE k.consent_id = d.consent_id AND d.n > 1`);
  }

  async down(): Promise<void> {
    // Revocations are not undone: a revoked consent stays revoked.
  }
}
