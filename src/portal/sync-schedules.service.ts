import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { getNextMillis } from 'bullmq';
import type pg from 'pg';
import { ServiceCatalog } from '../catalog/service-catalog.service.js';
import { NotFoundError, ValidationFailedError } from '../common/domain-error.js';
import { PG_POOL } from '../database/database.module.js';
import { projectRoot } from '../reference/project-root.js';
import { queueCall } from '../queue/queue-unavailable.js';
import { syncScheduleFileSchema, type SyncScheduleInput, type SyncScheduleView } from './sync-schedule.dto.js';
import { SyncRunProducer, type HeldSchedule } from './sync-run.producer.js';
import { SyncRunRepository } from './sync-run.repository.js';

interface ScheduleRow {
  serviceCode: string;
  pattern: string | null;
  timeZone: string;
  everyMs: number | null;
  mode: 'verify' | 'refresh';
  paused: boolean;
  source: 'config' | 'api';
  updatedAt: Date;
}

/** Whether Redis's scheduler fires the row's schedule: the same pattern and time zone (or interval), and mode. */
function sameSchedule(row: ScheduleRow, held: HeldSchedule): boolean {
  const when = row.pattern !== null ? held.pattern === row.pattern && held.timeZone === row.timeZone : held.pattern === null && held.everyMs === row.everyMs;
  return when && held.mode === row.mode;
}

const COLUMNS = `service_code AS "serviceCode", pattern, time_zone AS "timeZone", every_ms AS "everyMs", mode, paused, source, updated_at AS "updatedAt"`;

/**
 * Recurring sync runs, one schedule per service: rows in `portal_sync_schedules` (config/sync-schedules.json applied
 * on start, operators' changes through /ops kept across starts), fired by BullMQ job schedulers on the sync queue
 * that are rebuilt from the rows, so that a Redis that lost them gets them back. A schedule that fires requests a
 * run as an operator would: while the service has a pending run, it answers that one.
 */
@Injectable()
export class SyncSchedules implements OnApplicationBootstrap {
  private readonly logger = new Logger('SyncSchedules');

  constructor(
    @Inject(PG_POOL) private readonly pool: pg.Pool,
    private readonly producer: SyncRunProducer,
    private readonly runs: SyncRunRepository,
    private readonly catalog: ServiceCatalog,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const file = syncScheduleFileSchema.parse(JSON.parse(readFileSync(join(projectRoot(), 'config', 'sync-schedules.json'), 'utf8')));
    for (const [serviceCode, input] of Object.entries(file.schedules)) {
      if (!this.catalog.allCodes().includes(serviceCode)) continue;
      // The file's schedule replaces its own earlier version, never one an operator set through /ops.
      await this.write(serviceCode, input, 'config', `WHERE portal_sync_schedules.source = 'config'`);
    }
    await this.applyAll().catch((error: unknown) => this.logger.warn(`sync schedules not applied to Redis yet: ${(error as Error).message}`));
  }

  /**
   * Makes Redis's job schedulers those of the rows: paused ones removed, the others created, or replaced where Redis
   * holds another pattern, time zone, interval or mode (a change committed while Redis was unreachable answered 503
   * and left the old scheduler firing; this pass, run by every reconciler interval, repairs it).
   */
  async applyAll(): Promise<void> {
    const { rows } = await this.pool.query<ScheduleRow>(`SELECT ${COLUMNS} FROM portal_sync_schedules`);
    const held = await this.producer.schedules();
    for (const row of rows) {
      try {
        const present = held.get(row.serviceCode);
        if (row.paused) {
          if (present) await this.producer.removeSchedule(row.serviceCode);
        } else if (!present || !sameSchedule(row, present)) await this.producer.upsertSchedule(row.serviceCode, row, row.mode);
      } catch (error) {
        // One schedule the scheduler cannot take must not keep the others (and the reconciler's pass) from running.
        this.logger.warn(`sync schedule of ${row.serviceCode} not applied: ${(error as Error).message}`);
      }
    }
  }

  async list(): Promise<SyncScheduleView[]> {
    const { rows } = await this.pool.query<ScheduleRow>(`SELECT ${COLUMNS} FROM portal_sync_schedules ORDER BY service_code`);
    const next = await queueCall(() => this.producer.nextRuns());
    return rows.map((row) => viewOf(row, next.get(row.serviceCode) ?? null));
  }

  /**
   * Creates or replaces a service's schedule (an operator's: it stays across starts). The pattern is read as the
   * scheduler reads it before anything is written, paused or not, so that one it cannot read is a 400 here and never
   * a 5xx when the schedule is resumed.
   */
  async put(serviceCode: string, input: SyncScheduleInput): Promise<SyncScheduleView> {
    if (!this.catalog.allCodes().includes(serviceCode)) throw new NotFoundError('service_not_found', 'No catalog service has this code.');
    assertReadable({ pattern: input.pattern ?? null, timeZone: input.timeZone });
    const row = (await this.write(serviceCode, input, 'api', ''))!;
    return this.applied(row);
  }

