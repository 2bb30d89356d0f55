import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The discrepancy list of a run (SyncRunRepository.discrepancies) pages through the run's results that hold a
 * discrepancy, in record order: a partial b-tree on (run_id, record_id) over those rows serves it in order, with the
 * kind filtered on the few rows it reads. The GIN index on `kinds` it replaces served no query (`$2 = ANY (kinds)`
 * cannot use it; idx_scan stayed 0 on the bench database after millions of results), yet every result row of every
 * batch paid for its upkeep.
 */
export class SyncResultsDiscrepantIndex1796700360000 implements MigrationInterface {
  name = 'SyncResultsDiscrepantIndex1796700360000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX idx_portal_sync_results_kinds`);
    await queryRunner.query(`CREATE INDEX idx_portal_sync_results_discrepant ON portal_sync_results (run_id, record_id) WHERE cardinality(kinds) > 0`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX idx_portal_sync_results_discrepant`);
    await queryRunner.query(`CREATE INDEX idx_portal_sync_results_kinds ON portal_sync_results USING gin (kinds)`);
  }
}
