import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The backlog per service (dossiers received or verifying, whenever filed), which every coverage table reads, by an
 * index of the waiting dossiers alone: counted through `idx_portal_dossiers_status` it fetched each one's row for its
 * service (15,000 rows, 55 ms, in bench:coverage's dataset); this index answers it from the index (the visibility map
 * permitting). A dossier leaves it when it is decided.
 */
export class DossierBacklogIndex1796802180000 implements MigrationInterface {
  name = 'DossierBacklogIndex1796802180000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE INDEX idx_portal_dossiers_backlog ON portal_dossiers (service_code) WHERE status IN ('received', 'verifying')`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX idx_portal_dossiers_backlog`);
  }
}
