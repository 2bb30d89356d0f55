import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A consumer's name identifies the client system, case aside: a retried POST /access/v1/consumers must find the
 * consumer it created (409 consumer_exists) rather than create a second one with a key nobody holds. Names already
 * taken twice are told apart first with the start of their id, so that the index can be built on any database.
 */
export class UniqueConsumerNames1796040060000 implements MigrationInterface {
  name = 'UniqueConsumerNames1796040060000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      UPDATE consumers c SET name = c.name || ' (' || left(c.consumer_id::text, 8) || ')'
      FROM (SELECT consumer_id, row_number() OVER (PARTITION BY lower(name) ORDER BY created_at, consumer_id) AS n FROM consumers) d
      WHERE c.consumer_id = d.consumer_id AND d.n > 1`);
    await queryRunner.query(`CREATE UNIQUE INDEX uq_consumers_name ON consumers (lower(name))`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX uq_consumers_name`);
  }
}
