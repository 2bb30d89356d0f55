import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Consumers are found by the public prefix of their key, and the key's hash is then compared in constant time in
 * the gateway (ConsumerDirectory), instead of being matched by the database's index on the hash.
 */
export class IndexConsumerKeyPrefix1796040000000 implements MigrationInterface {
  name = 'IndexConsumerKeyPrefix1796040000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE INDEX idx_consumers_key_prefix ON consumers (key_prefix) WHERE key_hash IS NOT NULL`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX idx_consumers_key_prefix`);
  }
}
