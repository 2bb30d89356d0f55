import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The dossiers per Vietnamese day of filing and commune of the applicant (issue 10), for /coverage/v1/areas: read
 * from the dossiers, a month was every dossier filed in it (300,000 took 0.1 s alone, 0.3-0.4 s four at a time,
 * docs/BENCHMARKS.md, "Issue 10"). Days, not hours: a commune has a few dossiers an hour, so hourly rows would be
 * about as many as the dossiers. Kept fresh by the same refresh and state as `coverage_dossier_hourly`: a day is
 * rolled up once it has ended before `rolled_until`, and again when one of its dossiers changes. The dossier
 * rollups are dropped here, so that the next refresh rolls up both tables from the first dossier on.
 */
export class CoverageAreaRollups1796802240000 implements MigrationInterface {
  name = 'CoverageAreaRollups1796802240000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE coverage_dossier_area_daily (
        day date NOT NULL,
        commune_code text,
        filed integer NOT NULL,
        decided_automatically integer NOT NULL,
        backlog integer NOT NULL,
        CONSTRAINT uq_coverage_dossier_area_daily UNIQUE NULLS NOT DISTINCT (day, commune_code)
      )`);
    await queryRunner.query(`DELETE FROM coverage_dossier_state`);
    await queryRunner.query(`DELETE FROM coverage_dossier_hourly`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE coverage_dossier_area_daily`);
  }
}
