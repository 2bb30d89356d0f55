import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Coverage reads the dossiers filed in a period (DossierRepository.coverageByService, coverageByCommune): an index on
 * `filed_at` makes that a range scan of the period instead of a scan of every dossier ever filed. Rows are appended
 * in filing order, so new entries land at the index's end.
 */
export class IndexDossiersFiledAt1796800120000 implements MigrationInterface {
  name = 'IndexDossiersFiledAt1796800120000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE INDEX idx_portal_dossiers_filed_at ON portal_dossiers (filed_at)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX idx_portal_dossiers_filed_at`);
  }
}
