import { Inject, Injectable } from '@nestjs/common';
import type pg from 'pg';
import { summedHistogramsSqlOf } from '../common/histogram.js';
import { PG_POOL } from '../database/pg-pool.token.js';
import { DECISION_BUCKET_BOUNDS_S, type DossierAreaRow, type DossierFilingHourRow } from '../portal/dossier.repository.js';
import { RolledUpCache, seriesBucketSql, type SeriesInterval } from './rollup.repository.js';

/** Buckets of a decision-time histogram: one per bound and the one above the last. */
export const DECISION_BUCKET_COUNT = DECISION_BUCKET_BOUNDS_S.length + 1;

/** Where the dossier rollups stand (migration CoverageDossierRollups): epoch ms. */
export interface DossierRollupState {
  /** Every UTC hour of filing before this is rolled up. */
  rolledUntil: number;
  /** ...with every change of its dossiers made before this. */
  changesSince: number;
  /** When the rollups were last written (a transaction's start, later than any before): what was read from them since is still theirs. */
  refreshedAt?: number;
}

/** Dossier figures of one service, as DossierRepository gives them per hour of filing, in one bucket of a series (null: the whole period). */
export type DossierFiguresRow = Omit<DossierFilingHourRow, 'hourStart'> & { bucket: Date | null };

/** An hour range [from, to), epoch ms. */
export interface HourRange {
  from: number;
  to: number;
}

/** The rollups of the portal's dossiers per hour of filing and service, and the state that says how fresh they are. */
@Injectable()
export class DossierRollupRepository {
  /** What was read from the rollups, by the refresh it was read after (RolledUpCache). */
  private readonly hoursCache = new RolledUpCache<DossierFiguresRow[]>();
  private readonly areasCache = new RolledUpCache<DossierAreaRow[]>();

  constructor(@Inject(PG_POOL) private readonly pool: pg.Pool) {}

  /**
   * The database's clock, and the start of the oldest transaction open in this database but this one (null when none):
   * a dossier written by it carries that start as its `updated_at` (now()), however late it commits.
   */
  async clock(): Promise<{ now: number; oldestOpenSince: number | null }> {
    const { rows } = await this.pool.query<{ now: Date; oldest: Date | null }>(
      `SELECT clock_timestamp() AS now,
              (SELECT min(xact_start) FROM pg_stat_activity
               WHERE datname = current_database() AND backend_type = 'client backend' AND pid <> pg_backend_pid() AND xact_start IS NOT NULL) AS oldest`,
    );
    return { now: rows[0].now.getTime(), oldestOpenSince: rows[0].oldest?.getTime() ?? null };
  }

  async state(): Promise<DossierRollupState | null> {
    const { rows } = await this.pool.query<{ rolled_until: Date; changes_since: Date; refreshed_at: Date }>(
      'SELECT rolled_until, changes_since, refreshed_at FROM coverage_dossier_state',
    );
    return rows[0] ? { rolledUntil: rows[0].rolled_until.getTime(), changesSince: rows[0].changes_since.getTime(), refreshedAt: rows[0].refreshed_at.getTime() } : null;
  }

