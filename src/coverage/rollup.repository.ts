import { Inject, Injectable } from '@nestjs/common';
import type pg from 'pg';
import { addHistograms, summedHistogramsSqlOf } from '../common/histogram.js';
import { PG_POOL } from '../database/pg-pool.token.js';
import { partitionName, vietnamDay } from '../journal/vietnam-day.js';
import { histogramSql, LATENCY_BUCKET_COUNT } from './latency-buckets.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** Vietnam keeps UTC+7 all year: a Vietnamese day starts at 17:00 UTC of the day before. */
const VIETNAM_OFFSET_MS = 7 * HOUR_MS;

/** The UTC hour holding an instant. */
export function hourOf(at: number): number {
  return Math.floor(at / HOUR_MS) * HOUR_MS;
}

/** The first instant of the Vietnamese day `day` (YYYY-MM-DD). */
export function vietnamDayStart(day: string): number {
  return Date.parse(`${day}T00:00:00Z`) - VIETNAM_OFFSET_MS;
}

/** Latency histograms summed bucket by bucket in an aggregate. */
const summedHistogramsSql = (column: string) => summedHistogramsSqlOf(column, LATENCY_BUCKET_COUNT);

/** The buckets of a time series: UTC hours, or Vietnamese days. */
export type SeriesInterval = 'hour' | 'day';

/** The SQL of the first instant of the Vietnamese day of a timestamptz column. */
const VIETNAM_DAY_OF = (column: string) => `(date_trunc('day', ${column} AT TIME ZONE 'Asia/Ho_Chi_Minh') AT TIME ZONE 'Asia/Ho_Chi_Minh')`;

/** The SQL of a series' bucket of an hour column (whole UTC hours): the hour, its Vietnamese day, or null without a bucket. */
export function seriesBucketSql(hourColumn: string, bucket: SeriesInterval | undefined): string {
  return bucket === 'day' ? VIETNAM_DAY_OF(hourColumn) : bucket === 'hour' ? hourColumn : 'NULL::timestamptz';
}

/** What callsOfPeriod groups by: per service (unless `perService` is false), outcome and simulated, and per bucket with `bucket`. */
export interface CallsOfPeriodOptions {
  /** Only this service. */
  serviceCode?: string;
  bucket?: SeriesInterval;
  /** False: the services summed (service_code null). Default true. */
  perService?: boolean;
  /** False: no latency histograms (latency_buckets null), for a measure that counts calls only. Default true. */
  latency?: boolean;
}

/** One row of a calls aggregate: calls and latencies of one group. */
export interface CallsAggregateRow {
  /** The hour or day (its first instant) with a `bucket`, else null. */
  bucket: Date | null;
  /** Null too with `perService: false`. */
  service_code: string | null;
  outcome: string;
  /** The calls met a simulated fault (the journal's fault_kind is set). */
  simulated: boolean;
  calls: number;
  latency_sum_ms: number;
  latency_max_ms: number;
  /** Null with `latency: false`. */
  latency_buckets: number[] | null;
}

/** A period cut into what each source answers: hourly rollups, daily rollups, and the journal of the open hours. */
export interface PeriodSources {
  hourly: { from: Date; to: Date }[];
  daily: { from: string; to: string }[];
  journal: { from: Date; to: Date }[];
}

/**
 * Where each part of the period [from, to) is read from, counted in whole UTC hours (`from` rounded down, `to` up):
 * the hours rolled up (`rolled`) from the rollups, whole Vietnamese days of them from the daily ones; every other
 * hour (the open hours, or hours the job has not reached) from the journal. Adjacent hours of one source are read as
 * one range.
 */
