import { z } from 'zod';
import { serviceCodeSchema } from '../catalog/service-catalog.service.js';

/** A cron pattern of five or six fields (BullMQ's cron-parser reads it; one it refuses is a 400 `invalid_schedule`). */
const patternSchema = z.string().trim().regex(/^\S+(\s+\S+){4,5}$/, { message: 'must be a cron pattern of 5 or 6 fields' });

/** A schedule as operators and config/sync-schedules.json write it: a cron pattern (with its time zone) or an interval. */
export const syncScheduleInputSchema = z
  .strictObject({
    pattern: patternSchema.optional().describe('Cron pattern, e.g. `0 2 * * *` (02:00 every day)'),
    timeZone: z.string().min(1).max(64).default('Asia/Ho_Chi_Minh').describe('IANA time zone of the pattern'),
    everyMs: z.number().int().min(1_000).max(31 * 24 * 3600 * 1000).optional().describe('Instead of a pattern: a run every this many milliseconds'),
    mode: z.enum(['verify', 'refresh']),
    paused: z.boolean().default(false),
  })
  .refine((input) => (input.pattern === undefined) !== (input.everyMs === undefined), { message: 'give either pattern or everyMs', path: ['pattern'], params: { rule: 'one_of' } });
export type SyncScheduleInput = z.output<typeof syncScheduleInputSchema>;

/** config/sync-schedules.json: a schedule per service code. */
export const syncScheduleFileSchema = z.strictObject({ schedules: z.record(serviceCodeSchema, syncScheduleInputSchema) });

export const syncScheduleViewSchema = z.object({
  serviceCode: z.string(),
  pattern: z.string().nullable(),
  timeZone: z.string(),
  everyMs: z.number().int().nullable(),
  mode: z.enum(['verify', 'refresh']),
  paused: z.boolean(),
  source: z.enum(['config', 'api']).describe('`config`: from config/sync-schedules.json (re-applied on start); `api`: set through /ops'),
  updatedAt: z.string(),
  nextRunAt: z.string().nullable().describe('When the scheduler fires next; null while paused'),
});
export type SyncScheduleView = z.output<typeof syncScheduleViewSchema>;
export const syncScheduleListSchema = z.object({ schedules: z.array(syncScheduleViewSchema) });

export const SYNC_SCHEDULE_EXAMPLES = {
  input: { pattern: '0 2 * * *', timeZone: 'Asia/Ho_Chi_Minh', mode: 'refresh', paused: false } satisfies z.input<typeof syncScheduleInputSchema>,
  view: {
    serviceCode: '1.000894',
    pattern: '0 2 * * *',
    timeZone: 'Asia/Ho_Chi_Minh',
    everyMs: null,
    mode: 'refresh',
    paused: false,
    source: 'api',
    updatedAt: '2026-12-01T08:00:00.000Z',
    nextRunAt: '2026-12-01T19:00:00.000Z',
  } satisfies SyncScheduleView,
};