  /**
   * Replaces the rollups of the hours in `ranges` with `rows` (the figures of exactly those hours), and those of the
   * Vietnamese days `areaDays` per commune with `areaRows`, and moves the state from `expected` to `next`, in one
   * transaction. Returns false, writing nothing, when another refresh moved the state first (two workers' jobs at
   * once): its rollups are at least as fresh.
   */
  async replace(
    ranges: readonly HourRange[],
    rows: readonly DossierFilingHourRow[],
    areas: { days: readonly string[]; rows: readonly DossierAreaRow[] },
    expected: DossierRollupState | null,
    next: DossierRollupState,
  ): Promise<boolean> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      // Serialises refreshes, the first one (no state row to lock yet) too.
      await client.query(`SELECT pg_advisory_xact_lock(hashtextextended('coverage_dossier_rollups', 0))`);
      const { rows: current } = await client.query<{ rolled_until: Date; changes_since: Date }>('SELECT rolled_until, changes_since FROM coverage_dossier_state');
      const now = current[0] ? { rolledUntil: current[0].rolled_until.getTime(), changesSince: current[0].changes_since.getTime() } : null;
      if (JSON.stringify(now) !== JSON.stringify(expected && { rolledUntil: expected.rolledUntil, changesSince: expected.changesSince })) {
        await client.query('ROLLBACK');
        return false;
      }
      if (ranges.length > 0) {
        await client.query(
          `DELETE FROM coverage_dossier_hourly h USING unnest($1::timestamptz[], $2::timestamptz[]) AS r (range_from, range_to)
           WHERE h.hour_start >= r.range_from AND h.hour_start < r.range_to`,
          [ranges.map((range) => new Date(range.from)), ranges.map((range) => new Date(range.to))],
        );
      }
      if (rows.length > 0) {
        // One JSON parameter, whatever the number of rows (a first refresh holds every hour since the first dossier).
        await client.query(
          `INSERT INTO coverage_dossier_hourly (hour_start, service_code, filed, decided_automatically, decided, decision_buckets, decision_min_s, decision_max_s)
           SELECT (r->>'hourStart')::timestamptz, r->>'serviceCode', (r->>'filed')::int, (r->>'decidedAutomatically')::int, (r->>'decided')::int,
                  ARRAY(SELECT jsonb_array_elements_text(r->'decisionBuckets')::int), (r->>'decisionMinSeconds')::double precision,
                  (r->>'decisionMaxSeconds')::double precision
           FROM jsonb_array_elements($1::jsonb) AS r`,
          [JSON.stringify(rows)],
        );
      }
      if (areas.days.length > 0) await client.query('DELETE FROM coverage_dossier_area_daily WHERE day = ANY ($1::date[])', [areas.days]);
      if (areas.rows.length > 0) {
        await client.query(
          `INSERT INTO coverage_dossier_area_daily (day, commune_code, filed, decided_automatically, backlog)
           SELECT (r->>'day')::date, r->>'communeCode', (r->>'filed')::int, (r->>'decidedAutomatically')::int, (r->>'backlog')::int
           FROM jsonb_array_elements($1::jsonb) AS r`,
          [JSON.stringify(areas.rows)],
        );
      }
      await client.query(
        `INSERT INTO coverage_dossier_state (singleton, rolled_until, changes_since, refreshed_at) VALUES (true, $1, $2, now())
         ON CONFLICT (singleton) DO UPDATE SET rolled_until = EXCLUDED.rolled_until, changes_since = EXCLUDED.changes_since, refreshed_at = now()`,
        [new Date(next.rolledUntil), new Date(next.changesSince)],
      );
      await client.query('COMMIT');
      return true;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  /**
   * The rolled-up dossiers of the Vietnamese days `days` per commune of the applicants, as the rollups of `version`
   * (DossierRollupState.refreshedAt) hold them: kept per process until a refresh writes again.
   */
  async areaFiguresOf(days: readonly string[], version: number | undefined): Promise<DossierAreaRow[]> {
    if (days.length === 0) return [];
    const rows = await this.areasCache.get(JSON.stringify(days), String(version), () => this.readAreaFigures(days));
    return rows.map((row) => ({ ...row }));
  }

  private async readAreaFigures(days: readonly string[]): Promise<DossierAreaRow[]> {
    const { rows } = await this.pool.query<DossierAreaRow>(
      `SELECT NULL::text AS day, commune_code AS "communeCode", sum(filed)::int AS filed, sum(decided_automatically)::int AS "decidedAutomatically",
              sum(backlog)::int AS backlog
       FROM coverage_dossier_area_daily WHERE day = ANY ($1::date[]) GROUP BY commune_code`,
      [days],
    );
    return rows;
  }

  /**
   * The rolled-up figures of the hours in [from, to) but those in `skip`, per service (and per hour or Vietnamese day
   * with `bucket`), by the primary key's range.
   */
  async figuresOf(from: number, to: number, skip: readonly number[], bucket: SeriesInterval | undefined, version: number | undefined): Promise<DossierFiguresRow[]> {
    if (from >= to) return [];
    const rows = await this.hoursCache.get(JSON.stringify([from, to, skip, bucket ?? null]), String(version), () => this.readFigures(from, to, skip, bucket));
    return rows.map((row) => ({ ...row, decisionBuckets: [...row.decisionBuckets] }));
  }

  private async readFigures(from: number, to: number, skip: readonly number[], bucket: SeriesInterval | undefined): Promise<DossierFiguresRow[]> {
    const { rows } = await this.pool.query<DossierFiguresRow>(
      `SELECT ${seriesBucketSql('hour_start', bucket)} AS bucket, service_code AS "serviceCode", sum(filed)::int AS filed,
              sum(decided_automatically)::int AS "decidedAutomatically", sum(decided)::int AS decided,
              ${summedHistogramsSqlOf('decision_buckets', DECISION_BUCKET_COUNT)} AS "decisionBuckets",
              coalesce(min(decision_min_s) FILTER (WHERE decided > 0), 0) AS "decisionMinSeconds", max(decision_max_s) AS "decisionMaxSeconds"
       FROM coverage_dossier_hourly
       WHERE hour_start >= $1 AND hour_start < $2 AND hour_start <> ALL ($3::timestamptz[])
       GROUP BY 1, 2`,
      [new Date(from), new Date(to), skip.map((hour) => new Date(hour))],
    );
    return rows;
  }
}