export function sourcesOf(from: number, to: number, rolled: ReadonlySet<number>, options: { daily?: boolean } = {}): PeriodSources {
  const useDaily = options.daily ?? true;
  const start = hourOf(from);
  const end = Math.ceil(to / HOUR_MS) * HOUR_MS;
  const sources: PeriodSources = { hourly: [], daily: [], journal: [] };
  const extend = (ranges: { from: Date; to: Date }[], hour: number) => {
    const last = ranges.at(-1);
    if (last && last.to.getTime() === hour) last.to = new Date(hour + HOUR_MS);
    else ranges.push({ from: new Date(hour), to: new Date(hour + HOUR_MS) });
  };
  for (let hour = start; hour < end; ) {
    const isDayStart = (hour + VIETNAM_OFFSET_MS) % DAY_MS === 0;
    if (useDaily && isDayStart && hour + DAY_MS <= end && Array.from({ length: 24 }, (_, i) => rolled.has(hour + i * HOUR_MS)).every(Boolean)) {
      const day = vietnamDay(hour);
      const next = vietnamDay(hour + DAY_MS);
      const last = sources.daily.at(-1);
      if (last && last.to === day) last.to = next;
      else sources.daily.push({ from: day, to: next });
      hour += DAY_MS;
      continue;
    }
    extend(rolled.has(hour) ? sources.hourly : sources.journal, hour);
    hour += HOUR_MS;
  }
  return sources;
}

/**
 * The rollups of the call journal (migrations CreateCoverageRollups, CoverageServiceRollups): writing one hour, its
 * day, and reading calls of a period from the per-service ones plus the open hours of the journal. Each hour is rolled up in one transaction that deletes the
 * hour's rows and inserts them again from the journal, so a replay recomputes it and never adds twice; an advisory
 * lock keeps two workers from rolling up at once (both would rewrite the same day).
 */
@Injectable()
export class RollupRepository {
  private readonly rolledUpCache = new RolledUpCache<CallsAggregateRow[]>();
  private readonly fieldsCache = new RolledUpCache<FieldCountsRow[]>();

  constructor(@Inject(PG_POOL) private readonly pool: pg.Pool) {}

  /** The first hour after the unbroken run of rolled hours that starts with the oldest (null before the first): where the job goes on. */
  async rolledUntil(): Promise<number | null> {
    // The end of the first unbroken run of rolled hours, not the last rolled hour: a replay of closed hours ahead of
    // the job (while it was behind) must not make the job skip the hours in between.
    const { rows } = await this.pool.query<{ last: Date | null }>(
      `SELECT min(r.hour_start) AS last FROM coverage_rolled_hours r
       WHERE NOT EXISTS (SELECT 1 FROM coverage_rolled_hours n WHERE n.hour_start = r.hour_start + interval '1 hour')`,
    );
    return rows[0].last ? rows[0].last.getTime() + HOUR_MS : null;
  }

  /** Whether the journal still has the partition of a Vietnamese day (retention drops whole days). */
  async journalHoldsDay(day: string): Promise<boolean> {
    const { rows } = await this.pool.query<{ held: boolean }>('SELECT to_regclass($1) IS NOT NULL AS held', [partitionName(day)]);
    return rows[0].held;
  }

  /** The hour of the oldest call the journal holds, or null when it holds none (the primary key's first entry per partition). */
  async oldestJournalHour(): Promise<number | null> {
    const { rows } = await this.pool.query<{ oldest: Date | null }>('SELECT min(received_at) AS oldest FROM call_journal');
    return rows[0].oldest ? hourOf(rows[0].oldest.getTime()) : null;
  }

