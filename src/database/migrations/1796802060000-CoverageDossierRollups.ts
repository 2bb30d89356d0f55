import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Rollups of the portal's dossiers per UTC hour of filing and service (issue 10), so that coverage reads a month of
 * dossier figures from about 700 rows per service instead of every dossier filed in it (300,000 took 0.9-1.3 s,
 * docs/BENCHMARKS.md, "Issue 10"). A dossier's figures change after it is filed (verified, decided, flagged for
 * review, redriven), so a rolled-up hour is only as fresh as its dossiers' last change:
 * - `coverage_dossier_hourly`: per hour and service, filed, decided without review, decided, and the histogram of the
 *   filing-to-decision time in the fixed buckets of DECISION_BUCKET_BOUNDS_S with its minimum and maximum (which
 *   narrow the buckets they fall in, so that a percentile of a few dossiers is exact);
 * - `coverage_dossier_state`: one row; every hour before `rolled_until` is rolled up with every change made before
 *   `changes_since`. Coverage reads the hours whose dossiers changed since then (found by the index on `updated_at`
 *   added here, one more entry per dossier write) and the hours after `rolled_until` from the dossiers themselves.
 */
export class CoverageDossierRollups1796802060000 implements MigrationInterface {
  name = 'CoverageDossierRollups1796802060000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE INDEX idx_portal_dossiers_updated_at ON portal_dossiers (updated_at)`);
    await queryRunner.query(`
      CREATE TABLE coverage_dossier_hourly (
        hour_start timestamptz NOT NULL,
        service_code text NOT NULL,
        filed integer NOT NULL,
        decided_automatically integer NOT NULL,
        decided integer NOT NULL,
        decision_buckets integer[] NOT NULL,
        decision_min_s double precision NOT NULL,
        decision_max_s double precision NOT NULL,
        CONSTRAINT pk_coverage_dossier_hourly PRIMARY KEY (hour_start, service_code),
        CONSTRAINT chk_coverage_dossier_hourly_hour CHECK (date_trunc('hour', hour_start) = hour_start)
      )`);
    await queryRunner.query(`
      CREATE TABLE coverage_dossier_state (
        singleton boolean NOT NULL DEFAULT true CONSTRAINT pk_coverage_dossier_state PRIMARY KEY CONSTRAINT chk_coverage_dossier_state_one CHECK (singleton),
        rolled_until timestamptz NOT NULL,
        changes_since timestamptz NOT NULL,
        refreshed_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE coverage_dossier_state`);
    await queryRunner.query(`DROP TABLE coverage_dossier_hourly`);
    await queryRunner.query(`DROP INDEX idx_portal_dossiers_updated_at`);
  }
}
