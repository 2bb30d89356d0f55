import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The integration stage an operator sets per public service (`planned`, `testing`, `live`): coverage's own table. A
 * service without a row is `planned`. Removing a service from the catalog removes its stage.
 */
export class CreateCoverageStages1796800060000 implements MigrationInterface {
  name = 'CreateCoverageStages1796800060000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE coverage_service_stages (
        service_code text NOT NULL CONSTRAINT fk_coverage_service_stages_service REFERENCES public_services (code) ON DELETE CASCADE,
        stage text NOT NULL CONSTRAINT chk_coverage_service_stages_stage CHECK (stage IN ('planned', 'testing', 'live')),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_coverage_service_stages PRIMARY KEY (service_code)
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE coverage_service_stages`);
  }
}