  /**
   * Recomputes the rollups of the UTC hour starting at `hourStart` from the journal (per consumer, per service, per
   * field), and, once every hour of its Vietnamese day is rolled up, the day's daily rollups from the hourly ones;
   * returns the hour's calls.
   */
  async rollUpHour(hourStart: number): Promise<number> {
    if (hourStart % HOUR_MS !== 0) throw new RangeError(`not the start of an hour: ${new Date(hourStart).toISOString()}`);
    const hour = new Date(hourStart);
    const hourEnd = new Date(hourStart + HOUR_MS);
    const day = vietnamDay(hourStart);
    const dayStart = new Date(vietnamDayStart(day));
    const client = await this.pool.connect();
    // The lock is the session's, taken before the transaction: its snapshot (REPEATABLE READ, so the hour's rows and
    // field counts come from the same journal rows even while late rows commit) must begin after another worker's
    // rollup has committed, or this day's recompute would read that worker's hour as it was before.
    try {
      await client.query(`SELECT pg_advisory_lock(hashtextextended('coverage_rollups', 0))`);
    } catch (error) {
      client.release(true);
      throw error;
    }
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
      await client.query('DELETE FROM coverage_rollup_hourly WHERE hour_start = $1', [hour]);
      await client.query('DELETE FROM coverage_service_hourly WHERE hour_start = $1', [hour]);
      // One read of the hour's journal for both: per consumer and operation, and per service, outcome and simulated
      // (the coverage tables' source: a fault profile's failure or delay is not the service's, so coverage keeps it
      // apart), each summed from the groups of both keys.
      const inserted = await client.query<{ calls: number }>(
        `WITH grouped AS MATERIALIZED (
           SELECT service_code, operation, consumer_id, outcome, fault_kind IS NOT NULL AS simulated, count(*) AS calls, sum(latency_ms::double precision) AS latency_sum_ms,
                  max(latency_ms) AS latency_max_ms, ${histogramSql('latency_ms')} AS latency_buckets
           FROM call_journal
           WHERE received_at >= $1 AND received_at < $2
           GROUP BY service_code, operation, consumer_id, outcome, fault_kind IS NOT NULL),
         per_service AS (
           INSERT INTO coverage_service_hourly (hour_start, service_code, outcome, simulated, calls, latency_sum_ms, latency_max_ms, latency_buckets)
           SELECT $1, service_code, outcome, simulated, sum(calls), sum(latency_sum_ms), max(latency_max_ms), ${summedHistogramsSql('latency_buckets')}
           FROM grouped GROUP BY service_code, outcome, simulated),
         rolled AS (
           INSERT INTO coverage_rollup_hourly (hour_start, service_code, operation, consumer_id, outcome, calls, latency_sum_ms, latency_max_ms, latency_buckets)
           SELECT $1, service_code, operation, consumer_id, outcome, sum(calls), sum(latency_sum_ms), max(latency_max_ms), ${summedHistogramsSql('latency_buckets')}
           FROM grouped GROUP BY service_code, operation, consumer_id, outcome
           RETURNING calls)
         SELECT coalesce(sum(calls), 0)::integer AS calls FROM rolled`,
        [hour, hourEnd],
      );
      await client.query('DELETE FROM coverage_field_hourly WHERE hour_start = $1', [hour]);
      // A field counts once per call that asked for it or was returned it; "refused" counts the calls refused for
      // asking a field outside the allow-list that asked for it (which of their fields were outside is the
      // allow-list's to say, when the figures are read).
      await client.query(
        `INSERT INTO coverage_field_hourly (hour_start, service_code, field, requested, returned, refused_requests)
         SELECT $1, j.service_code, f.field,
                count(*) FILTER (WHERE f.field = ANY (j.fields_requested)),
                count(*) FILTER (WHERE f.field = ANY (j.fields_returned)),
                count(*) FILTER (WHERE f.field = ANY (j.fields_requested) AND j.problem_code = 'fields_not_allowed')
         FROM call_journal j
         CROSS JOIN LATERAL (SELECT DISTINCT unnest(j.fields_requested || j.fields_returned) AS field) f
         WHERE j.received_at >= $1 AND j.received_at < $2
         GROUP BY j.service_code, f.field`,
        [hour, hourEnd],
      );
      await client.query('DELETE FROM coverage_total_hourly WHERE hour_start = $1', [hour]);
      await client.query(
        `INSERT INTO coverage_total_hourly (hour_start, outcome, simulated, calls, latency_sum_ms, latency_max_ms, latency_buckets)
         SELECT $1, outcome, simulated, sum(calls), sum(latency_sum_ms), max(latency_max_ms), ${summedHistogramsSql('latency_buckets')}
         FROM coverage_service_hourly WHERE hour_start = $1
         GROUP BY outcome, simulated`,
        [hour],
      );
      const calls = inserted.rows[0].calls;
      await client.query(
        `INSERT INTO coverage_rolled_hours (hour_start, calls) VALUES ($1, $2)
         ON CONFLICT (hour_start) DO UPDATE SET calls = EXCLUDED.calls, rolled_at = now()`,
        [hour, calls],
      );
      // The daily rollups of a day are written once its 24 hours are rolled up (and again when one of them is
      // replayed): a day is read from them only then (sourcesOf), and rewriting a day at each of its hours left 23 dead
      // versions of every row (docs/BENCHMARKS.md, "Issue 10").
      const dayEnd = new Date(dayStart.getTime() + DAY_MS);
      const { rows: rolledOfDay } = await client.query<{ hours: number }>(
        'SELECT count(*)::int AS hours FROM coverage_rolled_hours WHERE hour_start >= $1 AND hour_start < $2',
        [dayStart, dayEnd],
      );
      await client.query('DELETE FROM coverage_rollup_daily WHERE day = $1::date', [day]);
      await client.query('DELETE FROM coverage_service_daily WHERE day = $1::date', [day]);
      if (rolledOfDay[0].hours === 24) {
        await client.query(
          `INSERT INTO coverage_rollup_daily (day, service_code, operation, consumer_id, outcome, calls, latency_sum_ms, latency_max_ms, latency_buckets)
           SELECT $1::date, service_code, operation, consumer_id, outcome, sum(calls), sum(latency_sum_ms), max(latency_max_ms), ${summedHistogramsSql('latency_buckets')}
           FROM coverage_rollup_hourly
           WHERE hour_start >= $2 AND hour_start < $3
           GROUP BY service_code, operation, consumer_id, outcome`,
          [day, dayStart, dayEnd],
        );
        await client.query(
          `INSERT INTO coverage_service_daily (day, service_code, outcome, simulated, calls, latency_sum_ms, latency_max_ms, latency_buckets)
           SELECT $1::date, service_code, outcome, simulated, sum(calls), sum(latency_sum_ms), max(latency_max_ms), ${summedHistogramsSql('latency_buckets')}
           FROM coverage_service_hourly
           WHERE hour_start >= $2 AND hour_start < $3
           GROUP BY service_code, outcome, simulated`,
          [day, dayStart, dayEnd],
        );
      }
      await client.query('COMMIT');
      return calls;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      // A connection that failed cannot unlock: it is dropped with its session, and the lock with it.
      const unlocked = await client.query(`SELECT pg_advisory_unlock(hashtextextended('coverage_rollups', 0))`).then(() => true, () => false);
      client.release(!unlocked);
    }
  }

  /**
   * The statement of the calls of a period per service, outcome and simulated (and per hour or Vietnamese day with
   * `bucket`): the rollups for its rolled-up hours, the journal for the others only (see `sourcesOf`), so no query
   * reads a rolled-up hour of the journal. `serviceCode` narrows it to one service; `perService: false` sums the
   * services (a series of all of them: a month of hours is then about 9,000 rows instead of 170,000). Each part is
   * grouped on its own, so that the planner hashes it on its own statistics: grouped once over their union, a month of
   * rollups was estimated at 67,724 groups (for 234) and sorted on disk (docs/BENCHMARKS.md, "Issue 10"). Exposed for EXPLAIN in
   * the tests.
   */
  callsOfPeriodStatement(sources: PeriodSources, options: CallsOfPeriodOptions = {}): { text: string; values: unknown[] } {
    const values: unknown[] = [];
    const bind = (value: unknown) => {
      values.push(value);
      return `$${values.length}`;
    };
    const service = (column: string) => (options.serviceCode === undefined ? '' : ` AND ${column} = ${bind(options.serviceCode)}`);
    const serviceKey = options.perService === false ? 'NULL::text' : 'service_code';
    const groupKeys = options.perService === false ? 'outcome, simulated' : 'service_code, outcome, simulated';
    // Hours are UTC hours; days are Vietnamese days, named by the instant they start (Asia/Ho_Chi_Minh is UTC+7 all
    // year; a bare '+07' would be read as POSIX, UTC-7).
    const hourly = seriesBucketSql('hour_start', options.bucket);
    const daily = options.bucket === 'day' ? `(day::timestamp AT TIME ZONE 'Asia/Ho_Chi_Minh')` : 'NULL::timestamptz';
    const journal =
      options.bucket === 'day' ? VIETNAM_DAY_OF('received_at') : options.bucket === 'hour' ? `(date_trunc('hour', received_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC')` : 'NULL::timestamptz';
    const histogram = (column: string) => (options.latency === false ? 'NULL::integer[]' : column);
    // A part's rows are already one per group when each keeps its own bucket and service: grouping them again would
    // only cost a hash of every row.
    const rolledUp = (bucket: string, table: string, where: string, ownBucket: boolean) =>
      ownBucket && (options.perService !== false || options.serviceCode !== undefined)
        ? `SELECT ${bucket} AS bucket, ${serviceKey} AS service_code, outcome, simulated, calls::bigint AS calls, latency_sum_ms, latency_max_ms,
              ${histogram('latency_buckets')} AS latency_buckets
            FROM ${table} WHERE ${where}${service('service_code')}`
        : `SELECT ${bucket} AS bucket, ${serviceKey} AS service_code, outcome, simulated, sum(calls)::bigint AS calls, sum(latency_sum_ms) AS latency_sum_ms,
              max(latency_max_ms) AS latency_max_ms, ${histogram(summedHistogramsSql('latency_buckets'))} AS latency_buckets
            FROM ${table} WHERE ${where}${service('service_code')}
            GROUP BY 1, ${groupKeys}`;
    const parts: string[] = [];
    // Every service together, hour by hour: the totals, one row per hour, outcome and simulated.
    const totals = options.bucket === 'hour' && options.perService === false && options.serviceCode === undefined;
    for (const range of sources.hourly) {
      const where = `hour_start >= ${bind(range.from)} AND hour_start < ${bind(range.to)}`;
      if (totals) {
        parts.push(`SELECT hour_start, NULL::text, outcome, simulated, calls::bigint, latency_sum_ms, latency_max_ms, ${histogram('latency_buckets')}
          FROM coverage_total_hourly WHERE ${where}`);
      } else {
        parts.push(rolledUp(hourly, 'coverage_service_hourly', where, options.bucket === 'hour'));
      }
    }
    for (const range of sources.daily) {
      parts.push(rolledUp(daily, 'coverage_service_daily', `day >= ${bind(range.from)}::date AND day < ${bind(range.to)}::date`, options.bucket === 'day'));
    }
    for (const range of sources.journal) {
      parts.push(`SELECT ${journal}, ${serviceKey}, outcome, fault_kind IS NOT NULL, count(*) AS calls, sum(latency_ms)::double precision AS latency_sum_ms,
          max(latency_ms) AS latency_max_ms, ${histogram(histogramSql('latency_ms'))} AS latency_buckets
        FROM call_journal WHERE received_at >= ${bind(range.from)} AND received_at < ${bind(range.to)}${service('service_code')}
        GROUP BY 1, ${options.perService === false ? '' : 'service_code, '}outcome, fault_kind IS NOT NULL`);
    }
    if (parts.length === 0) parts.push(`SELECT NULL::timestamptz, NULL::text, NULL::text, false, 0::bigint, 0::double precision, 0::real, NULL::integer[] WHERE false`);
    const columns = 'AS period (bucket, service_code, outcome, simulated, calls, latency_sum_ms, latency_max_ms, latency_buckets)';
    // One part is one row per group already (each part is grouped, or unique by its table's key): only the types are set.
    const text =
      parts.length === 1
        ? `SELECT bucket, service_code, outcome, simulated, calls::integer AS calls, latency_sum_ms::double precision AS latency_sum_ms, latency_max_ms, latency_buckets
           FROM (${parts[0]}) ${columns}`
        : `SELECT bucket, service_code, outcome, simulated, sum(calls)::integer AS calls, sum(latency_sum_ms)::double precision AS latency_sum_ms,
             max(latency_max_ms) AS latency_max_ms, ${histogram(summedHistogramsSql('latency_buckets'))} AS latency_buckets
           FROM (${parts.join('\n UNION ALL ')}) ${columns}
           GROUP BY bucket, service_code, outcome, simulated`;
    return { text, values };
  }

  /** The hours of [from, to) rolled up (by the primary key's range). */
  async rolledHours(from: number, to: number): Promise<Set<number>> {
    return (await this.rolledHoursWithVersion(from, to)).hours;
  }

  /**
   * The hours of [from, to) rolled up, and when the last of them was rolled up: every rollUpHour sets its hour's
   * rolled_at (a transaction's start, later than any before it), so the rollups of those hours, and of their days,
   * are the same as long as that stays the same.
   */
  private async rolledHoursWithVersion(from: number, to: number): Promise<{ hours: Set<number>; version: string }> {
    const { rows } = await this.pool.query<{ hour_start: Date; rolled_at: Date }>(
      'SELECT hour_start, rolled_at FROM coverage_rolled_hours WHERE hour_start >= $1 AND hour_start < $2',
      [new Date(hourOf(from)), new Date(to)],
    );
    const last = rows.reduce((latest, row) => Math.max(latest, row.rolled_at.getTime()), 0);
    return { hours: new Set(rows.map((row) => row.hour_start.getTime())), version: `${rows.length}:${last}` };
  }

  /**
   * Calls of [from, to) per service and outcome (and per hour or Vietnamese day with `bucket`: then hourly rollups
   * stand for the days too when `bucket` is `hour`), from the rollups and the hours not rolled up.
   */
  async callsOfPeriod(from: number, to: number, options: CallsOfPeriodOptions = {}): Promise<CallsAggregateRow[]> {
    const { hours, version } = await this.rolledHoursWithVersion(from, to);
    const sources = sourcesOf(from, to, hours, { daily: options.bucket !== 'hour' });
    // The rolled-up part of a period does not change until one of its hours is rolled up again: kept per process
    // (RolledUpCache), and the open hours read from the journal each time.
    const key = JSON.stringify([sources.hourly, sources.daily, options]);
    const rolledUp = (sources.hourly.length > 0 || sources.daily.length > 0) && (await this.rolledUpCache.get(key, version, async () => {
      const statement = this.callsOfPeriodStatement({ ...sources, journal: [] }, options);
      return (await this.pool.query<CallsAggregateRow>(statement)).rows;
    }));
    const open = sources.journal.length > 0 ? (await this.pool.query<CallsAggregateRow>(this.callsOfPeriodStatement({ hourly: [], daily: [], journal: sources.journal }, options))).rows : [];
    return mergedCalls(rolledUp || [], open);
  }

  /**
   * Per field of one service over [from, to): the calls that asked for it, those returned it, and those refused with
   * `fields_not_allowed` that asked for it; from coverage_field_hourly for the rolled-up hours, from the journal for
   * the others (as `rollUpHour` counts them).
   */
  async fieldsOfPeriod(from: number, to: number, serviceCode: string): Promise<FieldCountsRow[]> {
    const { hours, version } = await this.rolledHoursWithVersion(from, to);
    const sources = sourcesOf(from, to, hours, { daily: false });
    // As in callsOfPeriod: the rolled-up hours' counts kept until one of them is rolled up again.
    const [rolledUp, open] = await Promise.all([
      sources.hourly.length === 0 ? [] : this.fieldsCache.get(JSON.stringify([serviceCode, sources.hourly]), version, () => this.fieldsOf(serviceCode, sources.hourly, [])),
      sources.journal.length === 0 ? [] : this.fieldsOf(serviceCode, [], sources.journal),
    ]);
    const fields = new Map<string, FieldCountsRow>();
    for (const row of [...rolledUp, ...open]) {
      const into = fields.get(row.field) ?? { field: row.field, requested: 0, returned: 0, refusedRequests: 0 };
      into.requested += row.requested;
      into.returned += row.returned;
      into.refusedRequests += row.refusedRequests;
      fields.set(row.field, into);
    }
    return [...fields.values()].sort((a, b) => (a.field < b.field ? -1 : a.field > b.field ? 1 : 0));
  }

  /** Per field, the counts of one service in `hourly` ranges (from coverage_field_hourly) and `journal` ranges (from the journal). */
  private async fieldsOf(serviceCode: string, hourly: readonly { from: Date; to: Date }[], journal: readonly { from: Date; to: Date }[]): Promise<FieldCountsRow[]> {
    const values: unknown[] = [serviceCode];
    const bind = (value: unknown) => {
      values.push(value);
      return `$${values.length}`;
    };
    const parts: string[] = [];
    for (const range of hourly) {
      parts.push(`SELECT field, requested, returned, refused_requests FROM coverage_field_hourly
        WHERE service_code = $1 AND hour_start >= ${bind(range.from)} AND hour_start < ${bind(range.to)}`);
    }
    for (const range of journal) {
      parts.push(`SELECT f.field, count(*) FILTER (WHERE f.field = ANY (j.fields_requested)), count(*) FILTER (WHERE f.field = ANY (j.fields_returned)),
          count(*) FILTER (WHERE f.field = ANY (j.fields_requested) AND j.problem_code = 'fields_not_allowed')
        FROM call_journal j CROSS JOIN LATERAL (SELECT DISTINCT unnest(j.fields_requested || j.fields_returned) AS field) f
        WHERE j.service_code = $1 AND j.received_at >= ${bind(range.from)} AND j.received_at < ${bind(range.to)}
        GROUP BY f.field`);
    }
    if (parts.length === 0) return [];
    const { rows } = await this.pool.query<FieldCountsRow>(
      `SELECT field, sum(requested)::int AS requested, sum(returned)::int AS returned, sum(refused_requests)::int AS "refusedRequests"
       FROM (${parts.join('\n UNION ALL ')}) AS fields (field, requested, returned, refused_requests) GROUP BY field`,
      values,
    );
    return rows;
  }
}

