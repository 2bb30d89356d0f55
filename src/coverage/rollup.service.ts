import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { hourOf, RollupRepository } from './rollup.repository.js';

const HOUR_MS = 3_600_000;

/** What one catch-up run rolled up. */
export interface CatchUpResult {
  /** The hours rolled up, oldest first (ISO instants). */
  hours: string[];
  /** Closed hours still waiting after this run (the next run goes on with them). */
  remaining: number;
}

/**
 * Rolls up the closed hours of the call journal, oldest first. An hour is closed once ROLLUP_GRACE_MS have passed
 * after its end: a call's journal row is written when the call ends, with the time it was received, so a row may land
 * in its hour up to the longest call later (60 s, the longest simulated latency) plus a commit; the grace is
 * longer than that (validated in app-config.ts).
 */
@Injectable()
export class RollupService {
  /**
   * Hours one run rolls up at most: a week's worth, so a worker that was down for a day catches up in one run and one
   * that was down for a month in a few, each run short enough not to hold the coverage queue for long.
   */
  static readonly HOURS_PER_RUN = 168;
  private readonly logger = new Logger(RollupService.name);

  constructor(
    private readonly rollups: RollupRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** The start of the last closed hour at `now`. */
  lastClosedHour(now: number): number {
    return hourOf(now - this.config.coverage.rollupGraceMs) - HOUR_MS;
  }

  /** Rolls up every closed hour not yet rolled up, at most HOURS_PER_RUN of them. */
  async catchUp(now = Date.now(), limit = RollupService.HOURS_PER_RUN): Promise<CatchUpResult> {
    const lastClosed = this.lastClosedHour(now);
    const next = (await this.rollups.rolledUntil()) ?? (await this.rollups.oldestJournalHour()) ?? lastClosed;
    const hours: string[] = [];
    let hour = next;
    for (; hour <= lastClosed && hours.length < limit; hour += HOUR_MS) {
      await this.rollups.rollUpHour(hour);
      hours.push(new Date(hour).toISOString());
    }
    const remaining = hour <= lastClosed ? (lastClosed - hour) / HOUR_MS + 1 : 0;
    if (hours.length > 0) this.logger.log(`rolled up ${hours.length} hours of the call journal (${remaining} remaining)`);
    return { hours, remaining };
  }

  /** Recomputes the rollups of the hours of [from, to) (whole hours): a replay, which never adds twice. */
  async replay(from: number, to: number): Promise<string[]> {
    const hours: string[] = [];
    for (let hour = hourOf(from); hour < to; hour += HOUR_MS) {
      await this.rollups.rollUpHour(hour);
      hours.push(new Date(hour).toISOString());
    }
    return hours;
  }
}
