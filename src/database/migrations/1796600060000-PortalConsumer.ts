import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The city portal's own consumer: one row, as the sandbox developer consumer is. */
export class PortalConsumer1796600060000 implements MigrationInterface {
  name = 'PortalConsumer1796600060000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE consumers ADD COLUMN is_portal boolean NOT NULL DEFAULT false`);
    await queryRunner.query(`CREATE UNIQUE INDEX uq_consumers_portal ON consumers (is_portal) WHERE is_portal`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX uq_consumers_portal`);
    await queryRunner.query(`ALTER TABLE consumers DROP COLUMN is_portal`);
  }
}
