import { Inject, Injectable, Logger } from '@nestjs/common';
import { addHistograms, quantileOf } from '../common/histogram.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { vietnamDay } from '../journal/vietnam-day.js';
import { DECISION_BUCKET_BOUNDS_S, DossierRepository, type DossierAreaRow, type DossierFilingHourRow } from '../portal/dossier.repository.js';
import { DECISION_BUCKET_COUNT, DossierRollupRepository, type DossierFiguresRow, type HourRange } from './dossier-rollup.repository.js';
import { hourOf, vietnamDayStart, type SeriesInterval } from './rollup.repository.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** The Vietnamese days (YYYY-MM-DD) that ranges of hours touch. */
function daysOf(ranges: readonly HourRange[]): Set<string> {
  const days = new Set<string>();
  for (const range of ranges) for (let day = vietnamDayStart(vietnamDay(range.from)); day < range.to; day += DAY_MS) days.add(vietnamDay(day));
  return days;
}

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
 *   whose dossiers changed since then; the state it leaves says which changes it saw (those before `changesSince`,
 *   the refresh's clock less ROLLUP_GRACE_MS, so that a write whose transaction began before it and committed after
 *   it is read as a change, as long as it took less than the grace).
 * - `figures` reads the rolled-up hours but those whose dossiers changed since, and the others (those changed, and the
 *   hours after `rolledUntil`) from the dossiers.
 */
@Injectable()
export class DossierRollupService {
  private readonly logger = new Logger(DossierRollupService.name);

  constructor(
    private readonly rollups: DossierRollupRepository,
    private readonly dossiers: DossierRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Rolls up the closed hours not yet rolled up and the hours whose dossiers changed; returns the hours written. */
  async refresh(): Promise<{ hours: number; rolledUntil: string }> {
    const now = await this.rollups.clock();
    const grace = this.config.coverage.rollupGraceMs;
    const state = await this.rollups.state();
    let ranges: HourRange[];
    let rolledUntil = hourOf(now - grace);
    if (!state) {
      const first = await this.dossiers.firstFiledAt();
      ranges = first && hourOf(first.getTime()) < rolledUntil ? [{ from: hourOf(first.getTime()), to: rolledUntil }] : [];
    } else {
      rolledUntil = Math.max(rolledUntil, state.rolledUntil);
      const changed = await this.dossiers.filingHoursChangedSince(new Date(state.changesSince), new Date(0), new Date(state.rolledUntil));
      ranges = rangesOf(changed);
      if (state.rolledUntil < rolledUntil) ranges.push({ from: state.rolledUntil, to: rolledUntil });
    }
    const rows = await this.dossiers.figuresByFilingHour(ranges.map((range) => ({ from: new Date(range.from), to: new Date(range.to) })));
    // The days of those hours that have ended before rolledUntil, whole: per commune, a day is the unit.
    const areaDays = [...daysOf(ranges)].filter((day) => vietnamDayStart(day) + DAY_MS <= rolledUntil);
    const areaRows = await this.dossiers.figuresByCommune(
      areaDays.map((day) => ({ from: new Date(vietnamDayStart(day)), to: new Date(vietnamDayStart(day) + DAY_MS) })),
      { perDay: true },
    );
    const next = { rolledUntil, changesSince: Math.max(now - grace, state?.changesSince ?? 0) };
    const written = await this.rollups.replace(ranges, rows, { days: areaDays, rows: areaRows }, state, next);
    const hours = written ? ranges.reduce((sum, range) => sum + (range.to - range.from) / HOUR_MS, 0) : 0;
    if (hours > 0) this.logger.log(`rolled up the dossiers of ${hours} hours of filing`);
    return { hours, rolledUntil: new Date(written ? rolledUntil : (state?.rolledUntil ?? 0)).toISOString() };
  }

  /**
   * The dossiers filed in [from, to) (whole UTC hours) per commune of the applicants: the whole Vietnamese days rolled
   * up and unchanged since from `coverage_dossier_area_daily`, every other hour from the dossiers.
   */
  async areas(from: number, to: number): Promise<DossierAreaRow[]> {
    const start = hourOf(from);
    const end = Math.ceil(to / HOUR_MS) * HOUR_MS;
    const state = await this.rollups.state();
    const rolledEnd = state ? Math.min(Math.max(state.rolledUntil, start), end) : start;
    const changed = state && start < rolledEnd ? await this.dossiers.filingHoursChangedSince(new Date(state.changesSince), new Date(start), new Date(rolledEnd)) : [];
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
      this.rollups.areaFiguresOf(clean),
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
    const start = hourOf(from);
    const end = Math.ceil(to / HOUR_MS) * HOUR_MS;
    const state = await this.rollups.state();
    const rolledEnd = state ? Math.min(Math.max(state.rolledUntil, start), end) : start;
    const changed = state && start < rolledEnd ? await this.dossiers.filingHoursChangedSince(new Date(state.changesSince), new Date(start), new Date(rolledEnd)) : [];
    const live = rangesOf(changed);
    if (rolledEnd < end) live.push({ from: rolledEnd, to: end });
    const [rolled, fresh] = await Promise.all([
      this.rollups.figuresOf(start, rolledEnd, changed, bucket),
      this.dossiers.figuresByFilingHour(live.map((range) => ({ from: new Date(range.from), to: new Date(range.to) }))),
    ]);
    const summed = new Map<string, DossierFiguresRow>(rolled.map((row) => [`${row.bucket?.getTime() ?? ''}|${row.serviceCode}`, row]));
    for (const row of fresh) {
      const at = bucketOf(row, bucket);
      const key = `${at?.getTime() ?? ''}|${row.serviceCode}`;
      summed.set(key, addFigures(summed.get(key) ?? emptyFigures(at, row.serviceCode), { ...row, bucket: at }));
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
