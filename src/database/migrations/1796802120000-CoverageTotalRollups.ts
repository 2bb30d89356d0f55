import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The calls of every service together per closed UTC hour, outcome and simulated (issue 10): what an hourly series of
 * all services reads. Summed from the per-service rows at read time, two months of hours were 330,000 rows to
 * aggregate (0.1-0.25 s); these are about 20 an hour. Filled here from `coverage_service_hourly`.
 */
export class CoverageTotalRollups1796802120000 implements MigrationInterface {
  name = 'CoverageTotalRollups1796802120000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE coverage_total_hourly (
        hour_start timestamptz NOT NULL,
        outcome text NOT NULL,
        simulated boolean NOT NULL,
        calls integer NOT NULL,
        latency_sum_ms double precision NOT NULL,
        latency_max_ms real NOT NULL,
        latency_buckets integer[] NOT NULL,
        CONSTRAINT pk_coverage_total_hourly PRIMARY KEY (hour_start, outcome, simulated),
        CONSTRAINT chk_coverage_total_hourly_hour CHECK (date_trunc('hour', hour_start) = hour_start)
      )`);
    // 16 buckets: the 15 bounds of LATENCY_BUCKET_BOUNDS_MS and the one above (fixed).
    const summed = `ARRAY[${Array.from({ length: 16 }, (_, i) => `sum(latency_buckets[${i + 1}])`).join(', ')}]::integer[]`;
    await queryRunner.query(`
      INSERT INTO coverage_total_hourly (hour_start, outcome, simulated, calls, latency_sum_ms, latency_max_ms, latency_buckets)
      SELECT hour_start, outcome, simulated, sum(calls), sum(latency_sum_ms), max(latency_max_ms), ${summed}
      FROM coverage_service_hourly GROUP BY hour_start, outcome, simulated`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE coverage_total_hourly`);
  }
}
