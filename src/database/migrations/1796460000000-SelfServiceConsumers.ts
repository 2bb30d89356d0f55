import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Consumers that developers registered themselves (POST /sandbox/developers): their grants follow the catalog, as
 * the sandbox developer consumer's do, so a service added later is theirs at once; operators can tell them apart.
 */
export class SelfServiceConsumers1796460000000 implements MigrationInterface {
  name = 'SelfServiceConsumers1796460000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE consumers ADD COLUMN self_service boolean NOT NULL DEFAULT false`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE consumers DROP COLUMN self_service`);
  }
}
