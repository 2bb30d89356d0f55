import type { MigrationInterface, QueryRunner } from 'typeorm';

/** A service may accept adults only (a marriage, a driving licence): the youngest applicant's age, or null. */
export class ServiceMinimumAge1796600000000 implements MigrationInterface {
  name = 'ServiceMinimumAge1796600000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE public_services ADD COLUMN minimum_age smallint CONSTRAINT ck_public_services_minimum_age CHECK (minimum_age BETWEEN 1 AND 120)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE public_services DROP COLUMN minimum_age`);
  }
}