/** Rows of one aggregate from two disjoint parts of a period, summed per group (the cached rows are left as they are). */
function mergedCalls(first: readonly CallsAggregateRow[], second: readonly CallsAggregateRow[]): CallsAggregateRow[] {
  const merged = new Map<string, CallsAggregateRow>();
  for (const row of [...first, ...second]) {
    const key = JSON.stringify([row.bucket?.getTime() ?? null, row.service_code, row.outcome, row.simulated]);
    const into = merged.get(key);
    if (!into) {
      merged.set(key, { ...row, latency_buckets: row.latency_buckets && [...row.latency_buckets] });
      continue;
    }
    into.calls += row.calls;
    into.latency_sum_ms += row.latency_sum_ms;
    into.latency_max_ms = Math.max(into.latency_max_ms, row.latency_max_ms);
    if (into.latency_buckets && row.latency_buckets) addHistograms(into.latency_buckets, row.latency_buckets);
  }
  return [...merged.values()];
}

/**
 * Results computed from rollups, kept per process under a key and the version of the rollups they were computed
 * from (read from Postgres at each use, so a process never serves what another process's rollup has replaced).
 * Bounded by the rows it holds: a result of more than MAX_ROWS_PER_ENTRY rows is not kept, and the least recently
 * used entries are dropped past MAX_ROWS (a month of hourly series of every service is about 170,000 rows).
 * Concurrent misses of one key share one computation.
 */
