import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A verify-batch's items refused for want of consent are counted apart from invalid ones in the call journal:
 * `invalid` is a bad item, `refused` a valid one the consumer may not have answered.
 */
export class JournalBatchRefused1796470000000 implements MigrationInterface {
  name = 'JournalBatchRefused1796470000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE call_journal ADD COLUMN batch_refused integer`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE call_journal DROP COLUMN batch_refused`);
  }
}