  async setPaused(serviceCode: string, paused: boolean): Promise<SyncScheduleView> {
    if (!paused) {
      // A row written before patterns were read at every change (or by config/sync-schedules.json) may hold one the
      // scheduler refuses: resuming it is refused, and the row stays paused.
      const { rows } = await this.pool.query<ScheduleRow>(`SELECT ${COLUMNS} FROM portal_sync_schedules WHERE service_code = $1`, [serviceCode]);
      if (rows.length > 0) assertReadable(rows[0]);
    }
    const { rows } = await this.pool.query<ScheduleRow>(
      `UPDATE portal_sync_schedules SET paused = $2, source = 'api', updated_at = now() WHERE service_code = $1 RETURNING ${COLUMNS}`,
      [serviceCode, paused],
    );
    if (rows.length === 0) throw new NotFoundError('sync_schedule_not_found', 'This service has no sync schedule.');
    return this.applied(rows[0]);
  }

  /** Requests the scheduled run now (as the schedule firing would); the run of the service it names. */
  async trigger(serviceCode: string): Promise<string> {
    const { rows } = await this.pool.query<ScheduleRow>(`SELECT ${COLUMNS} FROM portal_sync_schedules WHERE service_code = $1`, [serviceCode]);
    if (rows.length === 0) throw new NotFoundError('sync_schedule_not_found', 'This service has no sync schedule.');
    return this.fire(serviceCode, rows[0].mode);
  }

  /**
   * The scheduler's job fired: the run is requested, unless the schedule is paused or gone by now (a firing that
   * raced a pause, whose scheduler was removed just after it queued the job, requests nothing).
   */
  async fireScheduled(serviceCode: string, mode: 'verify' | 'refresh'): Promise<string | null> {
    const { rows } = await this.pool.query<{ paused: boolean }>(`SELECT paused FROM portal_sync_schedules WHERE service_code = $1`, [serviceCode]);
    if (rows.length === 0 || rows[0].paused) return null;
    return this.fire(serviceCode, mode);
  }

  /** A schedule fired (its job on the sync queue) or was triggered: the service's run is requested. */
  async fire(serviceCode: string, mode: 'verify' | 'refresh'): Promise<string> {
    const { runId, created } = await this.runs.request(serviceCode, mode, 'schedule');
    if (created) await this.producer.startNext(serviceCode);
    return runId;
  }

  private async write(serviceCode: string, input: SyncScheduleInput, source: 'config' | 'api', guard: string): Promise<ScheduleRow | undefined> {
    const { rows } = await this.pool.query<ScheduleRow>(
      `INSERT INTO portal_sync_schedules (service_code, pattern, time_zone, every_ms, mode, paused, source) VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (service_code) DO UPDATE SET pattern = EXCLUDED.pattern, time_zone = EXCLUDED.time_zone, every_ms = EXCLUDED.every_ms,
         mode = EXCLUDED.mode, paused = EXCLUDED.paused, source = EXCLUDED.source, updated_at = now() ${guard}
       RETURNING ${COLUMNS}`,
      [serviceCode, input.pattern ?? null, input.timeZone, input.everyMs ?? null, input.mode, input.paused, source],
    );
    return rows[0];
  }

  /** Redis's scheduler made the row's (removed while paused), and the row with its next firing. */
  private async applied(row: ScheduleRow): Promise<SyncScheduleView> {
    await queueCall(() => (row.paused ? this.producer.removeSchedule(row.serviceCode) : this.producer.upsertSchedule(row.serviceCode, row, row.mode)));
    const next = row.paused ? null : ((await queueCall(() => this.producer.nextRuns())).get(row.serviceCode) ?? null);
    return viewOf(row, next);
  }
}

/**
 * Refuses a cron pattern (in its time zone) that BullMQ's job scheduler cannot turn into a next firing: read with the
 * scheduler's own `getNextMillis` (cron-parser), so that what passes here is what `upsertJobScheduler` takes.
 */
function assertReadable(when: { pattern: string | null; timeZone: string }): void {
  if (when.pattern === null) return;
  try {
    new Intl.DateTimeFormat('en', { timeZone: when.timeZone });
  } catch {
    throw new ValidationFailedError('timeZone: not an IANA time zone', [{ field: 'timeZone', rule: 'time_zone', message: 'is not an IANA time zone (e.g. Asia/Ho_Chi_Minh)' }]);
  }
  let next: number | undefined;
  try {
    next = getNextMillis(Date.now(), { pattern: when.pattern, tz: when.timeZone });
  } catch {
    next = undefined;
  }
  if (next === undefined || !Number.isFinite(next)) {
    throw new ValidationFailedError('pattern: the scheduler cannot read this schedule', [{ field: 'pattern', rule: 'invalid_schedule', message: 'is not a cron pattern (with time zone) the scheduler can read' }]);
  }
}

function viewOf(row: ScheduleRow, next: number | null): SyncScheduleView {
  return {
    serviceCode: row.serviceCode,
    pattern: row.pattern,
    timeZone: row.timeZone,
    everyMs: row.everyMs,
    mode: row.mode,
    paused: row.paused,
    source: row.source,
    updatedAt: row.updatedAt.toISOString(),
    nextRunAt: row.paused || next === null ? null : new Date(next).toISOString(),
  };
}
