import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import type pg from 'pg';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { PG_POOL } from '../database/pg-pool.token.js';
import { JournalMetrics } from './journal-metrics.js';
import { addDays, partitionName, vietnamDay } from './vietnam-day.js';

/**
 * The journal's day partitions (Vietnam time). There is no default partition, so a call on a day without one could
 * not be journaled, and a call that cannot be journaled is not answered: partitions are kept DAYS_AHEAD days ahead,
 * at start and by the daily maintenance job, and readiness fails below that. Retention drops whole days: each is
 * detached, then dropped; the audit, which keeps no such days, is never touched.
 */
@Injectable()
export class JournalPartitions implements OnApplicationBootstrap {
  /** Readiness needs this many days ahead. */
  static readonly DAYS_AHEAD = 7;
  /**
   * Maintenance makes this many: two more than readiness needs, so that the hours between midnight and the daily
   * job (or a job that failed once) never leave fewer than DAYS_AHEAD.
   */
  static readonly DAYS_MADE_AHEAD = JournalPartitions.DAYS_AHEAD + 2;
  private readonly logger = new Logger(JournalPartitions.name);

  constructor(
    @Inject(PG_POOL) private readonly pool: pg.Pool,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    metrics: JournalMetrics,
  ) {
    // Read when the metrics are scraped, so that a maintenance job that stopped shows as the days run out.
    metrics.measurePartitionDaysAhead(() => this.daysAhead());
  }

  async onApplicationBootstrap(): Promise<void> {
    const created = await this.ensureAhead();
    if (created.length > 0) this.logger.log(`created journal partitions ${created.join(', ')}`);
  }

  /** Creates the missing partitions from `today` to DAYS_MADE_AHEAD days after it; returns the names created. */
  async ensureAhead(today = vietnamDay(Date.now()), daysAhead = JournalPartitions.DAYS_MADE_AHEAD): Promise<string[]> {
    const created: string[] = [];
    for (let offset = 0; offset <= daysAhead; offset++) {
      const day = addDays(today, offset);
      // Each day in its own short transaction: the function takes an advisory lock, released at its commit.
      const result = await this.pool.query<{ created: boolean }>('SELECT call_journal_ensure_partition($1::date) AS created', [day]);
      if (result.rows[0].created) created.push(partitionName(day));
    }
    return created;
  }

  /** How many days after `today` have a partition, counting without a gap. */
  async daysAhead(today = vietnamDay(Date.now())): Promise<number> {
    const names = new Set(await this.partitionNames());
    let days = 0;
    while (names.has(partitionName(addDays(today, days + 1)))) days += 1;
    return names.has(partitionName(today)) ? days : -1;
  }

  /**
   * Detaches and drops the partitions of days before `today - retentionDays`; returns the names dropped. DETACH
   * CONCURRENTLY takes no lock that would hold up the calls being journaled meanwhile (a plain DETACH would queue
   * every registry answer behind it); a day detached by a run that stopped before dropping it, or whose detach was
   * interrupted, is finished and dropped by the next run.
   */
  async dropExpired(today = vietnamDay(Date.now()), retentionDays = this.config.journal.retentionDays): Promise<string[]> {
    const oldestKept = partitionName(addDays(today, -retentionDays));
    const expired = (await this.partitionNames()).filter((name) => name < oldestKept);
    for (const name of expired) {
      // Names come from pg_inherits and match call_journal_YYYYMMDD: safe to splice into DDL.
      const pending = await this.pool.query<{ pending: boolean }>(
        `SELECT i.inhdetachpending AS pending FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE c.relname = $1`,
        [name],
      );
      await this.pool.query(`ALTER TABLE call_journal DETACH PARTITION ${name} ${pending.rows[0]?.pending ? 'FINALIZE' : 'CONCURRENTLY'}`);
    }
    const detached = (await this.detachedDays()).filter((name) => name < oldestKept);
    for (const name of detached) await this.pool.query(`DROP TABLE ${name}`);
    return [...new Set([...expired, ...detached])].sort();
  }

  /** Day tables no longer attached to the journal (detached and not yet dropped). */
  private async detachedDays(): Promise<string[]> {
    const result = await this.pool.query<{ name: string }>(
      `SELECT c.relname AS name FROM pg_class c
       WHERE c.relkind = 'r' AND c.relname ~ '^call_journal_[0-9]{8}$' AND c.relnamespace = current_schema()::regnamespace
         AND NOT EXISTS (SELECT 1 FROM pg_inherits i WHERE i.inhrelid = c.oid)
       ORDER BY c.relname`,
    );
    return result.rows.map((row) => row.name);
  }

  /** The partitions that exist, by name (call_journal_YYYYMMDD), oldest first. */
  async partitionNames(): Promise<string[]> {
    const result = await this.pool.query<{ name: string }>(
      `SELECT c.relname AS name FROM pg_inherits i
       JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent
       WHERE p.relname = 'call_journal' AND c.relname ~ '^call_journal_[0-9]{8}$' ORDER BY c.relname`,
    );
    return result.rows.map((row) => row.name);
  }

}
