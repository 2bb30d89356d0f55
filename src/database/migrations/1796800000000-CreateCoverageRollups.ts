import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Rollups of the call journal, so that coverage figures never read the whole journal (issue 10):
 * - `coverage_rollup_hourly`: per closed UTC hour, service, operation, consumer and outcome, the calls, the sum and
 *   the maximum of their latencies and a histogram of them in the fixed buckets of `LATENCY_BUCKET_BOUNDS_MS`
 *   (src/coverage/latency-buckets.ts): one count per bucket, so percentiles come from the rollups;
 * - `coverage_rollup_daily`: the same per Vietnamese day (UTC+7), the sum of that day's 24 hourly rows;
 * - `coverage_field_hourly`: per hour, service and field, the calls that asked for it, those that were returned it,
 *   and those refused with `fields_not_allowed` that asked for it (the data-minimisation view);
 * - `coverage_rolled_hours`: every hour rolled up, with its calls, so the job knows where it stands.
 * A service or consumer the journal left null (a call refused before either was known) is a null here too, kept apart
 * by `NULLS NOT DISTINCT` (PostgreSQL 15). Rollups outlive the journal's retention: dropping a day of the journal
 * leaves its rollups.
 */
export class CreateCoverageRollups1796800000000 implements MigrationInterface {
  name = 'CreateCoverageRollups1796800000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE coverage_rollup_hourly (
        hour_start timestamptz NOT NULL,
        service_code text,
        operation text NOT NULL,
        consumer_id uuid,
        outcome text NOT NULL,
        calls integer NOT NULL,
        latency_sum_ms double precision NOT NULL,
        latency_max_ms real NOT NULL,
        latency_buckets integer[] NOT NULL,
        CONSTRAINT uq_coverage_rollup_hourly UNIQUE NULLS NOT DISTINCT (hour_start, service_code, operation, consumer_id, outcome),
        CONSTRAINT chk_coverage_rollup_hourly_hour CHECK (date_trunc('hour', hour_start) = hour_start)
      )`);
    await queryRunner.query(`CREATE INDEX idx_coverage_rollup_hourly_service ON coverage_rollup_hourly (service_code, hour_start)`);
    await queryRunner.query(`
      CREATE TABLE coverage_rollup_daily (
        day date NOT NULL,
        service_code text,
        operation text NOT NULL,
        consumer_id uuid,
        outcome text NOT NULL,
        calls integer NOT NULL,
        latency_sum_ms double precision NOT NULL,
        latency_max_ms real NOT NULL,
        latency_buckets integer[] NOT NULL,
        CONSTRAINT uq_coverage_rollup_daily UNIQUE NULLS NOT DISTINCT (day, service_code, operation, consumer_id, outcome)
      )`);
    await queryRunner.query(`CREATE INDEX idx_coverage_rollup_daily_service ON coverage_rollup_daily (service_code, day)`);
    await queryRunner.query(`
      CREATE TABLE coverage_field_hourly (
        hour_start timestamptz NOT NULL,
        service_code text,
        field text NOT NULL,
        requested integer NOT NULL,
        returned integer NOT NULL,
        refused_requests integer NOT NULL,
        CONSTRAINT uq_coverage_field_hourly UNIQUE NULLS NOT DISTINCT (hour_start, service_code, field)
      )`);
    await queryRunner.query(`CREATE INDEX idx_coverage_field_hourly_service ON coverage_field_hourly (service_code, hour_start)`);
    await queryRunner.query(`
      CREATE TABLE coverage_rolled_hours (
        hour_start timestamptz NOT NULL,
        calls integer NOT NULL,
        rolled_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_coverage_rolled_hours PRIMARY KEY (hour_start)
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE coverage_rolled_hours`);
    await queryRunner.query(`DROP TABLE coverage_field_hourly`);
    await queryRunner.query(`DROP TABLE coverage_rollup_daily`);
    await queryRunner.query(`DROP TABLE coverage_rollup_hourly`);
  }
}
