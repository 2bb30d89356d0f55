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
 * Filled here for every hour rolled up before: from the journal where it still holds the hour's day (with
 * `simulated`), else from the per-consumer rollups, which do not know it (those calls count as not simulated); the
 * daily rows from the hourly ones, for the days whose 24 hours are rolled up.
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
    // The latency histogram of the journal's rows, in the bounds of LATENCY_BUCKET_BOUNDS_MS as they are fixed.
    const bounds = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1_000, 2_000, 5_000, 10_000, 30_000, 60_000];
    const histogram = `ARRAY[${[
      ...bounds.map((bound, i) => (i === 0 ? `count(*) FILTER (WHERE j.latency_ms <= ${bound})` : `count(*) FILTER (WHERE j.latency_ms > ${bounds[i - 1]} AND j.latency_ms <= ${bound})`)),
      `count(*) FILTER (WHERE j.latency_ms > ${bounds[bounds.length - 1]})`,
    ].join(', ')}]::integer[]`;
    await queryRunner.query(`
      INSERT INTO coverage_service_hourly (hour_start, service_code, outcome, simulated, calls, latency_sum_ms, latency_max_ms, latency_buckets)
      SELECT r.hour_start, j.service_code, j.outcome, j.fault_kind IS NOT NULL, count(*), sum(j.latency_ms), max(j.latency_ms), ${histogram}
      FROM coverage_rolled_hours r
      JOIN call_journal j ON j.received_at >= r.hour_start AND j.received_at < r.hour_start + interval '1 hour'
      GROUP BY r.hour_start, j.service_code, j.outcome, j.fault_kind IS NOT NULL`);
    // The hours whose day the journal no longer holds.
    await queryRunner.query(`
      INSERT INTO coverage_service_hourly (hour_start, service_code, outcome, simulated, calls, latency_sum_ms, latency_max_ms, latency_buckets)
      SELECT h.hour_start, h.service_code, h.outcome, false, sum(h.calls), sum(h.latency_sum_ms), max(h.latency_max_ms), ${summed('h.latency_buckets')}
      FROM coverage_rollup_hourly h
      WHERE NOT EXISTS (SELECT 1 FROM coverage_service_hourly s WHERE s.hour_start = h.hour_start)
      GROUP BY h.hour_start, h.service_code, h.outcome`);
    // Only the days whose 24 hours are rolled up: the others are read from the hourly rows.
    const complete = `SELECT (hour_start AT TIME ZONE 'Asia/Ho_Chi_Minh')::date AS day FROM coverage_rolled_hours GROUP BY 1 HAVING count(*) = 24`;
    await queryRunner.query(`
      INSERT INTO coverage_service_daily (day, service_code, outcome, simulated, calls, latency_sum_ms, latency_max_ms, latency_buckets)
      SELECT (h.hour_start AT TIME ZONE 'Asia/Ho_Chi_Minh')::date, h.service_code, h.outcome, h.simulated, sum(h.calls), sum(h.latency_sum_ms), max(h.latency_max_ms),
             ${summed('h.latency_buckets')}
      FROM coverage_service_hourly h
      WHERE (h.hour_start AT TIME ZONE 'Asia/Ho_Chi_Minh')::date IN (${complete})
      GROUP BY 1, h.service_code, h.outcome, h.simulated`);
    await queryRunner.query(`DELETE FROM coverage_rollup_daily WHERE day NOT IN (${complete})`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE coverage_service_daily`);
    await queryRunner.query(`DROP TABLE coverage_service_hourly`);
  }
}
