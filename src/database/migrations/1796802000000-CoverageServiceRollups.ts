import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Rollups per service, outcome and whether the call met a simulated fault, without the consumer and the operation
 * (issue 10): what the coverage tables, the agencies and the time series read. The per-consumer rollups
 * (CreateCoverageRollups) hold about a hundred times more rows, so a 30-day table read 600,000 of them
 * (docs/BENCHMARKS.md, "Issue 10"); these hold at most services × outcomes × 2 rows an hour.
 * - `coverage_service_hourly`: per closed UTC hour, service, outcome and `simulated` (the journal's `fault_kind` is
 *   set: the call's failure or delay was a fault profile's, not the service's), the calls, the sum and maximum of
 *   their latencies and their histogram in the fixed buckets of `LATENCY_BUCKET_BOUNDS_MS`;
 * - `coverage_service_daily`: the same per Vietnamese day, written once the day's 24 hours are all rolled up.
 * Filled here from the per-consumer rollups, which do not know `simulated`: the hours rolled up before this migration
 * count every call as not simulated until they are replayed (`POST /coverage/v1/rollups/replay`, while the journal
 * still holds their days).
 */
export class CoverageServiceRollups1796802000000 implements MigrationInterface {
  name = 'CoverageServiceRollups1796802000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    for (const [table, period, type, check] of [
      ['coverage_service_hourly', 'hour_start', 'timestamptz', `, CONSTRAINT chk_coverage_service_hourly_hour CHECK (date_trunc('hour', hour_start) = hour_start)`],
      ['coverage_service_daily', 'day', 'date', ''],
    ] as const) {
      await queryRunner.query(`
        CREATE TABLE ${table} (
          ${period} ${type} NOT NULL,
          service_code text,
          outcome text NOT NULL,
          simulated boolean NOT NULL,
          calls integer NOT NULL,
          latency_sum_ms double precision NOT NULL,
          latency_max_ms real NOT NULL,
          latency_buckets integer[] NOT NULL,
          CONSTRAINT uq_${table} UNIQUE NULLS NOT DISTINCT (${period}, service_code, outcome, simulated)${check}
        )`);
      await queryRunner.query(`CREATE INDEX idx_${table}_service ON ${table} (service_code, ${period})`);
    }
    // The histograms summed bucket by bucket: 16 buckets, the 15 bounds of LATENCY_BUCKET_BOUNDS_MS and the one above
    // (fixed: the rollups of every hour are summed together).
    const summed = (column: string) => `ARRAY[${Array.from({ length: 16 }, (_, i) => `sum(${column}[${i + 1}])`).join(', ')}]::integer[]`;
    await queryRunner.query(`
      INSERT INTO coverage_service_hourly (hour_start, service_code, outcome, simulated, calls, latency_sum_ms, latency_max_ms, latency_buckets)
      SELECT hour_start, service_code, outcome, false, sum(calls), sum(latency_sum_ms), max(latency_max_ms), ${summed('latency_buckets')}
      FROM coverage_rollup_hourly GROUP BY hour_start, service_code, outcome`);
    // Only the days whose 24 hours are rolled up: the others are read from the hourly rows.
    await queryRunner.query(`
      INSERT INTO coverage_service_daily (day, service_code, outcome, simulated, calls, latency_sum_ms, latency_max_ms, latency_buckets)
      SELECT d.day, d.service_code, d.outcome, false, sum(d.calls), sum(d.latency_sum_ms), max(d.latency_max_ms), ${summed('d.latency_buckets')}
      FROM coverage_rollup_daily d
      WHERE (SELECT count(*) FROM coverage_rolled_hours r
             WHERE r.hour_start >= d.day::timestamp AT TIME ZONE 'Asia/Ho_Chi_Minh'
               AND r.hour_start < (d.day + 1)::timestamp AT TIME ZONE 'Asia/Ho_Chi_Minh') = 24
      GROUP BY d.day, d.service_code, d.outcome`);
    await queryRunner.query(`
      DELETE FROM coverage_rollup_daily d
      WHERE (SELECT count(*) FROM coverage_rolled_hours r
             WHERE r.hour_start >= d.day::timestamp AT TIME ZONE 'Asia/Ho_Chi_Minh'
               AND r.hour_start < (d.day + 1)::timestamp AT TIME ZONE 'Asia/Ho_Chi_Minh') < 24`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE coverage_service_daily`);
    await queryRunner.query(`DROP TABLE coverage_service_hourly`);
  }
}
