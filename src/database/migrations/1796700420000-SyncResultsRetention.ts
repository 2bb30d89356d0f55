import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * When a finished sync run's per-record results were dropped (SYNC_RESULTS_KEEP_RUNS: per service, the newest runs
 * keep theirs). The run keeps its counts (its batches' rows); its discrepancy list answers 410 from then on.
 */
export class SyncResultsRetention1796700420000 implements MigrationInterface {
  name = 'SyncResultsRetention1796700420000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE portal_sync_runs ADD COLUMN results_pruned_at timestamptz`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE portal_sync_runs DROP COLUMN results_pruned_at`);
  }
}
