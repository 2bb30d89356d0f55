import { Inject, Injectable, Logger } from '@nestjs/common';
import { addHistograms, quantileOf } from '../common/histogram.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { vietnamDay } from '../journal/vietnam-day.js';
import { DECISION_BUCKET_BOUNDS_S, DossierRepository, type DossierAreaRow, type DossierFilingHourRow } from '../portal/dossier.repository.js';
import { DECISION_BUCKET_COUNT, DossierRollupRepository, type DossierFiguresRow, type HourRange } from './dossier-rollup.repository.js';
import { hourOf, vietnamDayStart, type SeriesInterval } from './rollup.repository.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** Whole hours as ranges, adjacent ones joined. */
function rangesOf(hours: readonly number[]): HourRange[] {
  const ranges: HourRange[] = [];
  for (const hour of [...hours].sort((a, b) => a - b)) {
    const last = ranges.at(-1);
    if (last && last.to === hour) last.to = hour + HOUR_MS;
    else if (!last || last.to < hour) ranges.push({ from: hour, to: hour + HOUR_MS });
  }
  return ranges;
}

/** A dossier figures row with nothing in it, for one bucket and service. */
function emptyFigures(bucket: Date | null, serviceCode: string): DossierFiguresRow {
  return { bucket, serviceCode, filed: 0, decidedAutomatically: 0, decided: 0, decisionBuckets: new Array<number>(DECISION_BUCKET_COUNT).fill(0), decisionMinSeconds: 0, decisionMaxSeconds: 0 };
}

/** Adds one figures row into another (a new one, of `row`'s bucket and service, when there is none yet). */
export function addFigures(into: DossierFiguresRow | undefined, row: DossierFiguresRow): DossierFiguresRow {
  const sum = into ?? emptyFigures(row.bucket, row.serviceCode);
  if (row.decided > 0) sum.decisionMinSeconds = sum.decided > 0 ? Math.min(sum.decisionMinSeconds, row.decisionMinSeconds) : row.decisionMinSeconds;
  sum.filed += row.filed;
  sum.decidedAutomatically += row.decidedAutomatically;
  sum.decided += row.decided;
  addHistograms(sum.decisionBuckets, row.decisionBuckets);
  sum.decisionMaxSeconds = Math.max(sum.decisionMaxSeconds, row.decisionMaxSeconds);
  return sum;
}

/** The q-quantile of the filing-to-decision time of a figures row, in seconds (null without decided dossiers). */
export function decisionQuantileOf(row: Pick<DossierFiguresRow, 'decisionBuckets' | 'decisionMinSeconds' | 'decisionMaxSeconds'>, q: number): number | null {
  return quantileOf(DECISION_BUCKET_BOUNDS_S, row.decisionBuckets, q, row.decisionMaxSeconds, row.decisionMinSeconds);
}

/**
 * The dossier figures of coverage (filed, decided automatically, decided, the filing-to-decision histogram) per
 * service, from the rollups per hour of filing where they are fresh and from the dossiers themselves elsewhere, so that
 * they are exact at every read:
 * - `refresh` (the coverage job, every five minutes) rolls up the hours closed since the last run and again the hours
 *   whose dossiers changed since then, and the Vietnamese days of those hours that have ended per commune; the state
 *   it leaves says which changes it saw: those before `changesSince`, the refresh's clock less ROLLUP_GRACE_MS, or
 *   the start of the oldest transaction then open if that is earlier, so that a write whose transaction began before
 *   the refresh and committed after it is read as a change.
 * - `figures` reads the rolled-up hours but those whose dossiers changed since, and the others (those changed, and the
 *   hours after `rolledUntil`) from the dossiers; `areas` the same per commune, by whole Vietnamese days. A read is
 *   exact as of the moment it asks which hours changed (its statements are not one snapshot): a change committed
 *   while it reads is in its figures or in the next read's.
 */