export class RolledUpCache<T extends readonly unknown[]> {
  static readonly MAX_ROWS = 200_000;
  static readonly MAX_ROWS_PER_ENTRY = 50_000;
  private readonly entries = new Map<string, { version: string; value: Promise<T>; rows: number }>();
  private rows = 0;

  async get(key: string, version: string, compute: () => Promise<T>): Promise<T> {
    const entry = this.entries.get(key);
    if (entry && entry.version === version) {
      // Most recently used last.
      this.entries.delete(key);
      this.entries.set(key, entry);
      return entry.value;
    }
    this.drop(key);
    const value = compute();
    const held = { version, value, rows: 0 };
    this.entries.set(key, held);
    try {
      const result = await value;
      if (this.entries.get(key) === held) {
        if (result.length > RolledUpCache.MAX_ROWS_PER_ENTRY) this.drop(key);
        else {
          held.rows = result.length;
          this.rows += result.length;
          for (const [oldest] of this.entries) {
            if (this.rows <= RolledUpCache.MAX_ROWS && this.entries.size <= 256) break;
            this.drop(oldest);
          }
        }
      }
      return result;
    } catch (error) {
      if (this.entries.get(key) === held) this.drop(key);
      throw error;
    }
  }

  private drop(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.rows -= entry.rows;
    this.entries.delete(key);
  }
}

/** One field's counts over a period (RollupRepository.fieldsOfPeriod). */
export interface FieldCountsRow {
  field: string;
  requested: number;
  returned: number;
  refusedRequests: number;
}
