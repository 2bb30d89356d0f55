import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The Retry-After each call was answered with (a rate limit's wait, a spent quota's time to renewal, a 503's outage
 * wait, a simulated 429's `retryAfterSeconds`), so that a client's go-live readiness can tell whether it waited that
 * long before its retry: the header is not derivable afterwards (a fault's parameter is the caller's choice). A
 * nullable column with no default: adding it rewrites no partition.
 */
export class JournalRetryAfter1796801000000 implements MigrationInterface {
  name = 'JournalRetryAfter1796801000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE call_journal ADD COLUMN retry_after_s integer`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE call_journal DROP COLUMN retry_after_s`);
  }
}