@Injectable()
export class DossierRollupService {
  /** Hours of filing a refresh rolls up at most besides those changed: a week's, as the journal's catch-up. */
  static readonly HOURS_PER_REFRESH = 168;
  /** A transaction open longer than the grace and this is said in the log at each refresh. */
  static readonly LONG_TRANSACTION_MS = 10 * 60_000;
  private readonly logger = new Logger(DossierRollupService.name);

  constructor(
    private readonly rollups: DossierRollupRepository,
    private readonly dossiers: DossierRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * Rolls up the closed hours not yet rolled up, from the first dossier on, at most HOURS_PER_REFRESH of them after
   * the next dossier filed (hours without dossiers are passed over at once: a first refresh over years of dossiers
   * goes on over the next runs, each bounded), and the hours whose dossiers changed; says how many of each it wrote.
   */
  async refresh(): Promise<{ newHours: number; changedHours: number; rolledUntil: string; remaining: number }> {
    const { now, oldestOpenSince } = await this.rollups.clock();
    const grace = this.config.coverage.rollupGraceMs;
    const state = await this.rollups.state();
    const closed = hourOf(now - grace);
    const start = state ? state.rolledUntil : hourOf((await this.dossiers.firstFiledAt())?.getTime() ?? closed);
    const nextFiled = start < closed ? await this.dossiers.firstFiledAt(new Date(start)) : null;
    const rolledUntil = Math.max(start, Math.min(closed, (nextFiled ? hourOf(nextFiled.getTime()) : closed) + DossierRollupService.HOURS_PER_REFRESH * HOUR_MS));
    const changed = state ? await this.dossiers.filingHoursChangedSince(new Date(state.changesSince), new Date(0), new Date(state.rolledUntil)) : [];
    const ranges = rangesOf(changed);
    if (start < rolledUntil) ranges.push({ from: start, to: rolledUntil });
    const rows = await this.dossiers.figuresByFilingHour(ranges.map((range) => ({ from: new Date(range.from), to: new Date(range.to) })));
    // Per commune a Vietnamese day is the unit: every day that has ended before rolledUntil and holds a dossier of
    // those hours, or that the new hours begin inside of (its first hours were rolled up by the refresh before), whole.
    const touched = new Set([...changed, ...rows.map((row) => row.hourStart.getTime()), start].map((hour) => vietnamDay(hour)));
    const areaDays = [...touched].filter((day) => vietnamDayStart(day) + DAY_MS <= rolledUntil).sort();
    const areaRows = await this.dossiers.figuresByCommune(
      areaDays.map((day) => ({ from: new Date(vietnamDayStart(day)), to: new Date(vietnamDayStart(day) + DAY_MS) })),
      { perDay: true },
    );
    // A write whose transaction was open before the grace (a lock wait, a stalled client) has an older updated_at
    // than the grace allows for: the next refresh and every read look for changes from its start on.
    const next = { rolledUntil, changesSince: Math.min(now - grace, oldestOpenSince ?? Infinity) };
    if (oldestOpenSince !== null && oldestOpenSince < now - grace - DossierRollupService.LONG_TRANSACTION_MS) {
      // Correct, but every refresh and read then goes back to it for changes: more hours read from the dossiers.
      this.logger.warn(
        `a transaction open since ${new Date(oldestOpenSince).toISOString()} holds the dossier rollups' changes back to then (pg_stat_activity shows it)`,
      );
    }
    const written = await this.rollups.replace(ranges, rows, { days: areaDays, rows: areaRows }, state, next);
    const until = written ? rolledUntil : start;
    const result = {
      newHours: written ? (rolledUntil - start) / HOUR_MS : 0,
      changedHours: written ? changed.length : 0,
      rolledUntil: new Date(until).toISOString(),
      remaining: Math.max(0, (closed - until) / HOUR_MS),
    };
    if (result.newHours + result.changedHours > 0) {
      this.logger.log(`rolled up the dossiers of ${result.newHours} new and ${result.changedHours} changed hours of filing (${result.remaining} remaining)`);
    }
    return result;
  }

  /**
   * What a read of [from, to) needs to know first: the period in whole UTC hours, the state, where its rolled-up hours
   * end, and which of them hold dossiers changed since the last refresh.
   */
  private async freshness(from: number, to: number) {
    const start = hourOf(from);
    const end = Math.ceil(to / HOUR_MS) * HOUR_MS;
    const state = await this.rollups.state();
    const rolledEnd = state ? Math.min(Math.max(state.rolledUntil, start), end) : start;
    const changed = state && start < rolledEnd ? await this.dossiers.filingHoursChangedSince(new Date(state.changesSince), new Date(start), new Date(rolledEnd)) : [];
    return { start, end, state, rolledEnd, changed };
  }

  /**
   * The dossiers filed in [from, to) (whole UTC hours) per commune of the applicants: the whole Vietnamese days rolled
   * up and unchanged since from `coverage_dossier_area_daily`, every other hour from the dossiers.
   */
  async areas(from: number, to: number): Promise<DossierAreaRow[]> {
    const { start, end, state, rolledEnd, changed } = await this.freshness(from, to);
    const dirty = new Set(changed.map((hour) => vietnamDay(hour)));
    const clean: string[] = [];
    const live: HourRange[] = [];
    for (let hour = start; hour < end; ) {
      const day = vietnamDay(hour);
      if (vietnamDayStart(day) === hour && hour + DAY_MS <= rolledEnd && !dirty.has(day)) {
        clean.push(day);
        hour += DAY_MS;
        continue;
      }
      const last = live.at(-1);
      if (last && last.to === hour) last.to = hour + HOUR_MS;
      else live.push({ from: hour, to: hour + HOUR_MS });
      hour += HOUR_MS;
    }
    const [rolled, fresh] = await Promise.all([
      this.rollups.areaFiguresOf(clean, state?.refreshedAt),
      this.dossiers.figuresByCommune(live.map((range) => ({ from: new Date(range.from), to: new Date(range.to) }))),
    ]);
    const summed = new Map<string | null, DossierAreaRow>();
    for (const row of [...rolled, ...fresh]) {
      const into = summed.get(row.communeCode) ?? { day: null, communeCode: row.communeCode, filed: 0, decidedAutomatically: 0, backlog: 0 };
      into.filed += row.filed;
      into.decidedAutomatically += row.decidedAutomatically;
      into.backlog += row.backlog;
      summed.set(row.communeCode, into);
    }
    return [...summed.values()];
  }

  /**
   * The figures of the dossiers filed in [from, to) (whole UTC hours) per service, and per hour or Vietnamese day with
   * `bucket`; a service without dossiers has no row.
   */
  async figures(from: number, to: number, bucket?: SeriesInterval): Promise<DossierFiguresRow[]> {
    const { start, end, state, rolledEnd, changed } = await this.freshness(from, to);
    const live = rangesOf(changed);
    if (rolledEnd < end) live.push({ from: rolledEnd, to: end });
    const [rolled, fresh] = await Promise.all([
      this.rollups.figuresOf(start, rolledEnd, changed, bucket, state?.refreshedAt),
      this.dossiers.figuresByFilingHour(live.map((range) => ({ from: new Date(range.from), to: new Date(range.to) }))),
    ]);
    const summed = new Map<string, DossierFiguresRow>(rolled.map((row) => [`${row.bucket?.getTime() ?? ''}|${row.serviceCode}`, row]));
    for (const row of fresh) {
      const at = bucketOf(row, bucket);
      const key = `${at?.getTime() ?? ''}|${row.serviceCode}`;
      summed.set(key, addFigures(summed.get(key), { ...row, bucket: at }));
    }
    return [...summed.values()];
  }
}

/** The bucket of a series an hour of filing falls in. */
function bucketOf(row: DossierFilingHourRow, bucket: SeriesInterval | undefined): Date | null {
  if (bucket === 'hour') return row.hourStart;
  if (bucket === 'day') return new Date(vietnamDayStart(vietnamDay(row.hourStart.getTime())));
  return null;
}
